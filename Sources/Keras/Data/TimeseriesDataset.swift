import TensorCore

/// Sliding windows over a time series, batched (`keras.utils.timeseries_dataset_from_array`).
///
/// Window `i` takes the rows `s, s + samplingRate, ..., s + (sequenceLength - 1) · samplingRate`
/// of `data[startIndex ..< endIndex]`, where `s = i · sequenceStride`; its target is
/// `targets[startIndex + s]`. Made by ``timeseriesDatasetFromArray(data:targets:sequenceLength:sequenceStride:samplingRate:batchSize:shuffle:seed:startIndex:endIndex:)``.
///
/// Only the start positions are kept: each batch is copied out of `data` when it is asked for,
/// so the windows (which overlap, `sequenceLength` times the data for a stride of 1) never all
/// exist at once. A batch is `[B, sequenceLength, ...]` for data `[T, ...]` (`[B, sequenceLength]`
/// for a 1-D series), with targets `[B, ...]` for targets `[T, ...]`; the last batch may be smaller.
public struct TimeseriesDataset: Dataset, Sendable {
  /// The series, time first.
  public let data: Tensor
  /// The target of each time step, time first, if any.
  public let targets: Tensor?
  /// Rows per window.
  public let sequenceLength: Int
  /// The step between successive windows' first rows.
  public let sequenceStride: Int
  /// The step between the rows of one window.
  public let samplingRate: Int
  /// Windows per batch.
  public let batchSize: Int
  /// The first row of `data` the windows use.
  public let startIndex: Int
  /// One past the last row of `data` the windows use.
  public let endIndex: Int
  /// The windows' first rows relative to ``startIndex``, in the order the batches serve them
  /// (increasing, unless shuffled).
  public let startPositions: [Int]

  /// The number of windows.
  public var windowCount: Int { startPositions.count }

  /// Batches per pass: the windows divided by ``batchSize``, rounded up.
  public var batchCount: Int? { (startPositions.count + batchSize - 1) / batchSize }

  /// The windows of batch `index` and, with targets, their targets.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for an index outside `0 ..< batchCount`.
  public func batch(at index: Int) throws -> DatasetBatch {
    let count = batchCount ?? 0
    guard index >= 0, index < count else {
      throw KerasError.invalidArgument("TimeseriesDataset: batch \(index) is outside 0..<\(count)")
    }
    let positions = startPositions[(index * batchSize)..<min((index + 1) * batchSize, startPositions.count)]
    let x = windows(at: positions)
    guard let targets else { return DatasetBatch(x: x) }
    let y = Self.rows(of: targets, at: positions.map { startIndex + $0 })
    return DatasetBatch(x: x, y: y)
  }

  /// The windows starting at `positions`: `[positions.count, sequenceLength, ...]`.
  func windows(at positions: ArraySlice<Int>) -> Tensor {
    let rowSize = data.shape.dropFirst().reduce(1, *)
    let shape = [positions.count, sequenceLength] + data.shape.dropFirst()
    return data.withUnsafeBufferPointer { source in
      Tensor(shape: shape) { out in
        var offset = 0
        for position in positions {
          for step in 0..<sequenceLength {
            let row = startIndex + position + step * samplingRate
            out.baseAddress!.advanced(by: offset).update(from: source.baseAddress! + row * rowSize, count: rowSize)
            offset += rowSize
          }
        }
      }
    }
  }

  /// The rows `indices` of `tensor`, stacked.
  static func rows(of tensor: Tensor, at indices: [Int]) -> Tensor {
    let rowSize = tensor.shape.dropFirst().reduce(1, *)
    return tensor.withUnsafeBufferPointer { source in
      Tensor(shape: [indices.count] + tensor.shape.dropFirst()) { out in
        for (i, row) in indices.enumerated() {
          out.baseAddress!.advanced(by: i * rowSize).update(from: source.baseAddress! + row * rowSize, count: rowSize)
        }
      }
    }
  }
}

/// Batches of sliding windows over `data` and their targets, as Keras'
/// `keras.utils.timeseries_dataset_from_array`: the same windows, the same targets, the same
/// batches (the last one partial), the same rules for `startIndex` and `endIndex`.
///
/// `data` is `[T, ...]` (time first); `targets`, if given, holds a target per row: the window
/// whose first row is `data[r]` gets `targets[r]`. As in Keras,
/// the number of windows is `endIndex - startIndex - (sequenceLength - 1) · samplingRate`
/// (limited to the number of targets), taken every `sequenceStride` rows; `endIndex` is
/// exclusive. To predict the value that follows each window, pass `targets` shifted by
/// `sequenceLength` (Keras' own example): `data[..<(T - L)]` and `targets = data[L...]`.
///
/// ```swift
/// let dataset = try timeseriesDatasetFromArray(
///   data: series, targets: labels, sequenceLength: 60, batchSize: 32)
/// let first = try dataset.batch(at: 0)    // first.inputs[0]: [32, 60, F], first.targets[0]: [32, ...]
/// ```
///
/// With `shuffle`, the windows are served in an order drawn once from `seed` (or from the global
/// generator, `setRandomSeed(_:)`, when `seed` is nil): every window exactly once, the same
/// order for the same seed. Keras' shuffled order cannot be reproduced (it shuffles the start
/// positions with NumPy, then again in a TensorFlow shuffle buffer of `8 · batchSize` windows);
/// the set of windows and their targets are the same.
///
/// - Parameters:
///   - data: `[T, ...]`, time first.
///   - targets: `[N, ...]` or `nil` (batches then carry inputs only, for `predict`).
///   - sequenceLength: rows per window.
///   - sequenceStride: rows between the starts of successive windows.
///   - samplingRate: rows between the steps of a window (2 takes every other row).
///   - batchSize: windows per batch (Keras' default 128).
///   - shuffle: serve the windows in a seeded random order.
///   - seed: the seed of that order.
///   - startIndex: the first row used (default 0).
///   - endIndex: one past the last row used (default `T`); it must be lower than `T`, as in Keras.
/// - Throws: ``KerasError/invalidArgument(_:)`` with Keras' message for an index, stride, rate or
///   length out of range, and when a window's target would lie beyond `targets`.
public func timeseriesDatasetFromArray(
  data: Tensor, targets: Tensor?, sequenceLength: Int, sequenceStride: Int = 1, samplingRate: Int = 1,
  batchSize: Int = 128, shuffle: Bool = false, seed: UInt64? = nil, startIndex: Int? = nil, endIndex: Int? = nil
) throws -> TimeseriesDataset {
  func fail(_ message: String) -> KerasError { KerasError.invalidArgument("timeseriesDatasetFromArray: " + message) }
  guard data.rank >= 1 else { throw fail("`data` must have a time axis first; got a scalar") }
  let length = data.shape[0]
  if let startIndex, startIndex != 0 {
    if startIndex < 0 { throw fail("`startIndex` must be 0 or greater. Received: startIndex=\(startIndex)") }
    if startIndex >= length {
      throw fail(
        "`startIndex` must be lower than the length of the data. Received: startIndex=\(startIndex), "
          + "for data of length \(length)")
    }
  }
  if let endIndex, endIndex != 0 {
    if let startIndex, startIndex != 0, endIndex <= startIndex {
      throw fail(
        "`endIndex` must be higher than `startIndex`. Received: startIndex=\(startIndex), and endIndex=\(endIndex)")
    }
    if endIndex >= length {
      throw fail(
        "`endIndex` must be lower than the length of the data. Received: endIndex=\(endIndex), "
          + "for data of length \(length)")
    }
    if endIndex <= 0 { throw fail("`endIndex` must be higher than 0. Received: endIndex=\(endIndex)") }
  }
  if samplingRate <= 0 { throw fail("`samplingRate` must be higher than 0. Received: samplingRate=\(samplingRate)") }
  if samplingRate >= length {
    throw fail(
      "`samplingRate` must be lower than the length of the data. Received: samplingRate=\(samplingRate), "
        + "for data of length \(length)")
  }
  if sequenceStride <= 0 {
    throw fail("`sequenceStride` must be higher than 0. Received: sequenceStride=\(sequenceStride)")
  }
  if sequenceStride >= length {
    throw fail(
      "`sequenceStride` must be lower than the length of the data. Received: sequenceStride=\(sequenceStride), "
        + "for data of length \(length)")
  }
  guard sequenceLength > 0 else {
    throw fail("`sequenceLength` must be higher than 0. Received: sequenceLength=\(sequenceLength)")
  }
  guard batchSize > 0 else { throw fail("`batchSize` must be higher than 0. Received: batchSize=\(batchSize)") }
  if let targets, targets.rank < 1 { throw fail("`targets` must have a time axis first; got a scalar") }

  let start = startIndex ?? 0
  let end = endIndex ?? length
  var windowCount = end - start - (sequenceLength - 1) * samplingRate
  if let targets { windowCount = min(windowCount, targets.shape[0]) }
  var positions = windowCount > 0 ? Array(stride(from: 0, to: windowCount, by: sequenceStride)) : []
  if let targets, let last = positions.last, start + last >= targets.shape[0] {
    throw fail(
      "the window starting at row \(start + last) has no target: `targets` has \(targets.shape[0]) rows "
        + "(window i's target is targets[startIndex + i's first row])")
  }
  if shuffle {
    let order =
      seed.map {
        var g = RandomGenerator(seed: $0); return g.permutation(positions.count)
      }
      ?? RandomGenerator.withCurrent { $0.permutation(positions.count) }
    positions = order.map { positions[$0] }
  }
  return TimeseriesDataset(
    data: data, targets: targets, sequenceLength: sequenceLength, sequenceStride: sequenceStride,
    samplingRate: samplingRate, batchSize: batchSize, startIndex: start, endIndex: end, startPositions: positions)
}
