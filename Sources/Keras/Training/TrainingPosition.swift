/// A point in a `fit` run to continue from: the epoch in progress, the batches of it already
/// trained, and the generator state its shuffle was drawn from (so the rest of the epoch sees
/// the same order).
struct TrainingPosition: Equatable {
  /// The epoch to continue (0-based).
  var epoch: Int
  /// The batches of that epoch already trained.
  var batch: Int
  /// The current generator's state just before the epoch's shuffle; needed when `batch > 0`.
  var epochRandomState: [UInt64]?
}
