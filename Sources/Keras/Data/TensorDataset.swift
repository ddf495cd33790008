import TensorCore

/// A ``Dataset`` over arrays in memory: batches of `batchSize` consecutive rows (the last one
/// shorter), as `fit(x, y, batchSize:)` cuts them, for one or several inputs and outputs.
///
/// ```swift
/// let data = try TensorDataset(x: x, y: y, batchSize: 32)
/// try model.fit(data, epochs: 3)
/// ```
public struct TensorDataset: Dataset, Sendable {
  /// One array per model input, `[N, ...]`.
  public let inputs: [Tensor]
  /// One array per model output, `[N, ...]`; empty for a dataset that only feeds `predict`.
  public let targets: [Tensor]
  /// Per output: a weight per row `[N]`, or `nil`.
  public let sampleWeights: [Tensor?]
  /// Rows per batch.
  public let batchSize: Int

  /// A dataset of several inputs and outputs.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for no input, a batch size below 1, arrays
  ///   without a batch axis, or arrays and weights of different numbers of rows (naming them).
  public init(inputs: [Tensor], targets: [Tensor] = [], sampleWeights: [Tensor?]? = nil, batchSize: Int = 32) throws {
    guard let first = inputs.first else { throw KerasError.invalidArgument("TensorDataset: give at least one input array") }
    guard batchSize > 0 else { throw KerasError.invalidArgument("TensorDataset: batchSize must be positive, got \(batchSize)") }
    let weights = sampleWeights ?? targets.map { _ in nil }
    guard weights.count == targets.count else {
      throw KerasError.invalidArgument(
        "TensorDataset: give one sampleWeight array (or nil) per target, got \(weights.count) for \(targets.count) targets")
    }
    let rows = first.rank > 0 ? first.shape[0] : 0
    let named = inputs.enumerated().map { ("x[\($0)]", $1) } + targets.enumerated().map { ("y[\($0)]", $1) }
      + weights.enumerated().compactMap { i, w in w.map { ("sampleWeight[\(i)]", $0) } }
    for (name, array) in named where array.rank == 0 || array.shape[0] != rows {
      throw KerasError.invalidArgument(
        "TensorDataset: \(name) has shape \(array.shape), but x[0] has \(rows) rows (shape \(first.shape)); "
          + "every array needs the same number of rows")
    }
    self.inputs = inputs
    self.targets = targets
    self.sampleWeights = weights
    self.batchSize = batchSize
  }

  /// A dataset `(x, y)` or `(x, y, sampleWeight)` for a model with one input and one output;
  /// `y` `nil` for a dataset that only feeds `predict`.
  ///
  /// - Throws: as ``init(inputs:targets:sampleWeights:batchSize:)``.
  public init(x: Tensor, y: Tensor? = nil, sampleWeight: Tensor? = nil, batchSize: Int = 32) throws {
    try self.init(
      inputs: [x], targets: y.map { [$0] } ?? [], sampleWeights: y == nil ? [] : [sampleWeight], batchSize: batchSize)
  }

  /// Rows in all.
  public var count: Int { inputs[0].shape[0] }

  /// `count` rows in batches of `batchSize`, the last one shorter.
  public var batchCount: Int? { (count + batchSize - 1) / batchSize }

  /// Rows `index * batchSize ..< (index + 1) * batchSize` (fewer in the last batch).
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for an index outside `0 ..< batchCount`.
  public func batch(at index: Int) throws -> DatasetBatch {
    guard index >= 0, index < batchCount! else {
      throw KerasError.invalidArgument("TensorDataset: batch \(index) is outside 0..<\(batchCount!)")
    }
    let range = (index * batchSize)..<Swift.min((index + 1) * batchSize, count)
    return DatasetBatch(
      inputs: try inputs.map { try $0.slice(axis: 0, range) }, targets: try targets.map { try $0.slice(axis: 0, range) },
      sampleWeights: try sampleWeights.map { try $0?.slice(axis: 0, range) })
  }
}
