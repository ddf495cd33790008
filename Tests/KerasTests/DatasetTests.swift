import Foundation
import Synchronization
import Testing

@testable import Keras
@testable import TensorCore

/// Two models with the same weights: a Dense regression net.
private func twinModels() throws -> (Sequential, Sequential) {
  func make() -> Sequential { Sequential { Input(shape: [3]); Dense(4, activation: .tanh); Dense(1) } }
  let a = withRandomSeed(7) { make() }
  let b = make()
  _ = try a.predict(Tensor(repeating: 0, shape: [1, 3]), verbose: 0)
  _ = try b.predict(Tensor(repeating: 0, shape: [1, 3]), verbose: 0)
  try b.setWeights(a.getWeights())
  for model in [a, b] { try model.compile(optimizer: SGD(learningRate: 0.1), loss: "mse", metrics: ["mae"]) }
  return (a, b)
}

/// Rows 0..<n of a fixed regression problem: x `[n, 3]`, y `[n, 1]`.
private func regressionData(_ n: Int) throws -> (Tensor, Tensor) {
  let x = try Tensor(shape: [n, 3], scalars: (0..<(n * 3)).map { Float(($0 * 37) % 11) / 11 - 0.5 })
  let y = try Tensor(shape: [n, 1], scalars: (0..<n).map { Float(($0 * 5) % 7) / 7 })
  return (x, y)
}

/// A dataset that records which batches were read and how often `onEpochEnd` ran, and may fail.
private final class RecordingDataset: Dataset, @unchecked Sendable {
  let inner: TensorDataset
  let endless: Bool
  let failAt: Int?
  let reads = Mutex<[Int]>([])
  let epochEnds = Mutex(0)

  init(_ inner: TensorDataset, endless: Bool = false, failAt: Int? = nil) {
    self.inner = inner
    self.endless = endless
    self.failAt = failAt
  }

  var batchCount: Int? { endless ? nil : inner.batchCount }

  func batch(at index: Int) throws -> DatasetBatch {
    reads.withLock { $0.append(index) }
    if index == failAt { throw KerasError.invalidArgument("disk read failed") }
    return try inner.batch(at: index % inner.batchCount!)
  }

  func onEpochEnd() { epochEnds.withLock { $0 += 1 } }
}

// Serialized: the tests count the prefetch threads of RecordingDataset, which only they use.
@Suite("Datasets feed fit, evaluate and predict", .serialized)
struct DatasetTests {
  @Test("fit on a TensorDataset gives the weights, history and predictions of fit on the arrays (shuffle off)")
  func tensorDatasetMatchesArrays() throws {
    let (a, b) = try twinModels()
    let (x, y) = try regressionData(22)
    let history = try a.fit(x, y, batchSize: 4, epochs: 3, verbose: 0, shuffle: false)
    let dataset = try TensorDataset(x: x, y: y, batchSize: 4)
    let datasetHistory = try b.fit(dataset, epochs: 3, verbose: 0, shuffle: false)
    for (wa, wb) in zip(a.getWeights(), b.getWeights()) { #expect(wa.scalars == wb.scalars) }
    #expect(history.history["loss"] == datasetHistory.history["loss"])
    #expect(history.history["mae"] == datasetHistory.history["mae"])
    #expect(try a.evaluate(x, y, batchSize: 4, verbose: 0).entries.map(\.value) == b.evaluate(dataset, verbose: 0).entries.map(\.value))
    #expect(try a.predict(x, batchSize: 4, verbose: 0).scalars == b.predict(dataset, verbose: 0).scalars)
  }

  @Test("validationData from a dataset gives the val_ logs of array validationData")
  func validationDataset() throws {
    let (a, b) = try twinModels()
    let (x, y) = try regressionData(12)
    let (vx, vy) = try regressionData(7)
    let history = try a.fit(x, y, batchSize: 4, epochs: 2, verbose: 0, validationData: (vx, vy), shuffle: false)
    let datasetHistory = try b.fit(
      TensorDataset(x: x, y: y, batchSize: 4), epochs: 2, verbose: 0,
      validationData: TensorDataset(x: vx, y: vy, batchSize: 4), shuffle: false)
    #expect(history.history["val_loss"] == datasetHistory.history["val_loss"])
    #expect(history.history["val_mae"] == datasetHistory.history["val_mae"])
  }

  @Test("shuffle reads each epoch's batches in a new order, a permutation of them; onEpochEnd after each epoch")
  func shuffledBatchOrder() throws {
    let (model, _) = try twinModels()
    let (x, y) = try regressionData(40)
    let dataset = RecordingDataset(try TensorDataset(x: x, y: y, batchSize: 4))
    try withRandomSeed(3) { _ = try model.fit(dataset, epochs: 3, verbose: 0, shuffle: true) }
    let reads = dataset.reads.withLock { $0 }
    #expect(reads.count == 1 + 3 * 10)  // the probe batch 0, then three epochs
    let epochs = (0..<3).map { Array(reads[(1 + $0 * 10)..<(11 + $0 * 10)]) }
    for order in epochs { #expect(order.sorted() == Array(0..<10)) }
    #expect(Set(epochs.map { $0 }).count == 3)
    #expect(epochs[0] != Array(0..<10))
    #expect(dataset.epochEnds.withLock { $0 } == 3)
  }

  @Test("an endless dataset needs stepsPerEpoch; with it, indices count on across epochs")
  func endlessDataset() throws {
    let (model, _) = try twinModels()
    let (x, y) = try regressionData(8)
    let dataset = RecordingDataset(try TensorDataset(x: x, y: y, batchSize: 4), endless: true)
    #expect {
      try model.fit(dataset, epochs: 1, verbose: 0)
    } throws: { "\($0)".contains("endless") && "\($0)".contains("stepsPerEpoch") }
    try model.fit(dataset, epochs: 2, verbose: 0, stepsPerEpoch: 3)
    #expect(dataset.reads.withLock { $0 } == [0, 0, 1, 2, 3, 4, 5])
    #expect(throws: KerasError.self) { try model.evaluate(dataset, verbose: 0) }
    #expect(try model.evaluate(dataset, steps: 2, verbose: 0)["loss"] != nil)
  }

  @Test("an error in batch 3 surfaces from fit naming batch 3 and the dataset, and leaves no thread running")
  func errorInBatchThree() throws {
    let (model, _) = try twinModels()
    let (x, y) = try regressionData(24)
    let dataset = RecordingDataset(try TensorDataset(x: x, y: y, batchSize: 4), failAt: 3)
    do {
      try model.fit(dataset, epochs: 2, verbose: 0, shuffle: false)
      Issue.record("fit did not throw")
    } catch let error as DatasetError {
      #expect(error.batchIndex == 3)
      #expect(error.dataset == "RecordingDataset")
      #expect("\(error)".contains("batch 3 of RecordingDataset: "))
      #expect("\(error)".contains("disk read failed"))
    }
    #expect(BatchPrefetcher.runningWorkers.withLock { $0["RecordingDataset"] } == 0)
    #expect(dataset.reads.withLock { $0 }.filter { $0 > 3 }.isEmpty)  // the worker stopped at the failure
  }

  @Test("a batch holding a NaN is reported with its index")
  func nonFiniteBatch() throws {
    let (model, _) = try twinModels()
    var (x, y) = try regressionData(12)
    x.withUnsafeMutableBufferPointer { $0[9 * 3 + 1] = .nan }
    #expect {
      try model.fit(TensorDataset(x: x, y: y, batchSize: 4), epochs: 1, verbose: 0, shuffle: false)
    } throws: { ($0 as? DatasetError)?.batchIndex == 2 && "\($0)".contains("NaN") }
  }

  @Test("TensorDataset: several inputs and outputs, and arrays of different lengths named")
  func tensorDatasetShapes() throws {
    let a = Tensor(repeating: 1, shape: [5, 2])
    let b = Tensor(repeating: 2, shape: [5, 3])
    let data = try TensorDataset(inputs: [a, b], targets: [Tensor(repeating: 0, shape: [5, 1])], batchSize: 2)
    #expect(data.batchCount == 3)
    let last = try data.batch(at: 2)
    #expect(last.inputs.map(\.shape) == [[1, 2], [1, 3]])
    #expect(last.sampleWeights.count == 1)
    #expect { try TensorDataset(inputs: [a, Tensor(repeating: 0, shape: [4, 3])]) } throws: { "\($0)".contains("x[1]") }
  }
}
