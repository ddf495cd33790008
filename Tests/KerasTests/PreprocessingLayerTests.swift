import Foundation
import Testing

@testable import Keras

/// A layer serialized as Keras writes it in a model config.
private func serialized(_ className: String, _ config: Any) throws -> ConfigValue {
  let data = try JSONSerialization.data(withJSONObject: ["class_name": className, "config": config])
  return try ConfigValue.parse(json: String(decoding: data, as: UTF8.self))
}

/// A Keras config from a fixture, comparable with a Swift layer's `config`.
private func jsonValue(_ object: Any) throws -> JSONValue {
  try JSONDecoder().decode(
    JSONValue.self, from: JSONSerialization.data(withJSONObject: object, options: .fragmentsAllowed))
}

@Suite("Normalization: adapt, call, config and files as Keras")
struct NormalizationPreprocessingTests {
  nonisolated(unsafe) static let fixture = try! PreprocessingFixture.load("normalization.json")
  static var caseNames: [String] { (fixture["cases"] as! [[String: Any]]).map { $0["name"] as! String } }

  @Test("Normalization adapts to Keras' mean and variance and normalizes as Keras", arguments: caseNames)
  func matchesKeras(name: String) throws {
    let record = (Self.fixture["cases"] as! [[String: Any]]).first { $0["name"] as! String == name }!
    let layer = try #require(try deserializeLayer(serialized("Normalization", record["config"]!)) as? Normalization)
    if let data = record["adapt"], !(data is NSNull) {
      try layer.adapt(PreprocessingFixture.tensor(data))
    }
    if let batches = record["batches"] as? [Any] {
      try layer.adapt(batches: batches.map(PreprocessingFixture.tensor))
    }
    let x = PreprocessingFixture.tensor(record["input"])
    let y = try layer(x)
    #expect(maxDifference(y, PreprocessingFixture.tensor(record["output"])) < 2e-5)
    let weights = record["weights"] as! [[String: Any]]
    #expect(layer.weights.map(\.name) == weights.map { ($0["name"] as! String).components(separatedBy: "/").last! })
    for (variable, expected) in zip(layer.weights, weights) {
      let value = PreprocessingFixture.tensor(expected)
      let scale = value.scalars.map(abs).max() ?? 1
      #expect(maxDifference(variable.value, value) <= 2e-6 * Swift.max(scale, 1), "\(variable.name)")
    }
    #expect(JSONValue.from(layer.config) == (try jsonValue(record["config"]!)))
  }

  @Test("Normalization() in Swift is Keras' default layer, and adapt over a dataset equals adapt over its batches")
  func swiftConstruction() throws {
    let data = try Tensor(shape: [10, 2], scalars: (0..<20).map { Float($0 * $0 % 7) })
    let whole = Normalization()
    try whole.adapt(data)
    let dataset = try timeseriesDatasetFromArray(data: data, targets: nil, sequenceLength: 1, batchSize: 4)
    #expect(dataset.batchCount == 3)
    let batched = Normalization()
    try batched.adapt(batches: (0..<3).map { try dataset.batch(at: $0).inputs[0].reshaped(to: [-1, 2]) })
    #expect(maxDifference(whole.adaptMean!.value, batched.adaptMean!.value) < 1e-5)
    #expect(maxDifference(whole.adaptVariance!.value, batched.adaptVariance!.value) < 1e-5)
    #expect(whole.layerConfig.map(\.0) == ["axis", "invert", "mean", "variance"])
    // Given statistics: (x - 1) / 2 and back.
    let given = Normalization(mean: Tensor(1), variance: Tensor(4))
    #expect(try given(Tensor([[3, 5]])) == Tensor([[1, 2]]))
    let inverse = Normalization(mean: Tensor(1), variance: Tensor(4), invert: true)
    #expect(try inverse(Tensor([[1, 2]])) == Tensor([[3, 5]]))
  }

  @Test("Normalization refuses bad statistics and shapes, naming the layer")
  func errors() throws {
    #expect(throws: KerasError.self) { try Normalization(mean: Tensor([1, 2]), name: "n")(Tensor([[1, 2]])) }
    #expect(throws: KerasError.self) { try Normalization(axis: 3)(Tensor([[1, 2]])) }
    let layer = Normalization()
    try layer.adapt(Tensor([[1, 2], [3, 4]]))
    #expect(throws: KerasError.self) { try layer.adapt(Tensor([[1, 2, 3]])) }
    #expect(throws: KerasError.self) { try Normalization(mean: Tensor(0), variance: Tensor(1)).adapt(Tensor([[1]])) }
  }

  @Test(
    "A Normalization model saved by Keras loads from .keras and .h5 and predicts as Keras", arguments: ["keras", "h5"])
  func loadsKerasFiles(ext: String) throws {
    let record = Self.fixture["model"] as! [String: Any]
    let model = try loadModel(PreprocessingFixture.path("normalization.\(ext)"))
    let x = PreprocessingFixture.tensor(record["input"])
    #expect(maxDifference(try model.predict(x, verbose: 0), PreprocessingFixture.tensor(record["output"])) < 1e-5)
    #expect(model.layers.contains { $0 is Normalization })
    // Saved again from Swift, the files reload with the same predictions.
    // (check_swift_preprocessing.py opens them in Keras.)
    let path = try TextVectorizationTests.checkDirectory().appendingPathComponent("normalization.\(ext)").path
    try model.save(path)
    #expect(
      maxDifference(try loadModel(path).predict(x, verbose: 0), PreprocessingFixture.tensor(record["output"])) < 1e-5)
  }
}

@Suite("TextVectorization: adapt, vocabulary, outputs, config and .keras files as Keras")
struct TextVectorizationTests {
  nonisolated(unsafe) static let fixture = try! PreprocessingFixture.load("text_vectorization.json")
  static var caseNames: [String] { (fixture["cases"] as! [[String: Any]]).map { $0["name"] as! String } }
  static var corpus: [String] { fixture["corpus"] as! [String] }
  static var queries: [String] { fixture["queries"] as! [String] }

  @Test("TextVectorization learns Keras' vocabulary and gives Keras' outputs", arguments: caseNames)
  func matchesKeras(name: String) throws {
    let record = (Self.fixture["cases"] as! [[String: Any]]).first { $0["name"] as! String == name }!
    let layer = try #require(
      try deserializeLayer(serialized("TextVectorization", record["config"]!)) as? TextVectorization)
    if layer.givenVocabulary == nil { try layer.adapt(Self.corpus) }
    #expect(layer.getVocabulary() == record["vocabulary"] as! [String])
    #expect(layer.vocabularySize == (record["vocabulary"] as! [String]).count)
    let expected = PreprocessingFixture.tensor(record["output"])
    let output = try layer(Self.queries)
    #expect(output.shape == expected.shape)
    #expect(maxDifference(output, expected) < 1e-5)
    if let idf = record["idf_weights"] as? [NSNumber] {
      #expect(maxDifference(Tensor(layer.idfWeights!), Tensor(idf.map(\.floatValue))) < 1e-6)
    }
    #expect(JSONValue.from(layer.config) == (try jsonValue(record["config"]!)))
  }

  @Test("TextVectorization built in Swift: tokens, ids, vocabulary order and errors")
  func swiftConstruction() throws {
    let layer = try TextVectorization(outputSequenceLength: 4)
    try layer.adapt(["b a", "a c", "c b a"])
    // Counts a:3, b:2, c:2; the tie goes to the larger token, as Keras' reversed lexsort.
    #expect(layer.getVocabulary() == ["", "[UNK]", "a", "c", "b"])
    #expect(layer.getVocabulary(includeSpecialTokens: false) == ["a", "c", "b"])
    #expect(layer.tokenize("  Hello,\tWORLD!  ") == ["hello", "world"])
    #expect(try layer.ids(["a b z", ""]) == IntTensor([[2, 4, 1, 0], [0, 0, 0, 0]]))
    #expect(throws: KerasError.self) { try TextVectorization(outputMode: .count, outputSequenceLength: 3) }
    #expect(throws: KerasError.self) { try TextVectorization(vocabulary: ["a", "a"]) }
    #expect(throws: KerasError.self) { try TextVectorization(maxTokens: 3, vocabulary: ["a", "b"]) }
    #expect(throws: KerasError.self) { try TextVectorization(vocabulary: ["a"]).adapt(["b"]) }
    #expect(throws: KerasError.self) { try TextVectorization(outputMode: .multiHot)(["a"]) }
    #expect(throws: KerasError.self) { try layer(Tensor([[1]])) }
  }

  nonisolated(unsafe) static let modelRecord = fixture["model"] as! [String: Any]

  @Test("A string-input model saved by Keras loads with its TextVectorization and predicts as Keras")
  func loadsKerasTextModel() throws {
    let model = try loadModel(PreprocessingFixture.path("text_model.keras"))
    let vectorizer = try #require(model.textVectorization)
    #expect(vectorizer.name == "vectorizer")
    #expect(vectorizer.vocabularySize == 20)
    #expect(try vectorizer(Self.queries) == PreprocessingFixture.tensor(Self.modelRecord["ids"]))
    let expected = PreprocessingFixture.tensor(Self.modelRecord["output"])
    #expect(maxDifference(try model.predict(texts: Self.queries, verbose: 0), expected) < 1e-5)
  }

  @Test(
    "A string-input Sequential saved by Keras loads, predicts as Keras, and saves back as a string-input Sequential")
  func loadsKerasTextSequential() throws {
    let model = try loadModel(PreprocessingFixture.path("text_model_sequential.keras"))
    #expect(model is Sequential)
    #expect(model.textVectorization?.name == "seq_vectorizer")
    let record = Self.fixture["sequential_model"] as! [String: Any]
    let expected = PreprocessingFixture.tensor(record["output"])
    #expect(maxDifference(try model.predict(texts: Self.queries, verbose: 0), expected) < 1e-5)
    let path = try Self.checkDirectory().appendingPathComponent("text_sequential.keras").path
    try model.save(path)
    let config = try ConfigValue.parse(
      json: String(decoding: try KerasArchive(path: path).data(KerasArchive.configEntry), as: UTF8.self))
    guard case .array(let entries)? = config["config"]?["layers"] else { Issue.record("no layers"); return }
    #expect(entries.prefix(2).compactMap { $0["class_name"]?.stringValue } == ["InputLayer", "TextVectorization"])
    #expect(entries[0]["config"]?["name"] == "words")
    #expect(maxDifference(try loadModel(path).predict(texts: Self.queries, verbose: 0), expected) < 1e-5)
    try writeCheckRecord("text_sequential", texts: Self.queries, predictions: expected)
  }

  @Test("A loaded text model saved from Swift keeps Keras' layout: config, both vocabulary assets, same predictions")
  func savesKerasTextModel() throws {
    let model = try loadModel(PreprocessingFixture.path("text_model.keras"))
    let path = try Self.checkDirectory().appendingPathComponent("text_model.keras").path
    try model.save(path)
    let archive = try KerasArchive(path: path)
    let original = try KerasArchive(path: PreprocessingFixture.path("text_model.keras"))
    for entry in TextModelArchive.vocabularyEntries {
      #expect(try archive.data(entry) == original.data(entry), "\(entry)")
    }
    let config = try ConfigValue.parse(
      json: String(decoding: try archive.data(KerasArchive.configEntry), as: UTF8.self))
    let layers = try #require(config["config"]?["layers"])
    guard case .array(let entries) = layers else { Issue.record("no layers"); return }
    #expect(entries.prefix(2).compactMap { $0["class_name"]?.stringValue } == ["InputLayer", "TextVectorization"])
    #expect(entries[0]["config"]?["dtype"] == "string")
    #expect(config["config"]?["input_layers"] == .array(["text", 0, 0]))
    let again = try loadModel(path)
    let expected = PreprocessingFixture.tensor(Self.modelRecord["output"])
    #expect(maxDifference(try again.predict(texts: Self.queries, verbose: 0), expected) < 1e-5)
    try writeCheckRecord(
      "text_model", texts: Self.queries, predictions: try again.predict(texts: Self.queries, verbose: 0))
  }

  @Test("A text model built in Swift saves as a string-input Keras model and reloads the same")
  func savesSwiftTextModel() throws {
    let vectorizer = try TextVectorization(maxTokens: 30, outputSequenceLength: 5, name: "vectorize")
    try vectorizer.adapt(Self.corpus)
    let ids = Input(shape: [5], name: "ids", dtype: "int64")
    let pooled = GlobalAveragePooling1D()(Embedding(30, 3)(ids))
    let model = try Model(inputs: ids, outputs: Dense(1, activation: .sigmoid)(pooled), name: "swift_text")
    model.textVectorization = vectorizer
    let predictions = try model.predict(texts: Self.queries, verbose: 0)
    let path = try Self.checkDirectory().appendingPathComponent("swift_text.keras").path
    try model.save(path)
    let again = try loadModel(path)
    #expect(again.textVectorization?.getVocabulary() == vectorizer.getVocabulary())
    #expect(maxDifference(try again.predict(texts: Self.queries, verbose: 0), predictions) < 1e-6)
    #expect(throws: SavingError.self) { try model.save(path.replacingOccurrences(of: ".keras", with: ".h5")) }
    try writeCheckRecord("swift_text", texts: Self.queries, predictions: predictions)
  }

  /// Where check_swift_preprocessing.py looks: $SWIFTKERAS_PREPROCESSING_CHECK_DIR or a temporary directory.
  static func checkDirectory() throws -> URL {
    let directory = URL(
      fileURLWithPath: ProcessInfo.processInfo.environment["SWIFTKERAS_PREPROCESSING_CHECK_DIR"]
        ?? FileManager.default.temporaryDirectory.appendingPathComponent("swiftkeras-preprocessing-check").path)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
  }

  private func writeCheckRecord(_ name: String, texts: [String], predictions: Tensor) throws {
    let record: [String: Any] = [
      "texts": texts, "predictions": ["shape": predictions.shape, "values": predictions.scalars.map(Double.init)],
    ]
    try JSONSerialization.data(withJSONObject: record).write(
      to: try Self.checkDirectory().appendingPathComponent("\(name).json"))
  }
}
