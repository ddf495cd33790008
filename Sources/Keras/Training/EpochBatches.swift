/// The batches of one pass of `fit` (an epoch) or of an evaluation, handed out in step order:
/// rows of arrays held in memory, or the batches of a ``Dataset`` read ahead on a thread. The
/// training and evaluation loops (`runFit` and `runEvaluation` of `Model`) take any of them.
protocol EpochBatches {
  /// The batch of `step`; steps are asked for once each, in increasing order.
  func batch(_ step: Int) throws -> TrainingData
  /// Ends the pass after its last step.
  func finish()
  /// Ends the pass when a step threw.
  func cancel()
}

/// The batches of in-memory arrays: rows `step * batchSize ..< (step + 1) * batchSize` (the last
/// batch shorter), taken in `order` when the epoch is shuffled.
struct ArrayBatches: EpochBatches {
  let data: TrainingData
  let batchSize: Int
  /// The epoch's row order, or `nil` for the rows as they stand.
  let order: [Int]?

  func batch(_ step: Int) throws -> TrainingData {
    let range = (step * batchSize)..<Swift.min((step + 1) * batchSize, data.count)
    return try order.map { try data.rows(Array($0[range])) } ?? data.rows(range)
  }

  func finish() {}
  func cancel() {}
}

/// The batches `indices` of a dataset, prepared on a prefetch thread (started here) and checked
/// against `model`'s input shapes as they are handed out. `finish()` stops the thread and calls
/// the dataset's ``Dataset/onEpochEnd()``; `cancel()` only stops the thread.
final class DatasetBatches: EpochBatches {
  private let model: Model
  private let dataset: any Dataset
  private let prefetcher: BatchPrefetcher
  /// Names the call in errors (`"fit"`, `"evaluate"`).
  private let action: String

  init(
    _ model: Model, _ dataset: any Dataset, indices: [Int], prefetch: Int,
    check: @escaping (DatasetBatch) throws -> DatasetBatch, action: String
  ) {
    self.model = model
    self.dataset = dataset
    self.action = action
    prefetcher = BatchPrefetcher(dataset, indices: indices, depth: prefetch, check: check)
    prefetcher.start()
  }

  func batch(_ step: Int) throws -> TrainingData {
    try model.trainingData(prefetcher.next(), action: action)
  }

  func finish() {
    prefetcher.stop()
    dataset.onEpochEnd()
  }

  func cancel() { prefetcher.stop() }
}
