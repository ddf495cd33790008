import Foundation
import Testing

@testable import Keras

/// Golden values of the token-id models written by `Fixtures/make_int_input_fixtures.py` with
/// Keras 3 and tf.keras 2.
struct IntegerInputFixture: Decodable {
  struct Training: Decodable {
    let ids: FunctionalFixture.Array
    let labels: FunctionalFixture.Array
    let loss: [Double]
    let predictions: FunctionalFixture.Array
  }
  let ids: FunctionalFixture.Array
  /// Keras' predictions for ``ids``, by file name.
  let predictions: [String: FunctionalFixture.Array]
  let training: Training

  static func load() throws -> IntegerInputFixture {
    try JSONDecoder().decode(
      IntegerInputFixture.self,
      from: Data(contentsOf: URL(fileURLWithPath: FunctionalFixture.path("int_embedding.json"))))
  }
}

extension FunctionalFixture.Array {
  /// The values as integers (token ids).
  var ints: IntTensor { try! IntTensor(shape: shape, scalars: values.map { Int32($0) }) }
}

@Suite("Models whose input is integer token ids")
struct IntegerInputTests {
  @Test(
    "An Input(dtype: int32) -> Embedding model saved by Keras 3 and tf.keras 2 loads and predicts as Keras",
    arguments: [
      "int_embedding.keras", "int_embedding.h5", "int_embedding_tf_keras.h5", "int_embedding_sequential.keras",
      "int_embedding_sequential.h5", "int_embedding_sequential_tf_keras.h5",
    ])
  func loadsAndPredicts(file: String) throws {
    let fixture = try IntegerInputFixture.load()
    let expected = try #require(fixture.predictions[file]).tensor
    let model = try loadModel(FunctionalFixture.path(file))
    #expect(model.inputs.map(\.dtype) == ["int32"])
    #expect(maxDifference(try model.predict(fixture.ids.ints, verbose: 0), expected) < 1e-5)
    #expect(maxDifference(try model.predict(fixture.ids.tensor, verbose: 0), expected) < 1e-5)
  }

  @Test("A loaded token-id model trains as Keras on IntTensor ids and on integral floats alike")
  func trainsAsKeras() throws {
    let fixture = try IntegerInputFixture.load().training
    var histories: [History] = []
    for useInts in [true, false] {
      let model = try loadModel(FunctionalFixture.path("int_embedding.keras"))
      try model.compile(optimizer: SGD(learningRate: 0.5), loss: "binary_crossentropy")
      let history =
        useInts
        ? try model.fit(fixture.ids.ints, fixture.labels.tensor, batchSize: 4, epochs: 2, verbose: 0, shuffle: false)
        : try model.fit(fixture.ids.tensor, fixture.labels.tensor, batchSize: 4, epochs: 2, verbose: 0, shuffle: false)
      let losses = try #require(history.history["loss"])
      #expect(losses.count == fixture.loss.count)
      for (loss, expected) in zip(losses, fixture.loss) {
        #expect(abs(Double(loss) - expected) <= 1e-4 * abs(expected), "loss \(loss) vs Keras \(expected)")
      }
      let ids = try IntegerInputFixture.load().ids.ints
      #expect(maxDifference(try model.predict(ids, verbose: 0), fixture.predictions.tensor) < 1e-5)
      histories.append(history)
    }
    #expect(histories[0].history["loss"] == histories[1].history["loss"])
  }

  @Test("evaluate takes IntTensor ids and gives the loss it gives for the same ids as floats")
  func evaluatesIDs() throws {
    let fixture = try IntegerInputFixture.load().training
    let model = try loadModel(FunctionalFixture.path("int_embedding.keras"))
    try model.compile(optimizer: "sgd", loss: "binary_crossentropy")
    let fromInts = try model.evaluate(fixture.ids.ints, fixture.labels.tensor, verbose: 0)
    let fromFloats = try model.evaluate(fixture.ids.tensor, fixture.labels.tensor, verbose: 0)
    #expect(fromInts["loss"] != nil)
    #expect(fromInts["loss"] == fromFloats["loss"])
  }

  @Test(
    "A Sequential with an int32 Input keeps dtype and name in the files SwiftKeras writes", arguments: ["keras", "h5"])
  func sequentialKeepsDType(format: String) throws {
    let model = Sequential(name: "ids_model")
    try model.add(Input(shape: [6], name: "token_ids", dtype: "int32"))
    try model.add(Embedding(20, 4))
    try model.add(GlobalAveragePooling1D())
    try model.add(Dense(1, activation: .sigmoid))
    let ids = try IntegerInputFixture.load().ids.ints
    let before = try model.predict(ids, verbose: 0)

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ids-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("model.\(format)").path
    try model.save(path)

    // The config the file holds: config.json of a .keras archive, the model_config attribute of an .h5.
    let configText =
      format == "keras"
      ? String(decoding: try KerasArchive(path: path).data(KerasArchive.configEntry), as: UTF8.self)
      : model.legacyModelConfig.json
    let input = try #require(try sequentialInputLayerConfig(configText))
    #expect(input["dtype"] as? String == "int32")
    #expect(input["name"] as? String == "token_ids")
    let batchShape = try #require(input["batch_shape"] as? [Any])
    #expect(batchShape.count == 2 && batchShape[0] is NSNull && batchShape[1] as? Int == 6)

    let loaded = try loadModel(path)
    #expect(loaded.inputs.map(\.dtype) == ["int32"])
    #expect(loaded.inputs.map(\.layer.name) == ["token_ids"])
    #expect(try loaded.predict(ids, verbose: 0) == before)
  }

  /// The `config` of the `InputLayer` a Sequential's config lists first.
  private func sequentialInputLayerConfig(_ json: String) throws -> [String: Any]? {
    let data = Data(json.utf8)
    let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    let body = object?["config"] as? [String: Any]
    let first = (body?["layers"] as? [[String: Any]])?.first
    guard first?["class_name"] as? String == "InputLayer" else { return nil }
    return first?["config"] as? [String: Any]
  }
}
