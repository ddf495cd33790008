import Foundation
import Testing

@testable import Keras

/// The training record of `Fixtures/make_functional_fixtures.py`: Keras 3 fitting the
/// two-output model from fixed initial weights.
private struct TwoOutputTrainingFixture: Decodable {
  let x_seq: [Double]
  let x_meta: [Double]
  let y_out: [Double]
  let y_aux: [Double]
  let history: [String: [Double]]
  let evaluate: [String: Double]

  static func load() throws -> TwoOutputTrainingFixture {
    try JSONDecoder().decode(
      TwoOutputTrainingFixture.self,
      from: Data(contentsOf: URL(fileURLWithPath: FunctionalFixture.path("two_branch_training.json"))))
  }

  var xSeq: Tensor { try! Tensor(shape: [24, 5, 3], scalars: x_seq.map { Float($0) }) }
  var xMeta: Tensor { try! Tensor(shape: [24, 4], scalars: x_meta.map { Float($0) }) }
  var yOut: Tensor { try! Tensor(shape: [24, 1], scalars: y_out.map { Float($0) }) }
  var yAux: Tensor { try! Tensor(shape: [24, 1], scalars: y_aux.map { Float($0) }) }
}

/// Whether `a` is within `tolerance` of `b`, relative to `b` (absolute near zero).
private func close(_ a: Float, _ b: Double, _ tolerance: Double = 1e-4) -> Bool {
  abs(Double(a) - b) <= tolerance * max(1, abs(b))
}

@Suite("Training Functional models with several inputs and outputs")
struct FunctionalTrainingTests {
  func compiledModel() throws -> Model {
    let model = try twoBranchModel()
    try model.loadWeights(FunctionalFixture.path("two_branch_initial.weights.h5"))
    try model.compile(
      optimizer: Adam(learningRate: 0.01),
      loss: ["out": "binary_crossentropy", "aux": "sparse_categorical_crossentropy"],
      lossWeights: ["out": 1, "aux": 0.5], metrics: ["out": ["accuracy"], "aux": ["accuracy"]])
    return model
  }

  @Test("Three epochs with per-output losses, loss weights and metrics follow Keras' history, key for key")
  func trajectory() throws {
    let fixture = try TwoOutputTrainingFixture.load()
    let model = try compiledModel()
    let history = try model.fit(
      ["seq": fixture.xSeq, "meta": fixture.xMeta], ["out": fixture.yOut, "aux": fixture.yAux], batchSize: 8, epochs: 3,
      verbose: 0, validationSplit: 0.25, shuffle: false)
    #expect(Set(history.history.keys) == Set(fixture.history.keys))
    for (key, expected) in fixture.history {
      let values = history.history[key] ?? []
      #expect(values.count == expected.count)
      for (value, reference) in zip(values, expected) {
        #expect(close(value, reference), "\(key): \(value) vs Keras \(reference)")
      }
    }
    let scores = try model.evaluate([fixture.xSeq, fixture.xMeta], [fixture.yOut, fixture.yAux], batchSize: 8, verbose: 0)
    #expect(scores.names.first == "loss")
    #expect(Set(scores.names) == Set(fixture.evaluate.keys))
    for (key, reference) in fixture.evaluate {
      #expect(close(scores[key] ?? .nan, reference), "evaluate \(key)")
    }
  }

  @Test("Arrays in input and output order train exactly as dictionaries by name")
  func arraysEqualDictionaries() throws {
    let fixture = try TwoOutputTrainingFixture.load()
    let byName = try compiledModel()
    try byName.fit(
      ["meta": fixture.xMeta, "seq": fixture.xSeq], ["aux": fixture.yAux, "out": fixture.yOut], batchSize: 8, epochs: 1,
      verbose: 0, shuffle: false)
    let byOrder = try compiledModel()
    try byOrder.fit([fixture.xSeq, fixture.xMeta], [fixture.yOut, fixture.yAux], batchSize: 8, epochs: 1, verbose: 0, shuffle: false)
    for (a, b) in zip(byName.weights, byOrder.weights) { #expect(a.value.scalars == b.value.scalars) }
  }

  @Test("A wrong number of arrays or an unknown name is refused before training, naming the inputs or outputs")
  func wrongArrays() throws {
    let fixture = try TwoOutputTrainingFixture.load()
    let model = try compiledModel()
    let before = model.getWeights()
    do {
      try model.fit([fixture.xSeq], [fixture.yOut, fixture.yAux], verbose: 0)
      Issue.record("expected an error")
    } catch {
      #expect("\(error)".contains("seq, meta"))
    }
    do {
      try model.fit(["sequence": fixture.xSeq, "meta": fixture.xMeta], ["out": fixture.yOut, "aux": fixture.yAux], verbose: 0)
      Issue.record("expected an error")
    } catch {
      #expect("\(error)".contains("'sequence' is not an input"))
    }
    #expect(throws: KerasError.self) {
      try model.compile(optimizer: "adam", loss: ["out": "mse", "extra": "mse"])
    }
    for (a, b) in zip(model.getWeights(), before) { #expect(a.scalars == b.scalars) }
  }

  @Test("A feature count that does not fit the model names the user's whole array")
  func featureMismatchNamesUserShape() throws {
    let model = Sequential {
      LSTM(4, inputShape: [32, 4])
      Dense(1)
    }
    try model.compile(optimizer: "adam", loss: "mse")
    do {
      try model.fit(Tensor.zeros([100, 32, 5]), Tensor.zeros([100, 1]), verbose: 0)
      Issue.record("expected an error")
    } catch {
      #expect("\(error)".contains("(100, 32, 5)"), "\(error)")
      #expect("\(error)".contains("(None, 32, 4)"), "\(error)")
    }
  }

  @Test("predict of a model with several outputs returns one array per output, row for row as calling it")
  func predictSeveralOutputs() throws {
    let fixture = try TwoOutputTrainingFixture.load()
    let model = try compiledModel()
    let predictions = try model.predict([fixture.xSeq, fixture.xMeta], batchSize: 5, verbose: 0)
    #expect(predictions.map(\.shape) == [[24, 1], [24, 3]])
    let direct = try model([fixture.xSeq, fixture.xMeta])
    for (a, b) in zip(predictions, direct) { #expect(maxDifference(a, b) < 1e-6) }
  }
}

/// A model written by subclassing `Model`: layers made in `init`, the forward pass in `call`.
private final class TwoLayerNet: Model, @unchecked Sendable {
  let hidden = Dense(8, activation: .relu)
  let head = Dense(1)

  override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    try head(hidden(input, training: training), training: training)
  }
}

@Suite("Subclassed models")
struct SubclassedModelTests {
  @Test("A subclass of Model finds its layers, trains with compile/fit and round-trips .weights.h5")
  func subclassTrainsAndSaves() throws {
    setRandomSeed(3)
    let x = Tensor.randomNormal([64, 4])
    let y = try x.sum(axes: [1], keepDims: true)
    let model = TwoLayerNet()
    try model.compile(optimizer: Adam(learningRate: 0.01), loss: "mse")
    let history = try model.fit(x, y, batchSize: 16, epochs: 30, verbose: 0)
    #expect(model.layers.count == 2)
    #expect(model.weights.count == 4)
    let losses = try #require(history.history["loss"])
    #expect(losses.last! < losses.first! / 4)

    let path = FileManager.default.temporaryDirectory.appendingPathComponent("subclass-\(UUID().uuidString).weights.h5").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.saveWeights(path)
    let copy = TwoLayerNet()
    _ = try copy(x)  // builds the layers
    try copy.loadWeights(path)
    #expect(maxDifference(try copy.predict(x, verbose: 0), try model.predict(x, verbose: 0)) == 0)
  }
}
