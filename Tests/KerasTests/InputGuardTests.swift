import Foundation
import Testing

@testable import Keras

@Suite("Guards against NaN, infinity and bad labels")
struct InputGuardTests {
  /// 12 samples of 3 features with labels 0/1, from their own generator.
  func data() -> (x: Tensor, y: Tensor) {
    var generator = RandomGenerator(seed: 8)
    return (
      Tensor.randomUniform([12, 3], using: &generator),
      try! Tensor(shape: [12, 1], scalars: (0..<12).map { Float($0 % 2) })
    )
  }

  func model(loss: String = "binary_crossentropy", outputs: Int = 1) throws -> Sequential {
    let model = Sequential {
      Dense(4, activation: .relu, kernelInitializer: .glorotUniform(seed: 1), inputShape: [3])
      Dense(outputs, activation: outputs == 1 ? .sigmoid : .softmax, kernelInitializer: .glorotUniform(seed: 2))
    }
    try model.compile(optimizer: "adam", loss: loss)
    return model
  }

  /// `x` with `value` at `[row, column]`.
  func poisoned(_ x: Tensor, row: Int, column: Int, _ value: Float) throws -> Tensor {
    var scalars = x.scalars
    scalars[row * x.shape[1] + column] = value
    return try Tensor(shape: x.shape, scalars: scalars)
  }

  /// The message of the KerasError `body` throws, and whether the weights stayed as they were.
  func failure(of model: Sequential, _ body: () throws -> Void) -> (message: String, unchanged: Bool) {
    let before = model.weights.map(\.value.scalars)
    var message = ""
    do { try body() } catch let error as KerasError { message = error.description } catch { message = "\(error)" }
    return (message, model.weights.map(\.value.scalars) == before)
  }

  @Test("NaN in x throws before training, naming x, the row and the column")
  func nanInX() throws {
    let (x, y) = data()
    let model = try model()
    let bad = try poisoned(x, row: 7, column: 2, .nan)
    let result = failure(of: model) { try model.fit(bad, y, epochs: 1, verbose: 0) }
    #expect(result.message.contains("fit: x holds nan at row 7, column 2"), "\(result.message)")
    #expect(result.unchanged)
  }

  @Test("Infinity in y, sampleWeight or validation data is named as such")
  func infinityElsewhere() throws {
    let (x, y) = data()
    let model = try model()
    let badY = try poisoned(y, row: 4, column: 0, .infinity)
    #expect(failure(of: model) { try model.fit(x, badY, verbose: 0) }.message.contains("y holds inf at row 4"))
    var weights = [Float](repeating: 1, count: 12)
    weights[9] = -.infinity
    let sampleWeight = Tensor(weights)
    #expect(
      failure(of: model) { try model.fit(x, y, verbose: 0, sampleWeight: sampleWeight) }.message.contains(
        "sampleWeight holds -inf at row 9"))
    let validation = try poisoned(x, row: 1, column: 0, .nan)
    let result = failure(of: model) { try model.fit(x, y, verbose: 0, validationData: (validation, y)) }
    #expect(result.message.contains("validationData.x holds nan at row 1, column 0"), "\(result.message)")
    #expect(result.unchanged)
  }

  @Test("Sequences name the row and the position within it")
  func sequencePosition() throws {
    var scalars = [Float](repeating: 0, count: 2 * 5 * 3)
    scalars[1 * 15 + 4 * 3 + 1] = .nan
    let x = try Tensor(shape: [2, 5, 3], scalars: scalars)
    let message = failure(of: Sequential()) { try TrainingData.checkFinite(x, name: "x", action: "fit") }.message
    #expect(message.contains("x holds nan at row 1, position [4, 1] within the row"), "\(message)")
  }

  @Test("evaluate, predict and the on-batch methods check their inputs too")
  func everyEntryPoint() throws {
    let (x, y) = data()
    let model = try model()
    let bad = try poisoned(x, row: 3, column: 1, .nan)
    let calls: [(String, () throws -> Void)] = [
      ("evaluate", { _ = try model.evaluate(bad, y, verbose: 0) }),
      ("predict", { _ = try model.predict(bad, verbose: 0) }),
      ("trainOnBatch", { _ = try model.trainOnBatch(bad, y) }),
      ("testOnBatch", { _ = try model.testOnBatch(bad, y) }),
      ("predictOnBatch", { _ = try model.predictOnBatch(bad) }),
    ]
    for (action, call) in calls {
      let result = failure(of: model, call)
      #expect(result.message.contains("\(action): x holds nan at row 3, column 1"), "\(action): \(result.message)")
      #expect(result.unchanged)
    }
  }

  @Test("A loss that becomes infinite is recorded and training goes on, as in Keras")
  func nonFiniteLossIsReported() throws {
    let (x, _) = data()
    let model = try model(loss: "mse")
    let huge = Tensor(repeating: 1e30, shape: [12, 1])
    let history = try model.fit(x, huge, batchSize: 4, epochs: 2, verbose: 0)
    #expect(history.epochs == [0, 1])
    #expect(history.nonFiniteLoss?.epoch == 0 && history.nonFiniteLoss?.batch == 0)
  }

  @Test("TerminateOnNaN stops at the first non-finite loss")
  func terminateOnNaNStops() throws {
    let (x, _) = data()
    let model = try model(loss: "mse")
    let terminate = TerminateOnNaN()
    let history = try model.fit(
      x, Tensor(repeating: 1e30, shape: [12, 1]), batchSize: 4, epochs: 3, verbose: 0, callbacks: [terminate])
    #expect(history.epochs == [0])
    #expect(terminate.invalidBatch == 0)
    #expect(history.nonFiniteLoss?.batch == 0)
  }

  @Test(
    "Sparse labels out of range or not whole throw before training, naming the row",
    arguments: [
      (Float(3), "label 3 is outside the valid range 0..<3"), (Float(-1), "label -1 is outside the valid range"),
      (Float(1.5), "label 1.5 is not a class id"), (Float.nan, "label nan"),
    ])
  func sparseLabels(label: Float, expected: String) throws {
    let (x, _) = data()
    let model = try model(loss: "sparse_categorical_crossentropy", outputs: 3)
    var labels = (0..<12).map { Float($0 % 3) }
    labels[10] = label
    let y = Tensor(labels)
    let result = failure(of: model) { try model.fit(x, y, batchSize: 4, verbose: 0) }
    if label.isNaN {
      #expect(result.message.contains("y holds nan at row 10"), "\(result.message)")
    } else {
      #expect(result.message.contains("y row 10: \(expected)"), "\(result.message)")
    }
    #expect(result.unchanged)
  }

  @Test("The sparse loss itself rejects a label that is not a whole number")
  func sparseLossRejectsFractions() {
    let predictions = Tensor([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    #expect(throws: KerasError.self) { try Losses.SparseCategoricalCrossentropy().call(Tensor([0.5, 1]), predictions) }
    #expect(throws: KerasError.self) {
      try Losses.SparseCategoricalCrossentropy().call(Tensor([-0.5, 1]), predictions)
    }
  }
}
