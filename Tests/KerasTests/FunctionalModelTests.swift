import Foundation
import Testing

@testable import Keras

/// Golden values of a Functional model written by `Fixtures/make_functional_fixtures.py` with Keras 3.
struct FunctionalFixture: Decodable {
  struct Array: Decodable {
    let shape: [Int]
    let values: [Double]
    var tensor: Tensor { try! Tensor(shape: shape, scalars: values.map { Float($0) }) }
  }
  let inputs: [Array]
  let outputs: [Array]
  let layers: [String]?
  let summary88: String?
  let summary76: String?

  static func path(_ file: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/functional/\(file)").path
  }

  static func load(_ name: String) throws -> FunctionalFixture {
    try JSONDecoder().decode(FunctionalFixture.self, from: Data(contentsOf: URL(fileURLWithPath: path("\(name).json"))))
  }
}


/// The two-input, two-output model of the fixtures, written as a Keras user writes it.
func twoBranchModel() throws -> Model {
  let seq = Input(shape: [5, 3], name: "seq")
  let meta = Input(shape: [4], name: "meta")
  let encoded = LSTM(6, name: "lstm")(seq)
  let dense = Dense(6, activation: .relu, name: "dense")(meta)
  let joined = Concatenate(name: "concatenate")([encoded, dense])
  let out = Dense(1, activation: .sigmoid, name: "out")(joined)
  let aux = Dense(3, activation: .softmax, name: "aux")(dense)
  return try Model(inputs: [seq, meta], outputs: [out, aux], name: "two_branch")
}

@Suite("Functional models")
struct FunctionalModelTests {
  @Test("A two-input, two-output model built in Swift predicts as Keras from Keras' weights")
  func twoBranchForward() throws {
    let fixture = try FunctionalFixture.load("two_branch")
    let model = try twoBranchModel()
    #expect(model.layers.map(\.name) == fixture.layers)
    try model.loadWeights(FunctionalFixture.path("two_branch.weights.h5"))
    let outputs = try model.predict(fixture.inputs.map(\.tensor), verbose: 0)
    #expect(outputs.count == 2)
    for (output, expected) in zip(outputs, fixture.outputs) {
      #expect(maxDifference(output, expected.tensor) < 1e-5)
    }
  }

  @Test("Functional files saved by Keras 3 (.keras, .h5) and tf.keras 2 (.h5) load and predict as Keras", arguments: [
    ("two_branch", "two_branch.keras"), ("two_branch", "two_branch.h5"), ("seq2seq", "seq2seq.keras"),
    ("seq2seq", "seq2seq.h5"), ("merges", "merges.keras"), ("merges", "merges.h5"),
    ("two_branch_tf_keras", "two_branch_tf_keras.h5"),
  ])
  func loadsKerasFiles(fixtureName: String, file: String) throws {
    let fixture = try FunctionalFixture.load(fixtureName)
    let model = try loadModel(FunctionalFixture.path(file))
    if let layers = fixture.layers { #expect(model.layers.map(\.name) == layers) }
    let outputs = try model.predict(fixture.inputs.map(\.tensor), verbose: 0)
    #expect(outputs.count == fixture.outputs.count)
    for (output, expected) in zip(outputs, fixture.outputs) {
      #expect(maxDifference(output, expected.tensor) < 1e-5, "\(file): \(output.shape)")
    }
  }

  @Test("A Functional model saved by SwiftKeras reloads with the same predictions", arguments: ["keras", "h5", "weights.h5"])
  func roundTrip(format: String) throws {
    let fixture = try FunctionalFixture.load("merges")
    let original = try loadModel(FunctionalFixture.path("merges.keras"))
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("functional-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("model.\(format)").path
    let reloaded: Model
    if format == "weights.h5" {
      try original.saveWeights(path)
      reloaded = try loadModel(FunctionalFixture.path("merges.keras"))
      for weight in reloaded.weights { weight.value = Tensor.zeros(weight.shape) }
      try reloaded.loadWeights(path)
    } else {
      try original.save(path)
      reloaded = try loadModel(path)
    }
    #expect(reloaded.layers.map(\.name) == original.layers.map(\.name))
    let inputs = fixture.inputs.map(\.tensor)
    for (a, b) in zip(try original.predict(inputs, verbose: 0), try reloaded.predict(inputs, verbose: 0)) {
      #expect(maxDifference(a, b) == 0)
    }
  }

  @Test("The summary of a Functional model is Keras' table, Connected to column included, at 88 and 76 columns")
  func summaries() throws {
    for name in ["two_branch", "seq2seq", "merges"] {
      let fixture = try FunctionalFixture.load(name)
      let model = try loadModel(FunctionalFixture.path("\(name).keras"))
      #expect(model.summaryText(lineLength: 88) == fixture.summary88, "\(name) at 88")
      #expect(model.summaryText(lineLength: 76) == fixture.summary76, "\(name) at 76")
    }
  }

  @Test("A layer called twice shares one set of weights")
  func sharedLayer() throws {
    let a = Input(shape: [3])
    let b = Input(shape: [3])
    let shared = Dense(2)
    let model = try Model(inputs: [a, b], outputs: Add()([shared(a), shared(b)]))
    #expect(model.weights.count == 2)
    #expect(model.countParams() == 8)
    let x = try Tensor(shape: [1, 3], scalars: [1, 2, 3])
    let y = try Tensor(shape: [1, 3], scalars: [-1, 0, 4])
    let expected = try shared(x) + shared(y)
    #expect(maxDifference(try model([x, y])[0], expected) < 1e-6)
  }

  @Test("A wrong shape throws when the model is made, naming the layer and both shapes")
  func shapeErrorAtGraphTime() throws {
    let a = Input(shape: [3])
    let b = Input(shape: [4])
    let added = Add(name: "joiner")([a, b])
    #expect(added.graphError != nil)
    do {
      _ = try Model(inputs: [a, b], outputs: Dense(1)(added))
      Issue.record("expected an error")
    } catch {
      let text = "\(error)"
      #expect(text.contains("joiner") && text.contains("(None, 3)") && text.contains("(None, 4)"))
    }
  }

  @Test("An output that needs an input missing from `inputs:` is a disconnected graph")
  func disconnected() throws {
    let a = Input(shape: [3], name: "first")
    let b = Input(shape: [3], name: "second")
    let sum = Add()([a, b])
    #expect(throws: KerasError.self) { try Model(inputs: [a], outputs: sum) }
    do {
      _ = try Model(inputs: [a], outputs: sum)
    } catch {
      #expect("\(error)".contains("second"))
    }
  }

  @Test("An intermediate output makes a feature extractor that shares the layers")
  func featureExtractor() throws {
    let model = try twoBranchModel()
    try model.loadWeights(FunctionalFixture.path("two_branch.weights.h5"))
    let extractor = try Model(inputs: model.inputs, outputs: try model.getLayer("dense").output)
    let fixture = try FunctionalFixture.load("two_branch")
    let meta = fixture.inputs[1].tensor
    let features = try extractor(fixture.inputs.map(\.tensor))[0]
    #expect(maxDifference(features, try model.getLayer("dense")(meta)) == 0)
  }

  @Test("A Sequential and a Functional model nest inside another model")
  func nesting() throws {
    let inner = Sequential {
      Input(shape: [4])
      Dense(3, activation: .relu)
    }
    let input = Input(shape: [4])
    let outer = try Model(inputs: input, outputs: Dense(1)(inner(input)))
    let x = try Tensor(shape: [2, 4], scalars: [1, 2, 3, 4, -1, -2, -3, -4])
    let viaLayers = try outer.getLayer(index: 2)(inner(x))
    #expect(maxDifference(try outer(x), viaLayers) == 0)
    #expect(outer.weights.count == 4)

    let functionalInput = Input(shape: [4])
    let functionalInner = try Model(inputs: functionalInput, outputs: Dense(2)(functionalInput))
    let wrapperInput = Input(shape: [4])
    let wrapper = try Model(inputs: wrapperInput, outputs: functionalInner(wrapperInput))
    #expect(maxDifference(try wrapper(x), try functionalInner(x)) == 0)
  }
}

@Suite("Functional files for Python Keras")
struct FunctionalFilesForKerasTests {
  /// Writes, for `Fixtures/check_swift_functional.py` (run by hand with Keras), each Functional
  /// fixture model saved by SwiftKeras as `.keras` and `.h5`, plus a two-output model built,
  /// compiled and trained in Swift, with SwiftKeras' predictions on the fixture inputs.
  @Test("writes Functional files for check_swift_functional.py, which reload here with the same predictions")
  func writeFilesForKeras() throws {
    let directory =
      ProcessInfo.processInfo.environment["SWIFTKERAS_FUNCTIONAL_CHECK_DIR"]
      ?? FileManager.default.temporaryDirectory.appendingPathComponent("swiftkeras-functional-check").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var models: [(String, Model, FunctionalFixture)] = []
    for name in ["two_branch", "seq2seq", "merges"] {
      models.append((name, try loadModel(FunctionalFixture.path("\(name).keras")), try FunctionalFixture.load(name)))
    }
    let trained = try twoBranchModel()
    try trained.compile(
      optimizer: "adam", loss: ["out": "binary_crossentropy", "aux": "sparse_categorical_crossentropy"],
      lossWeights: ["out": 1, "aux": 0.5], metrics: ["out": ["accuracy"], "aux": ["accuracy"]])
    let fixture = try FunctionalFixture.load("two_branch")
    let labels = [Tensor.zeros([4, 1]), Tensor.ones([4, 1])]
    try trained.fit(fixture.inputs.map(\.tensor), labels, batchSize: 2, epochs: 1, verbose: 0)
    models.append(("swift_two_branch", trained, fixture))
    for (name, model, fixture) in models {
      let inputs = fixture.inputs.map(\.tensor)
      let outputs = try model.predict(inputs, verbose: 0)
      for format in ["keras", "h5"] {
        let path = "\(directory)/\(name).\(format)"
        try model.save(path)
        let reloaded = try loadModel(path)
        for (a, b) in zip(outputs, try reloaded.predict(inputs, verbose: 0)) { #expect(maxDifference(a, b) == 0, "\(path)") }
      }
      let record: [String: Any] = [
        "inputs": inputs.map { ["shape": $0.shape, "values": $0.scalars.map(Double.init)] },
        "outputs": outputs.map { ["shape": $0.shape, "values": $0.scalars.map(Double.init)] },
      ]
      try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: "\(directory)/\(name).json"))
    }
  }
}

/// The custom layer of `Fixtures/make_custom_layer_fixtures.py`: its input times `factor`.
final class Scale: Layer, @unchecked Sendable {
  let factor: Float
  init(factor: Float, name: String? = nil) {
    self.factor = factor
    super.init(name: name)
  }
  override class var className: String { "Scale" }
  override func call(_ input: Tensor, training: Bool) throws -> Tensor { input * factor }
  override var layerConfig: [(String, ConfigValue)] { [("factor", .double(Double(factor)))] }
}

@Suite("Custom layers registered by name", .serialized)
struct LayerRegistryTests {
  @Test("A file with a custom layer Keras registered loads once the class is registered, and saves back under its registered name")
  func customLayerLoads() throws {
    let path = FunctionalFixture.path("custom_scale.keras")
    #expect(throws: KerasError.self) { try loadModel(path) }
    LayerRegistry.register("Scale", package: "my_package") { config in
      Scale(factor: Float(config["factor"]?.doubleValue ?? 1), name: config["name"]?.stringValue)
    }
    defer { LayerRegistry.unregister("Scale") }
    let fixture = try FunctionalFixture.load("custom_scale")
    let model = try loadModel(path)
    let output = try model.predict(fixture.inputs[0].tensor, verbose: 0)
    #expect(maxDifference(output, fixture.outputs[0].tensor) < 1e-5)
    #expect(model.serializedConfig.json.contains(#""registered_name": "my_package>Scale""#))

    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("custom-\(UUID().uuidString).keras").path
    defer { try? FileManager.default.removeItem(atPath: copy) }
    try model.save(copy)
    #expect(maxDifference(try loadModel(copy).predict(fixture.inputs[0].tensor, verbose: 0), output) == 0)
  }
}

@Suite("Functional inference on several threads")
struct FunctionalParallelInferenceTests {
  @Test("A batch divided between the threads predicts as each row alone, for every output")
  func rowsAlone() throws {
    let model = try loadModel(FunctionalFixture.path("two_branch.keras"))
    setRandomSeed(11)
    let seq = Tensor.randomNormal([37, 5, 3])
    let meta = Tensor.randomNormal([37, 4])
    let batch = try model([seq, meta])
    for row in [0, 18, 36] {
      let alone = try model([try seq.slice(axis: 0, row..<(row + 1)), try meta.slice(axis: 0, row..<(row + 1))])
      for (whole, single) in zip(batch, alone) {
        #expect(maxDifference(try whole.slice(axis: 0, row..<(row + 1)), single) < 1e-6)
      }
    }
  }

  @Test("A loaded model predicts from several threads at once, each as it would alone")
  func concurrentPredict() throws {
    let model = try loadModel(FunctionalFixture.path("merges.keras"))
    let fixture = try FunctionalFixture.load("merges")
    let inputs = fixture.inputs.map(\.tensor)
    let expected = try model.predict(inputs, verbose: 0)
    let results = ConcurrentResults(count: 8)
    DispatchQueue.concurrentPerform(iterations: 8) { i in
      results.set(i, Result { try model.predict(inputs, verbose: 0) })
    }
    for outcome in results.values {
      let outputs = try outcome.get()
      for (a, b) in zip(outputs, expected) { #expect(maxDifference(a, b) == 0) }
    }
  }
}

/// Results written by concurrent threads, one slot each.
private final class ConcurrentResults: @unchecked Sendable {
  private var slots: [Result<[Tensor], any Error>?]
  private let lock = NSLock()
  init(count: Int) { slots = Array(repeating: nil, count: count) }
  func set(_ i: Int, _ value: Result<[Tensor], any Error>) { lock.withLock { slots[i] = value } }
  var values: [Result<[Tensor], any Error>] { lock.withLock { slots.map { $0! } } }
}

@Suite("Inputs of any length")
struct VariableLengthInputTests {
  private struct Cases: Decodable { let cases: [FunctionalFixture] }

  @Test("Keras' seq2seq shape, Input(shape=(None, F)), loads from .keras and .h5 and predicts sequences of two lengths as Keras", arguments: ["keras", "h5"])
  func loadsAndPredicts(format: String) throws {
    let model = try loadModel(FunctionalFixture.path("variable_length.\(format)"))
    #expect(model.inputs.map(\.shape) == [[nil, nil, 4], [nil, nil, 3]])
    let data = try Data(contentsOf: URL(fileURLWithPath: FunctionalFixture.path("variable_length.json")))
    for fixture in try JSONDecoder().decode(Cases.self, from: data).cases {
      let output = try model.predict(fixture.inputs.map(\.tensor), verbose: 0)
      #expect(maxDifference(output[0], fixture.outputs[0].tensor) < 1e-5)
    }
  }

  @Test("Input(shape: [nil, 13]) builds a graph whose time axis is free, and saves it as Keras writes it")
  func swiftInputOfAnyLength() throws {
    let input = Input(shape: [nil, 3])
    let model = try Model(inputs: input, outputs: Dense(2)(LSTM(4, returnSequences: true)(input)))
    #expect(model.outputs[0].shape == [nil, nil, 2])
    #expect(try model(Tensor.zeros([1, 7, 3])).shape == [1, 7, 2])
    #expect(try model(Tensor.zeros([2, 3, 3])).shape == [2, 3, 2])
    #expect(model.serializedConfig.json.contains(#""batch_shape": [null, null, 3]"#))
  }
}
