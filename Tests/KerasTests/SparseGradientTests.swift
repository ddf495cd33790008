import Foundation
import Testing

@testable import Keras

/// Golden Embedding training runs written by `Fixtures/make_sparse_gradient_fixtures.py` with real
/// Keras on TensorFlow, where an Embedding's gradient is an `IndexedSlices` (one slice per id looked up).
struct SparseGradientFixture: Decodable {
  typealias Array = OptimizerFixture.Array
  struct Step: Decodable {
    let loss: Double
    let weights: [Array]
  }
  let initial: [Array]
  let ids: [Array]
  let y: [Array]
  let cases: [String: [Step]]

  static let shared: SparseGradientFixture = {
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/sparse_gradients.json")
    return try! JSONDecoder().decode(SparseGradientFixture.self, from: Data(contentsOf: url))
  }()
}

@Suite("Embedding gradients are sparse, as TensorFlow's IndexedSlices")
struct SparseGradientTests {
  static func makeOptimizer(_ name: String) -> Optimizer {
    switch name {
    case "sgd": return SGD(learningRate: 0.1)
    case "sgd_momentum": return SGD(learningRate: 0.1, momentum: 0.9)
    case "adam", "adam_regularized": return Adam(learningRate: 0.1)
    case "adam_amsgrad": return Adam(learningRate: 0.1, beta2: 0.9, amsgrad: true)
    case "adamw": return AdamW(learningRate: 0.1, weightDecay: 0.05)
    case "nadam": return Nadam(learningRate: 0.1)
    case "rmsprop": return RMSprop(learningRate: 0.05)
    case "rmsprop_centered_momentum": return RMSprop(learningRate: 0.05, momentum: 0.5, centered: true)
    case "adagrad": return Adagrad(learningRate: 0.1)
    case "adadelta": return Adadelta(learningRate: 1.0)
    case "adamax": return Adamax(learningRate: 0.1)
    case "adam_clipnorm": return Adam(learningRate: 0.1, clipnorm: 0.05)
    case "adam_clipvalue": return Adam(learningRate: 0.1, clipvalue: 0.02)
    case "adam_global_clipnorm": return Adam(learningRate: 0.1, globalClipnorm: 0.05)
    default: fatalError("no optimizer for case \(name)")
    }
  }

  static let caseNames = [
    "sgd", "sgd_momentum", "adam", "adam_amsgrad", "adamw", "nadam", "rmsprop", "rmsprop_centered_momentum", "adagrad",
    "adadelta", "adamax", "adam_clipnorm", "adam_clipvalue", "adam_global_clipnorm", "adam_regularized",
  ]

  /// Embedding(6, 3) → Flatten → Dense(1) from the fixture's weights, compiled with `name`'s optimizer and mse.
  static func model(_ name: String) throws -> Sequential {
    let fixture = SparseGradientFixture.shared
    let model = Sequential {
      Input(shape: [4])
      Embedding(6, 3, embeddingsRegularizer: name == "adam_regularized" ? .l2(0.01) : nil)
      Flatten()
      Dense(1)
    }
    try model.setWeights(fixture.initial.map(\.tensor))
    try model.compile(optimizer: makeOptimizer(name), loss: "mse")
    return model
  }

  static func expectWeights(_ model: Sequential, _ step: SparseGradientFixture.Step, _ label: String) throws {
    for (actual, expected) in zip(model.getWeights(), step.weights) {
      let difference = try (actual - expected.tensor).abs().max().scalar
      #expect(difference <= 2e-6, "\(label): weights differ from Keras by \(difference)")
    }
  }

  @Test("train_on_batch with repeated ids matches Keras on TensorFlow", arguments: caseNames)
  func matchesKeras(name: String) throws {
    let fixture = SparseGradientFixture.shared
    let model = try Self.model(name)
    for (k, step) in fixture.cases[name]!.enumerated() {
      let logs = try model.trainOnBatch(fixture.ids[k].tensor, fixture.y[k].tensor)
      #expect(abs(Double(logs["loss"]!) - step.loss) <= 1e-5 * max(1, abs(step.loss)), "\(name) step \(k + 1) loss")
      try Self.expectWeights(model, step, "\(name) step \(k + 1)")
    }
  }

  @Test("computeGradients then applyGradients takes the same sparse step as trainOnBatch")
  func separateSteps() throws {
    let fixture = SparseGradientFixture.shared
    let model = try Self.model("adam")
    for (k, step) in fixture.cases["adam"]!.enumerated() {
      let (_, gradients) = try model.computeGradients(fixture.ids[k].tensor, fixture.y[k].tensor)
      try model.applyGradients(gradients)
      try Self.expectWeights(model, step, "adam step \(k + 1)")
    }
  }

  @Test("a gradient changed between computeGradients and applyGradients counts as dense")
  func changedGradientIsDense() throws {
    let fixture = SparseGradientFixture.shared
    let sparse = try Self.model("adam")
    let dense = try Self.model("adam")
    let (_, gradients) = try sparse.computeGradients(fixture.ids[0].tensor, fixture.y[0].tensor)
    try sparse.applyGradients(gradients)
    let (_, again) = try dense.computeGradients(fixture.ids[0].tensor, fixture.y[0].tensor)
    try dense.applyGradients(again.map { $0 * 1 })
    // Batch 0 repeats id 1 and id 4 three times: their rows differ between the two rules.
    let difference = try (sparse.getWeights()[0] - dense.getWeights()[0]).abs().max().scalar
    #expect(difference > 1e-3)
    // The dense rule, by hand for the first step of Adam: m = 0.1 g, v = 0.001 g², so the step is
    // lr · √(1-β2)/(1-β1) · m / (√v + ε) = 0.1 · sign(g) (up to ε) for every element with g ≠ 0.
    let moved = try (dense.getWeights()[0] - fixture.initial[0].tensor).abs()
    moved.withUnsafeBufferPointer { values in
      for value in values where value > 0 { #expect(abs(value - 0.1) < 1e-4) }
    }
  }
}
