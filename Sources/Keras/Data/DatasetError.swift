/// An error thrown while a ``Dataset`` prepared one of its batches, as `fit`, `evaluate` and
/// `predict` report it: the dataset, the batch and the error `batch(at:)` threw.
public struct DatasetError: Error, CustomStringConvertible, Sendable {
  /// The dataset's type name (`NPYDataset`, `CSVDataset`, ...).
  public let dataset: String
  /// The index passed to `batch(at:)`.
  public let batchIndex: Int
  /// What went wrong, as `batch(at:)` threw it or as the batch's check found it.
  public let reason: String
  /// The error `batch(at:)` threw, when it threw one.
  public let underlying: (any Error)?

  /// An error of batch `batchIndex` of `dataset` (a type name), for `reason`.
  public init(dataset: String, batchIndex: Int, reason: String, underlying: (any Error)? = nil) {
    self.dataset = dataset
    self.batchIndex = batchIndex
    self.reason = reason
    self.underlying = underlying
  }

  /// `error` thrown for batch `batchIndex` of `dataset`; a ``DatasetError`` (from a dataset
  /// that reads another) is kept as it is.
  init(_ error: any Error, dataset: any Dataset, batchIndex: Int) {
    if let error = error as? DatasetError {
      self = error
    } else {
      self.init(
        dataset: String(describing: type(of: dataset)), batchIndex: batchIndex, reason: "\(error)",
        underlying: error)
    }
  }

  /// `batch 3 of NPYDataset: <reason>`.
  public var description: String { "batch \(batchIndex) of \(dataset): \(reason)" }
}
