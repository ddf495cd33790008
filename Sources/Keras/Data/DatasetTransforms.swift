import TensorCore

/// A ``Dataset`` whose batches are another source's, transformed by a function (``Dataset/map(_:)``,
/// ``TextDataset/map(_:)``).
public final class MappedDataset: Dataset, @unchecked Sendable {
  /// The source's batch count (`nil`: endless).
  public let batchCount: Int?
  /// Whether the source must be read in order.
  public let readsInOrder: Bool
  private let read: (Int) throws -> DatasetBatch
  private let epochEnd: () -> Void

  /// Batches `read(index)`, `batchCount` of them (`nil`: endless); `epochEnd` is forwarded from
  /// ``onEpochEnd()``.
  public init(
    batchCount: Int?, readsInOrder: Bool = false, epochEnd: @escaping () -> Void = {},
    read: @escaping (Int) throws -> DatasetBatch
  ) {
    self.batchCount = batchCount
    self.readsInOrder = readsInOrder
    self.read = read
    self.epochEnd = epochEnd
  }

  /// The source's batch `index`, transformed.
  public func batch(at index: Int) throws -> DatasetBatch { try read(index) }

  /// Forwards to the source.
  public func onEpochEnd() { epochEnd() }
}

extension Dataset {
  /// The batches of this dataset passed through `transform` (on the prefetch thread, as they are read).
  public func map(_ transform: @escaping (DatasetBatch) throws -> DatasetBatch) -> MappedDataset {
    MappedDataset(batchCount: batchCount, readsInOrder: readsInOrder, epochEnd: onEpochEnd) { try transform(self.batch(at: $0)) }
  }

  /// The first `count` batches of this dataset (of an endless one, a dataset of `count` batches).
  public func take(_ count: Int) -> MappedDataset {
    MappedDataset(batchCount: Swift.min(count, batchCount ?? count), readsInOrder: readsInOrder, epochEnd: onEpochEnd) {
      try self.batch(at: $0)
    }
  }

  /// The rows of this dataset mixed through a shuffle buffer of `buffer` rows, as `tf.data`'s
  /// `shuffle(buffer_size, seed)`: the first `buffer` rows fill it, each row out is drawn at
  /// random from it and its place taken by the next row read. For streams read in order
  /// (``CSVDataset``, endless datasets); batch `i` has as many rows as this dataset's batch `i`.
  /// Each pass draws a new order (from `seed`, or from the current generator when `nil`).
  public func shuffled(buffer: Int, seed: UInt64? = nil) -> ShuffledDataset {
    ShuffledDataset(self, buffer: buffer, seed: seed ?? RandomGenerator.withCurrent { $0.next() })
  }
}

/// The rows of a ``Dataset`` mixed through a shuffle buffer (``Dataset/shuffled(buffer:seed:)``),
/// read in order.
public final class ShuffledDataset: Dataset, @unchecked Sendable {
  private let base: any Dataset
  private let bufferSize: Int
  private let seed: UInt64
  private var generator: RandomGenerator
  private var pass: UInt64 = 0
  /// One row: a batch of the base dataset and a row in it.
  private typealias Row = (batch: DatasetBatch, row: Int)
  private var buffer: [Row] = []
  private var pending: [Row] = []
  private var pendingStart = 0
  /// The sizes of the base batches read so far.
  private var sizes: [Int] = []
  private var nextIndex = 0

  init(_ base: any Dataset, buffer: Int, seed: UInt64) {
    self.base = base
    bufferSize = Swift.max(1, buffer)
    self.seed = seed
    generator = RandomGenerator(seed: seed)
  }

  /// The base dataset's batch count.
  public var batchCount: Int? { base.batchCount }

  /// `true`: rows flow through the buffer from the first batch on.
  public var readsInOrder: Bool { true }

  /// Forwards to the base dataset.
  public func onEpochEnd() { base.onEpochEnd() }

  /// The next batch of mixed rows; batch 0 starts a new pass with a new order.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for an index that is not the next one or 0,
  ///   and what the base dataset throws.
  public func batch(at index: Int) throws -> DatasetBatch {
    if index == 0 {
      generator = RandomGenerator(seed: seed &+ pass &* 0x9E37_79B9_7F4A_7C15)
      pass += 1
      buffer = []
      pending = []
      pendingStart = 0
      sizes = []
      nextIndex = 0
    }
    guard index == nextIndex else {
      throw KerasError.invalidArgument("ShuffledDataset: batches are read in order; asked for \(index), the next is \(nextIndex)")
    }
    while sizes.count <= index, try readBase() {}
    guard index < sizes.count else {
      throw KerasError.invalidArgument("ShuffledDataset: batch \(index) is past the end of the data")
    }
    var rows: [Row] = []
    for _ in 0..<sizes[index] {
      while buffer.count < bufferSize {
        if pendingStart == pending.count, try !readBase() { break }
        buffer.append(pending[pendingStart])
        pendingStart += 1
      }
      guard !buffer.isEmpty else { break }
      let pick = Int(generator.next() % UInt64(buffer.count))
      rows.append(buffer[pick])
      buffer.swapAt(pick, buffer.count - 1)
      buffer.removeLast()
    }
    if pendingStart > 4096 {
      pending.removeFirst(pendingStart)
      pendingStart = 0
    }
    nextIndex += 1
    let first = rows[0].batch
    return DatasetBatch(
      inputs: try first.inputs.indices.map { i in try Self.stack(rows.map { ($0.batch.inputs[i], $0.row) }) },
      targets: try first.targets.indices.map { i in try Self.stack(rows.map { ($0.batch.targets[i], $0.row) }) },
      sampleWeights: try first.sampleWeights.indices.map { i in
        first.sampleWeights[i] == nil ? nil : try Self.stack(rows.map { ($0.batch.sampleWeights[i]!, $0.row) })
      })
  }

  /// Reads the next base batch into `pending`; `false` at the end of a finite base.
  private func readBase() throws -> Bool {
    if let count = base.batchCount, sizes.count >= count { return false }
    let batch = try base.batch(at: sizes.count)
    sizes.append(batch.count)
    pending += (0..<batch.count).map { (batch, $0) }
    return true
  }

  /// Row `row` of each tensor, stacked into `[rows.count, ...]`.
  private static func stack(_ rows: [(Tensor, Int)]) throws -> Tensor {
    let rowShape = Array(rows[0].0.shape.dropFirst())
    let width = rowShape.reduce(1, *)
    for (tensor, _) in rows where Array(tensor.shape.dropFirst()) != rowShape {
      throw KerasError.invalidArgument(
        "ShuffledDataset: rows of shapes \(rowShape) and \(Array(tensor.shape.dropFirst())) cannot share a batch")
    }
    return Tensor(shape: [rows.count] + rowShape) { out in
      for (k, (tensor, row)) in rows.enumerated() {
        tensor.withUnsafeBufferPointer { source in
          for j in 0..<width { out[k * width + j] = source[row * width + j] }
        }
      }
    }
  }
}
