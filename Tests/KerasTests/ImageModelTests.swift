import Foundation
import Testing

@testable import Keras

/// The small convnet of every image layer saved by Keras (make_conv2d_fixtures.py), with Keras'
/// predictions and summary.
private struct ConvnetFixture: Decodable {
  let input: LayerFixture.Array
  let output: LayerFixture.Array
  let summary: String

  static func path(_ file: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/images/\(file)").path
  }

  static func load() throws -> ConvnetFixture {
    try JSONDecoder().decode(ConvnetFixture.self, from: Data(contentsOf: URL(fileURLWithPath: path("convnet.json"))))
  }

  /// The model of make_conv2d_fixtures.py, built in Swift.
  static func model() -> Sequential {
    Sequential(name: "convnet") {
      Input(shape: [12, 10, 2])
      ZeroPadding2D(padding: 1, name: "zero_padding2d")
      Conv2D(4, kernelSize: 3, activation: .relu, name: "conv2d")
      MaxPooling2D(name: "max_pooling2d")
      DepthwiseConv2D(kernelSize: 3, padding: .same, depthMultiplier: 2, name: "depthwise_conv2d")
      SeparableConv2D(6, kernelSize: 2, activation: .relu, name: "separable_conv2d")
      UpSampling2D(size: 2, name: "up_sampling2d")
      Conv2D(4, kernelSize: 3, strides: 2, padding: .same, groups: 2, name: "conv2d_1")
      AveragePooling2D(poolSize: 2, padding: .same, name: "average_pooling2d")
      GlobalMaxPooling2D(keepDims: true, name: "global_max_pooling2d")
      Flatten(name: "flatten")
      Dense(3, activation: .softmax, name: "dense")
    }
  }
}

@Suite("Image models move between Keras and Swift")
struct ImageModelTests {
  @Test("a Keras 3 .keras file of every image layer, saved uncompiled, loads and predicts as Keras (1e-5)")
  func loadsKerasFile() throws {
    let fixture = try ConvnetFixture.load()
    let model = try loadModel(ConvnetFixture.path("convnet.keras"))
    let difference = maxDifference(try model.predict(fixture.input.tensor, verbose: 0), fixture.output.tensor)
    #expect(difference <= 1e-5, "predictions differ from Keras by \(difference)")
  }

  @Test("a Keras 3 .weights.h5 file loads into the same model built in Swift, which predicts as Keras (1e-5)")
  func loadsKerasWeights() throws {
    let fixture = try ConvnetFixture.load()
    let model = ConvnetFixture.model()
    try model.loadWeights(ConvnetFixture.path("convnet.weights.h5"))
    let difference = maxDifference(try model.predict(fixture.input.tensor, verbose: 0), fixture.output.tensor)
    #expect(difference <= 1e-5, "predictions differ from Keras by \(difference)")
  }

  @Test("tf_keras (Keras 2) files of the same model load: the whole-model .h5 and the legacy weights .h5")
  func loadsTFKerasFiles() throws {
    let fixture = try ConvnetFixture.load()
    let model = try loadModel(ConvnetFixture.path("convnet.tf_keras.h5"))
    let difference = maxDifference(try model.predict(fixture.input.tensor, verbose: 0), fixture.output.tensor)
    #expect(difference <= 1e-5, "whole-model .h5: predictions differ from Keras by \(difference)")
    let rebuilt = ConvnetFixture.model()
    try rebuilt.loadWeights(ConvnetFixture.path("convnet.tf_keras.weights.h5"))
    let weightsDifference = maxDifference(try rebuilt.predict(fixture.input.tensor, verbose: 0), fixture.output.tensor)
    #expect(weightsDifference <= 1e-5, "weights .h5: predictions differ from Keras by \(weightsDifference)")
  }

  @Test("summary() of the image model prints Keras' table line by line")
  func summary() throws {
    expectSameLines(ConvnetFixture.model().summaryText(lineLength: 88), try ConvnetFixture.load().summary)
  }

  @Test("the image model saved by Swift as .keras and .weights.h5 reloads with the same predictions")
  func roundTrip() throws {
    let fixture = try ConvnetFixture.load()
    let model = try loadModel(ConvnetFixture.path("convnet.keras"))
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("conv2d-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try model.save(directory.appendingPathComponent("convnet.keras").path)
    try model.saveWeights(directory.appendingPathComponent("convnet.weights.h5").path)
    let reloaded = try loadModel(directory.appendingPathComponent("convnet.keras").path)
    let rebuilt = ConvnetFixture.model()
    try rebuilt.loadWeights(directory.appendingPathComponent("convnet.weights.h5").path)
    let expected = try model.predict(fixture.input.tensor, verbose: 0)
    #expect(try reloaded.predict(fixture.input.tensor, verbose: 0).scalars == expected.scalars)
    #expect(try rebuilt.predict(fixture.input.tensor, verbose: 0).scalars == expected.scalars)
  }

  @Test("a batch of images predicts as its rows one by one (the batch is divided between threads)")
  func rowsIndependent() throws {
    let fixture = try ConvnetFixture.load()
    let model = try loadModel(ConvnetFixture.path("convnet.keras"))
    let x = try Tensor.concatenate(Array(repeating: fixture.input.tensor, count: 8), axis: 0)
    let whole = try model.predict(x, batchSize: 24, verbose: 0)
    for row in 0..<3 {
      let alone = try model.predict(x.slice(axis: 0, row..<(row + 1)), verbose: 0)
      #expect(maxDifference(try whole.slice(axis: 0, row..<(row + 1)), alone) <= 1e-6)
    }
  }

  @Test("the image model trains: twenty steps of fit lower the loss on its own batch")
  func trains() throws {
    let fixture = try ConvnetFixture.load()
    let model = ConvnetFixture.model()
    try model.loadWeights(ConvnetFixture.path("convnet.weights.h5"))
    try model.compile(optimizer: "adam", loss: "categorical_crossentropy")
    let y = try Tensor(shape: [3, 3], scalars: [1, 0, 0, 0, 1, 0, 0, 0, 1])
    let before = try model.evaluate(fixture.input.tensor, y, verbose: 0)["loss"]!
    try model.fit(fixture.input.tensor, y, batchSize: 3, epochs: 20, verbose: 0)
    let after = try model.evaluate(fixture.input.tensor, y, verbose: 0)["loss"]!
    #expect(after < before)
  }
}
