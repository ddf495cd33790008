import CMPI
import Keras

/// The gradients of one training step in buckets, each summed over the ranks by an allreduce
/// started as soon as the backward pass has finished its gradients, as PyTorch's
/// DistributedDataParallel does: communication overlaps the rest of the backward pass.
///
/// The buffer holds the weights in reverse order (the order the backward pass finishes them,
/// last layer first), each gradient multiplied by the shard's rows, then the shard's loss times
/// its rows and the rows. Buckets are consecutive ranges of at least `capacity` floats (the last
/// one holds the loss and the rows, and starts when the pass returns). Buckets are started in
/// order on every rank, as MPI requires of collectives.
final class GradientBuckets {
  private let communicator: Communicator
  let shapes: [[Int]]
  private let offsets: [Int]
  private let sizes: [Int]
  private let bucketOf: [Int]
  private let ranges: [Range<Int>]
  /// The number of gradient floats; the loss and the rows follow.
  let total: Int
  let buffer: UnsafeMutableBufferPointer<Float>
  private var pending: [Int] = []
  private var received: [Bool] = []
  private var requests: [MPI_Request?] = []
  private var rows: Float = 0

  /// Buckets for weights of `shapes` (in `trainableWeights` order) of at least `capacity` floats.
  init(communicator: Communicator, shapes: [[Int]], capacity: Int) {
    self.communicator = communicator
    self.shapes = shapes
    sizes = shapes.map { $0.reduce(1, *) }
    total = sizes.reduce(0, +)
    var offsets = [Int](repeating: 0, count: shapes.count)
    var bucketOf = [Int](repeating: 0, count: shapes.count)
    var ranges: [Range<Int>] = []
    var offset = 0
    var bucketStart = 0
    for index in shapes.indices.reversed() {
      offsets[index] = offset
      bucketOf[index] = ranges.count
      offset += sizes[index]
      if offset - bucketStart >= capacity && index > 0 {
        ranges.append(bucketStart..<offset)
        bucketStart = offset
      }
    }
    ranges.append(bucketStart..<(total + 2))
    self.offsets = offsets
    self.bucketOf = bucketOf
    self.ranges = ranges
    buffer = .allocate(capacity: total + 2)
    buffer.initialize(repeating: 0)
  }

  deinit { buffer.deallocate() }

  /// The number of buckets.
  var count: Int { ranges.count }

  /// Starts a step whose shard holds `rows` rows: nothing received, nothing sent.
  func begin(rows: Int) {
    buffer.update(repeating: 0)
    self.rows = Float(rows)
    received = [Bool](repeating: false, count: shapes.count)
    pending = [Int](repeating: 0, count: ranges.count)
    for bucket in bucketOf { pending[bucket] += 1 }
    requests = []
  }

  /// Takes weight `index`'s finished gradient; starts the buckets it completes.
  func add(_ index: Int, _ gradient: Tensor) {
    guard !received[index] else { return }
    received[index] = true
    let offset = offsets[index]
    let rows = rows
    gradient.withUnsafeBufferPointer { values in
      for i in 0..<sizes[index] { buffer[offset + i] = values[i] * rows }
    }
    pending[bucketOf[index]] -= 1
    while requests.count < ranges.count - 1 && pending[requests.count] == 0 { start(requests.count) }
    for i in requests.indices { communicator.poll(&requests[i]) }
  }

  /// Ends the backward pass: the gradients not yet received (from `gradients`, nil when the shard
  /// is empty), the loss, and every bucket not yet started.
  func finish(gradients: [Tensor]?, loss: Float) {
    if let gradients {
      for index in shapes.indices where !received[index] { add(index, gradients[index]) }
    }
    buffer[total] = loss * rows
    buffer[total + 1] = rows
    while requests.count < ranges.count { start(requests.count) }
  }

  /// Waits for every bucket's allreduce.
  func wait(_ what: String) {
    for i in requests.indices { communicator.wait(&requests[i], "the gradient allreduce of \(what)") }
  }

  /// Weight `index`'s gradient summed over the ranks, divided by `rows`.
  func gradient(_ index: Int, dividedBy rows: Float) -> Tensor {
    let offset = offsets[index]
    return Tensor(shape: shapes[index]) { out in
      for i in 0..<sizes[index] { out[i] = buffer[offset + i] / rows }
    }
  }

  private func start(_ bucket: Int) {
    let range = ranges[bucket]
    requests.append(communicator.startAllreduceSum(UnsafeMutableBufferPointer(rebasing: buffer[range])))
  }
}
