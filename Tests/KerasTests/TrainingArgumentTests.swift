import Foundation
import Testing

@testable import Keras

/// `Fixtures/make_training_argument_fixtures.py`: a base called with `training=False` in Keras 3.
@Suite("A graph call's training argument is kept in files, and the model's mode wins, as in Keras 3")
struct TrainingArgumentTests {
  /// Keras' `model(x, training=True)`.
  struct TrainingOutput: Decodable {
    let training_output: FunctionalFixture.Array
  }

  func trainingOutput() throws -> Tensor {
    try JSONDecoder().decode(
      TrainingOutput.self, from: Data(contentsOf: URL(fileURLWithPath: FunctionalFixture.path("frozen_base.json")))
    ).training_output.tensor
  }

  /// Whether the saved config of `model` records `training: false` on the call of `layer`.
  func recordsTrainingFalse(_ model: Model, layer: String) throws -> Bool {
    let node = try #require(model.getLayer(layer).inboundNodes.compactMap(\.node).first)
    return node.keywords.setting("training") == .bool(false)
  }

  @Test("Keras' file (.keras, .h5) predicts as Keras in both modes and keeps the argument", arguments: ["keras", "h5"])
  func frozenBaseFromKeras(format: String) throws {
    let fixture = try FunctionalFixture.load("frozen_base")
    let model = try loadModel(FunctionalFixture.path("frozen_base.\(format)"))
    let x = fixture.inputs[0].tensor
    #expect(maxDifference(try model([x], training: false)[0], fixture.outputs[0].tensor) < 1e-5)
    #expect(maxDifference(try model([x], training: true)[0], try trainingOutput()) < 1e-5)
    #expect(try recordsTrainingFalse(model, layer: "base"))
  }

  @Test("base(x, training: false) built in Swift saves the argument; Keras' numbers after reloading")
  func builtInSwift() throws {
    let fixture = try FunctionalFixture.load("frozen_base")
    let keras = try loadModel(FunctionalFixture.path("frozen_base.keras"))
    let base = Sequential {
      Dense(6)
      BatchNormalization()
    }
    try base.build([nil, 4])
    try base.setWeights(try keras.getLayer("base").getWeights())
    let input = Input(shape: [4], name: "features")
    let head = Dense(2, name: "head")
    let model = try Model(inputs: [input], outputs: [head(base(input, training: false))])
    try head.setWeights(try keras.getLayer("head").getWeights())
    let x = fixture.inputs[0].tensor
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("frozen-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    for format in ["keras", "h5"] {
      let path = directory.appendingPathComponent("frozen.\(format)").path
      try model.save(path)
      let reloaded = try loadModel(path)
      #expect(try recordsTrainingFalse(reloaded, layer: base.name), "\(format)")
      #expect(maxDifference(try reloaded([x], training: false)[0], fixture.outputs[0].tensor) < 1e-5, "\(format)")
      #expect(maxDifference(try reloaded([x], training: true)[0], try trainingOutput()) < 1e-5, "\(format)")
    }
  }
}
