/// A ``Dataset`` over `.npy` files mapped from disk (`mmap`, read-only): batches of `batchSize`
/// consecutive rows read when asked for, never the whole file, so the files may be larger than
/// RAM. One file per model input and per output, all with the same number of rows, C order,
/// float32, float64, int32 or int64 (or smaller integers and bool), read as Float.
///
/// ```swift
/// let data = try NPYDataset(x: "x_train.npy", y: "y_train.npy", batchSize: 64)
/// try model.fit(data, epochs: 5)           // shuffle: true shuffles the batch order
/// ```
///
/// Resident memory stays low: every 64 MB read, the pages of the rows copied out are released.
public final class NPYDataset: Dataset, @unchecked Sendable {
  private let inputFiles: [MappedNPYArray]
  private let targetFiles: [MappedNPYArray]
  /// Rows per batch.
  public let batchSize: Int
  /// Rows in each file.
  public let count: Int

  /// A dataset of several inputs and outputs, one `.npy` file each.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the file that cannot be opened or
  ///   mapped, is not a C-ordered `.npy` of a supported type, or whose rows differ from the
  ///   first file's; for a batch size below 1 or no input file.
  public init(inputs: [String], targets: [String] = [], batchSize: Int = 32) throws {
    guard !inputs.isEmpty else { throw KerasError.invalidArgument("NPYDataset: give at least one input file") }
    guard batchSize > 0 else { throw KerasError.invalidArgument("NPYDataset: batchSize must be positive, got \(batchSize)") }
    inputFiles = try inputs.map { try MappedNPYArray(path: $0) }
    targetFiles = try targets.map { try MappedNPYArray(path: $0) }
    count = inputFiles[0].count
    for file in inputFiles + targetFiles where file.count != count {
      throw KerasError.invalidArgument(
        "NPYDataset: '\(file.path)' holds \(file.count) rows (shape \(file.header.shape)), but '\(inputFiles[0].path)' "
          + "holds \(count); every file needs the same number of rows")
    }
    self.batchSize = batchSize
  }

  /// A dataset of inputs `x` and, for training and evaluation, targets `y` (paths of `.npy` files).
  ///
  /// - Throws: as ``init(inputs:targets:batchSize:)``.
  public convenience init(x: String, y: String? = nil, batchSize: Int = 32) throws {
    try self.init(inputs: [x], targets: y.map { [$0] } ?? [], batchSize: batchSize)
  }

  /// The shape of each input file, `[rows, ...]`.
  public var inputShapes: [[Int]] { inputFiles.map(\.header.shape) }

  /// `count` rows in batches of `batchSize`, the last one shorter.
  public var batchCount: Int? { (count + batchSize - 1) / batchSize }

  /// Rows `index * batchSize ..< (index + 1) * batchSize` of every file (fewer in the last batch).
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for an index outside `0 ..< batchCount`.
  public func batch(at index: Int) throws -> DatasetBatch {
    guard index >= 0, index < batchCount! else {
      throw KerasError.invalidArgument("NPYDataset: batch \(index) is outside 0..<\(batchCount!)")
    }
    let range = (index * batchSize)..<Swift.min((index + 1) * batchSize, count)
    return DatasetBatch(inputs: inputFiles.map { $0.rows(range) }, targets: targetFiles.map { $0.rows(range) })
  }
}
