import TensorCore

/// One batch of a ``Dataset``: the model's inputs, and for training and evaluation its targets
/// and optional per-sample weights, each in the model's input or output order.
public struct DatasetBatch: Sendable {
  /// One array per model input, each with the batch's rows first.
  public var inputs: [Tensor]
  /// One array per model output; empty for a batch that only feeds `predict`.
  public var targets: [Tensor]
  /// Per output: a weight per row, or `nil`.
  public var sampleWeights: [Tensor?]

  /// A batch for a model with several inputs or outputs.
  public init(inputs: [Tensor], targets: [Tensor] = [], sampleWeights: [Tensor?]? = nil) {
    self.inputs = inputs
    self.targets = targets
    self.sampleWeights = sampleWeights ?? targets.map { _ in nil }
  }

  /// A batch `(x, y)` or `(x, y, sampleWeight)` for a model with one input and one output, as a
  /// Keras `PyDataset.__getitem__` returns it; `y` is `nil` for a batch that only feeds `predict`.
  public init(x: Tensor, y: Tensor? = nil, sampleWeight: Tensor? = nil) {
    self.init(inputs: [x], targets: y.map { [$0] } ?? [], sampleWeights: y == nil ? [] : [sampleWeight])
  }

  /// Rows in this batch.
  public var count: Int { inputs.first?.shape.first ?? 0 }
}

/// A source of batches for `fit`, `evaluate` and `predict`, in the spirit of Keras' `PyDataset`:
/// a number of batches and the batch at an index, or an endless stream (``batchCount`` `nil`,
/// which `fit` reads for `stepsPerEpoch` batches per epoch).
///
/// `batch(at:)` may be called on a background thread (batches are prepared while the step
/// runs), one call at a time, never concurrently with itself.
public protocol Dataset {
  /// The batches in one pass, as Keras' `num_batches` (`__len__`); `nil` for an endless stream.
  var batchCount: Int? { get }

  /// The batch at `index`, `0 ..< batchCount` (for an endless stream, counting up from 0).
  func batch(at index: Int) throws -> DatasetBatch

  /// Called at the end of every epoch, as Keras' `on_epoch_end`.
  func onEpochEnd()

  /// Whether batches must be read in index order, each pass from 0 (a stream with state, as a
  /// shuffle buffer): `fit` then does not shuffle the batch order. `false` by default.
  var readsInOrder: Bool { get }
}

extension Dataset {
  /// Does nothing.
  public func onEpochEnd() {}

  /// `false`: batches may be read in any order.
  public var readsInOrder: Bool { false }
}
