import Foundation
import Testing

@testable import Keras
@testable import TensorCore

/// A Keras training run: initial weights, data, History and final weights (make_training_fixtures.py).
struct TrainingFixture: Decodable {
  let name: String
  let initial_weights: [LayerFixture.Array]
  let x: LayerFixture.Array
  let y: LayerFixture.Array
  let history: [String: [Double]]
  let final_weights: [LayerFixture.Array]
  let sample_weight: LayerFixture.Array?
  let validation_x: LayerFixture.Array?
  let validation_y: LayerFixture.Array?

  static func load(_ name: String) throws -> TrainingFixture {
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/training/\(name).json")
    return try JSONDecoder().decode(TrainingFixture.self, from: Data(contentsOf: url))
  }
}

/// How each fixture's model is built, compiled and fitted in Swift, mirroring the generator.
struct TrainingCase: Sendable, CustomTestStringConvertible {
  let name: String
  let model: @Sendable () -> Sequential
  let compile: @Sendable (Sequential) throws -> Void
  var batchSize: Int
  var validationSplit: Float = 0
  var classWeight: [Int: Float]? = nil
  var testDescription: String { name }
}

@Suite("fit matches Keras' training trajectories")
struct TrainingTests {
  static let cases: [TrainingCase] = [
    TrainingCase(
      name: "lstm_binary_adam",
      model: { Sequential { Input(shape: [6, 3]); LSTM(4); Dense(1, activation: .sigmoid) } },
      compile: { try $0.compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"]) }, batchSize: 16),
    TrainingCase(
      name: "stacked_lstm_mse_adam",
      model: { Sequential { Input(shape: [6, 3]); LSTM(4, returnSequences: true); LSTM(3); Dense(1) } },
      compile: { try $0.compile(optimizer: Adam(learningRate: 0.01), loss: "mse") }, batchSize: 16),
    TrainingCase(
      name: "gru_sparse_rmsprop",
      model: { Sequential { Input(shape: [6, 3]); GRU(5); Dense(3, activation: .softmax) } },
      compile: { try $0.compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]) },
      batchSize: 16),
    TrainingCase(
      name: "simple_rnn_mse_sgd",
      model: { Sequential { Input(shape: [6, 3]); SimpleRNN(4); Dense(1) } },
      compile: { try $0.compile(optimizer: SGD(learningRate: 0.05, momentum: 0.9), loss: "mse", metrics: ["mae"]) },
      batchSize: 16),
    TrainingCase(
      name: "dense_categorical_adamw_clipnorm",
      model: { Sequential { Input(shape: [5]); Dense(8, activation: .relu); Dense(4, activation: .softmax) } },
      compile: {
        try $0.compile(optimizer: AdamW(learningRate: 0.01, clipnorm: 0.5), loss: "categorical_crossentropy", metrics: ["accuracy"])
      }, batchSize: 10),
    TrainingCase(
      name: "lstm_validation_split",
      model: { Sequential { Input(shape: [6, 3]); LSTM(4); Dense(1, activation: .sigmoid) } },
      compile: { try $0.compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"]) }, batchSize: 16,
      validationSplit: 0.25),
    TrainingCase(
      name: "dense_sample_weight_l2",
      model: { Sequential { Input(shape: [5]); Dense(6, activation: .tanh, kernelRegularizer: .l2()); Dense(1) } },
      compile: { try $0.compile(optimizer: "adam", loss: "mse", metrics: ["mae"]) }, batchSize: 12),
    TrainingCase(
      name: "dense_class_weight",
      model: { Sequential { Input(shape: [5]); Dense(4, activation: .softmax) } },
      compile: { try $0.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"]) },
      batchSize: 16, classWeight: [0: 1, 1: 2, 2: 0.5, 3: 1.5]),
    TrainingCase(
      name: "dense_weighted_metrics",
      model: { Sequential { Input(shape: [5]); Dense(4, activation: .softmax) } },
      compile: {
        try $0.compile(
          optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"], weightedMetrics: ["accuracy", "mae"])
      },
      batchSize: 16, validationSplit: 0.25),
  ]

  @Test("per-epoch loss and metrics over 3 epochs match Keras within 1e-4 relative", arguments: cases)
  func trajectory(_ c: TrainingCase) throws {
    let fixture = try TrainingFixture.load(c.name)
    let model = c.model()
    try model.setWeights(fixture.initial_weights.map(\.tensor))
    try c.compile(model)
    let validation = fixture.validation_x.map { ($0.tensor, fixture.validation_y!.tensor) }
    let history = try model.fit(
      fixture.x.tensor, fixture.y.tensor, batchSize: c.batchSize, epochs: 3, verbose: 0,
      validationSplit: c.validationSplit, validationData: validation, shuffle: false, classWeight: c.classWeight,
      sampleWeight: fixture.sample_weight?.tensor)
    #expect(Set(history.history.keys) == Set(fixture.history.keys), "\(c.name): logged names differ")
    for (name, values) in fixture.history {
      let ours = history.history[name] ?? []
      #expect(ours.count == values.count, "\(c.name): \(name) has \(ours.count) epochs")
      for (epoch, (a, b)) in zip(ours, values).enumerated() {
        let relative = abs(Double(a) - b) / max(abs(b), 1e-6)
        #expect(relative <= 1e-4, "\(c.name): \(name) epoch \(epoch + 1) is \(a), Keras \(b) (relative \(relative))")
      }
    }
    for (i, (ours, theirs)) in zip(model.getWeights(), fixture.final_weights).enumerated() {
      let difference = maxDifference(ours, theirs.tensor)
      #expect(difference <= 1e-4, "\(c.name): final weight \(i) differs from Keras by \(difference)")
    }
  }
}

@Suite("The training step's memory")
struct TrainingMemoryTests {
  @Test("after the first epoch, training allocates no new buffers: every tensor comes from the pool")
  func steadyStateAllocatesNothing() throws {
    let x = Tensor.randomUniform([64, 6, 3], seed: 1)
    let y = Tensor.randomUniform([64, 1], seed: 2)
    let model = Sequential {
      Input(shape: [6, 3])
      LSTM(8, returnSequences: true)
      LSTM(4)
      Dense(1)
    }
    try model.compile(optimizer: "adam", loss: "mse", metrics: ["mae"])
    let start = TensorStorage.freshAllocationsOnThisThread
    // Warm up with a batch size no other test uses, so the pool must grow: the counter works.
    try model.fit(x, y, batchSize: 13, epochs: 1, verbose: 0)
    #expect(TensorStorage.freshAllocationsOnThisThread > start)
    try model.fit(x, y, batchSize: 16, epochs: 2, verbose: 0)  // warm up: pool fills, optimizer slots exist
    let before = TensorStorage.freshAllocationsOnThisThread
    try model.fit(x, y, batchSize: 16, epochs: 2, verbose: 0)
    #expect(TensorStorage.freshAllocationsOnThisThread == before)
  }
}
