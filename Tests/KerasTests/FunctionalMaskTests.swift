import Foundation
import Testing

@testable import Keras

/// Gradients of a Functional model written by `Fixtures/make_functional_mask_fixtures.py` with
/// Keras 3 and `tf.GradientTape`: of `sum_k sum(output_k * factors[k])` with respect to every
/// trainable weight (in `model.trainable_weights` order) and every float input.
private struct FunctionalGradientFixture: Decodable {
  let inputs: [FunctionalFixture.Array]
  let factors: [FunctionalFixture.Array]
  let loss: Double
  let weight_names: [String]
  let weight_gradients: [FunctionalFixture.Array]
  let input_gradients: [FunctionalFixture.Array]

  static func load(_ name: String) throws -> FunctionalGradientFixture {
    try JSONDecoder().decode(
      FunctionalGradientFixture.self,
      from: Data(contentsOf: URL(fileURLWithPath: FunctionalFixture.path("gradients_\(name).json"))))
  }
}

/// Keras' `Concatenate.compute_mask` on concrete inputs and masks (`concat_masks.json`).
private struct ConcatenateMaskCase: Decodable {
  let axis: Int
  let inputs: [FunctionalFixture.Array]
  let masks: [FunctionalFixture.Array?]
  let mask: FunctionalFixture.Array
}

/// The `mask_concat` fixture model as a Keras user writes it in Swift: two padded id inputs, each
/// with its own `Embedding(maskZero: true)`, joined on the feature axis and on the time axis.
private func maskConcatModel() throws -> Model {
  let a = Input(shape: [6], name: "a", dtype: "int32")
  let b = Input(shape: [6], name: "b", dtype: "int32")
  let ea = Embedding(10, 3, maskZero: true, name: "embed_a")(a)
  let eb = Embedding(10, 4, maskZero: true, name: "embed_b")(b)
  let ea4 = Embedding(10, 4, maskZero: true, name: "embed_a4")(a)
  let features = Concatenate(axis: -1, name: "concat_features")([ea, eb])
  let byFeature = LSTM(4, name: "lstm_features")(features)
  let steps = Concatenate(axis: 1, name: "concat_steps")([ea4, eb])
  let byTime = LSTM(3, name: "lstm_steps")(steps)
  return try Model(inputs: [a, b], outputs: [byFeature, byTime], name: "mask_concat")
}

/// The `shared_residual` fixture model: a Dense shared by two branches and a residual Add.
private func sharedResidualModel() throws -> Model {
  let seq = Input(shape: [5, 3], name: "seq")
  let meta = Input(shape: [4], name: "meta")
  let encoded = LSTM(4, name: "lstm")(seq)
  let shared = Dense(4, activation: .tanh, name: "shared")
  let (s1, s2) = (shared(encoded), shared(meta))
  let residual = Add(name: "residual")([s1, Dense(4, name: "inner")(s1)])
  let joined = Concatenate(name: "concatenate")([residual, s2])
  let out = Dense(2, activation: .softmax, name: "out")(joined)
  let aux = Dense(1, name: "aux")(s2)
  return try Model(inputs: [seq, meta], outputs: [out, aux], name: "shared_residual")
}

/// Checks the gradients of `model` against Keras' in the fixture `name`.
private func expectGradientsMatchKeras(
  _ model: Model, fixture name: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let fixture = try FunctionalGradientFixture.load(name)
  let inputs = fixture.inputs.map(\.tensor)
  let factors = fixture.factors.map(\.tensor)
  func loss(_ inputs: [Tensor]) throws -> Tensor {
    let outputs = try model(inputs, training: false)
    try #require(outputs.count == factors.count, sourceLocation: sourceLocation)
    var total = try (outputs[0] * factors[0]).sum()
    for k in outputs.indices.dropFirst() { total = try total + (outputs[k] * factors[k]).sum() }
    return total
  }
  let weights = model.trainableWeights
  #expect(weights.count == fixture.weight_gradients.count, "\(name): weights", sourceLocation: sourceLocation)
  let (value, weightGradients) = try valueWithGradient(for: weights) { try loss(inputs) }
  #expect(abs(Double(value.scalars[0]) - fixture.loss) < 1e-4, "\(name): loss", sourceLocation: sourceLocation)
  for (i, (ours, theirs)) in zip(weightGradients, fixture.weight_gradients).enumerated() {
    #expect(ours.shape == theirs.shape, "\(name): \(fixture.weight_names[i])", sourceLocation: sourceLocation)
    let difference = maxDifference(ours, theirs.tensor)
    #expect(
      difference < 1e-4, "\(name): gradient of \(fixture.weight_names[i]) differs from Keras by \(difference)",
      sourceLocation: sourceLocation)
  }
  guard !fixture.input_gradients.isEmpty else { return }
  let (_, inputGradients) = try valueWithGradient(at: inputs) { try loss($0) }
  for (i, (ours, theirs)) in zip(inputGradients, fixture.input_gradients).enumerated() {
    let difference = maxDifference(ours, theirs.tensor)
    #expect(
      difference < 1e-4, "\(name): gradient of input \(i) differs from Keras by \(difference)",
      sourceLocation: sourceLocation)
  }
}

@Suite("Masks, gradients and nesting in Functional models")
struct FunctionalMaskTests {
  @Test(
    "Masks of Embedding(maskZero:) flow through LSTMs, Concatenate, Add, Multiply, Maximum, Minimum, Dense as in Keras",
    arguments: [
      ("mask_stacked", "keras"), ("mask_stacked", "h5"), ("mask_concat", "keras"), ("mask_concat", "h5"),
      ("mask_add", "keras"), ("mask_add", "h5"), ("mask_merges", "keras"), ("mask_merges", "h5"),
      ("mask_masking", "keras"), ("mask_masking", "h5"), ("mask_passthrough", "keras"), ("mask_passthrough", "h5"),
    ])
  func maskedForward(name: String, format: String) throws {
    let fixture = try FunctionalFixture.load(name)
    let model = try loadModel(FunctionalFixture.path("\(name).\(format)"))
    if let layers = fixture.layers { #expect(model.layers.map(\.name) == layers) }
    let outputs = try model.predict(fixture.inputs.map(\.tensor), verbose: 0)
    #expect(outputs.count == fixture.outputs.count)
    for (i, (output, expected)) in zip(outputs, fixture.outputs).enumerated() {
      #expect(output.shape == expected.shape)
      let difference = maxDifference(output, expected.tensor)
      #expect(difference < 1e-5, "\(name).\(format) output \(i) differs from Keras by \(difference)")
    }
  }

  @Test("Masking in a Sequential stack masks the LSTMs as in Keras' Functional fixture")
  func maskingSequential() throws {
    let fixture = try FunctionalFixture.load("mask_masking")
    let keras = try loadModel(FunctionalFixture.path("mask_masking.keras"))
    let model = Sequential {
      Masking(maskValue: 0)
      LSTM(5, returnSequences: true)
      LSTM(4)
      Dense(2)
    }
    try model.build(inputShape: [nil, 6, 3])
    for name in ["lstm_1", "lstm_2", "head"] {
      let index = try #require(["lstm_1", "lstm_2", "head"].firstIndex(of: name))
      try model.layers[index + 1].setWeights(try keras.getLayer(name).getWeights())
    }
    let output = try model.predict(fixture.inputs[0].tensor, verbose: 0)
    #expect(maxDifference(output, fixture.outputs[0].tensor) < 1e-5)
  }

  @Test("A two-input masked model built in Swift predicts as Keras from Keras' weights")
  func maskConcatBuiltInSwift() throws {
    let fixture = try FunctionalFixture.load("mask_concat")
    let model = try maskConcatModel()
    #expect(model.layers.map(\.name) == fixture.layers)
    try model.loadWeights(FunctionalFixture.path("mask_concat.weights.h5"))
    let outputs = try model(fixture.inputs.map(\.tensor))
    for (output, expected) in zip(outputs, fixture.outputs) {
      #expect(maxDifference(output, expected.tensor) < 1e-5)
    }
  }

  /// Also writes, when `SWIFTKERAS_FUNCTIONAL_CHECK_DIR` is set, the files and predictions for
  /// `Fixtures/check_swift_functional.py` (run by hand: Keras 3 opens them and predicts the same).
  @Test(
    "A masked or nested Functional model saved by SwiftKeras (.keras, .h5) reloads and predicts as Keras",
    arguments: ["mask_concat", "mask_merges", "nested_functional"])
  func savedByKerasSwiftReloads(name: String) throws {
    let fixture = try FunctionalFixture.load(name)
    let original = try loadModel(FunctionalFixture.path("\(name).keras"))
    let checkDirectory = ProcessInfo.processInfo.environment["SWIFTKERAS_FUNCTIONAL_CHECK_DIR"]
    let directory =
      checkDirectory.map { URL(fileURLWithPath: $0) }
      ?? FileManager.default.temporaryDirectory.appendingPathComponent("masks-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { if checkDirectory == nil { try? FileManager.default.removeItem(at: directory) } }
    let inputs = fixture.inputs.map(\.tensor)
    for format in ["keras", "h5"] {
      let path = directory.appendingPathComponent("\(name).\(format)").path
      try original.save(path)
      let reloaded = try loadModel(path)
      #expect(reloaded.layers.map(\.name) == fixture.layers)
      for (output, expected) in zip(try reloaded.predict(inputs, verbose: 0), fixture.outputs) {
        #expect(maxDifference(output, expected.tensor) < 1e-5, "\(name).\(format)")
      }
    }
    let predictions = try original.predict(inputs, verbose: 0)
    let record: [String: Any] = [
      "inputs": fixture.inputs.map { ["shape": $0.shape, "values": $0.values] },
      "outputs": predictions.map { ["shape": $0.shape, "values": $0.scalars.map(Double.init)] },
    ]
    try JSONSerialization.data(withJSONObject: record).write(to: directory.appendingPathComponent("\(name).json"))
  }

  @Test("Concatenate joins masks as Keras' compute_mask: OR on the feature axis, in sequence on the time axis")
  func concatenateMasks() throws {
    let cases = try JSONDecoder().decode(
      [ConcatenateMaskCase].self,
      from: Data(contentsOf: URL(fileURLWithPath: FunctionalFixture.path("concat_masks.json"))))
    #expect(cases.count == 4)
    for (i, c) in cases.enumerated() {
      let layer = Concatenate(axis: c.axis)
      let result = try layer.callNode(
        c.inputs.map(\.tensor), masks: c.masks.map { $0?.tensor }, initialState: [], training: false)
      let mask = try #require(result.masks[0], "case \(i)")
      #expect(mask.shape == c.mask.shape, "case \(i)")
      #expect(maxDifference(mask, c.mask.tensor) == 0, "case \(i): \(mask.scalars) vs \(c.mask.values)")
    }
    // No input with a mask: no mask, as in Keras.
    let x = Tensor.ones([2, 3, 2])
    #expect(try Concatenate().callNode([x, x], masks: [nil, nil], initialState: [], training: false).masks[0] == nil)
  }

  @Test("Gradients of Functional models w.r.t. every weight and input match tf.GradientTape", arguments: [
    "shared_residual", "two_branch",
  ])
  func gradients(name: String) throws {
    let model: Model
    if name == "shared_residual" {
      model = try sharedResidualModel()
      try model.loadWeights(FunctionalFixture.path("shared_residual.weights.h5"))
    } else {
      model = try twoBranchModel()
      try model.loadWeights(FunctionalFixture.path("two_branch.weights.h5"))
    }
    try expectGradientsMatchKeras(model, fixture: name)
  }

  @Test("Gradients through masked Functional models match tf.GradientTape", arguments: [
    "mask_stacked", "mask_concat", "mask_add",
  ])
  func maskedGradients(name: String) throws {
    try expectGradientsMatchKeras(try loadModel(FunctionalFixture.path("\(name).keras")), fixture: name)
  }

  @Test("A Functional model nested (and shared) in a Functional model loads from Keras files and predicts as Keras",
    arguments: ["keras", "h5"])
  func nestedFunctional(format: String) throws {
    let fixture = try FunctionalFixture.load("nested_functional")
    let model = try loadModel(FunctionalFixture.path("nested_functional.\(format)"))
    #expect(model.layers.map(\.name) == fixture.layers)
    let block = try #require(try model.getLayer("block") as? Model)
    #expect(block.isGraphModel)
    let outputs = try model.predict(fixture.inputs.map(\.tensor), verbose: 0)
    #expect(outputs.count == 1)
    let difference = maxDifference(outputs[0], fixture.outputs[0].tensor)
    #expect(difference < 1e-5, "nested_functional.\(format) differs from Keras by \(difference)")
  }
}
