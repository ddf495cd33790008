import CMPI
import Foundation
import Keras

/// What the ranks exchange at each step: the shard gradients and losses summed by allreduce, each
/// weighted by the shard's rows (so a shard of an uneven last batch counts for what it holds), in
/// buckets started while the backward pass runs (``GradientBuckets``); and the shard predictions
/// gathered in rank order, which is the order of the rows in the global batch.
final class StepExchange {
  private let communicator: Communicator
  /// The shape of one row of the model's output.
  private let outputShape: [Int]
  private let outputSize: Int
  /// The smallest gradient bucket, in floats; 0 sends all gradients at once after the backward pass.
  private let bucketCapacity: Int
  private var buckets: GradientBuckets?
  /// The time spent on exchanges outside the backward pass (waiting for slower ranks included):
  /// the communication the overlap did not hide.
  private(set) var communicationTime: Duration = .zero

  init(communicator: Communicator, outputShape: [Int], bucketCapacity: Int = 0) {
    self.communicator = communicator
    self.outputShape = outputShape
    outputSize = outputShape.reduce(1, *)
    self.bucketCapacity = bucketCapacity
  }

  /// One training step's exchange: `mine` is this rank's shard of a global batch of
  /// `globalCount` rows. Returns the global batch's mean loss, the gradients averaged over its
  /// rows (in `trainableWeights` order) and its predictions.
  func train(_ model: Model, _ mine: Batches, globalCount: Int, what: @autoclosure () -> String) throws -> (
    loss: Float, gradients: [Tensor], predictions: Tensor
  ) {
    let shapes = model.trainableWeights.map(\.shape)
    if buckets?.shapes != shapes {
      let capacity = bucketCapacity > 0 ? bucketCapacity : Int.max
      buckets = GradientBuckets(communicator: communicator, shapes: shapes, capacity: capacity)
    }
    let buckets = buckets!
    buckets.begin(rows: mine.count)
    var local: (loss: Float, gradients: [Tensor], predictions: Tensor)? = nil
    if mine.count > 0 {
      let overlap = buckets.count > 1 ? { (index: Int, gradient: Tensor) in buckets.add(index, gradient) } : nil
      local = try model.computeGradientsAndPredictions(
        mine.x, mine.y, sampleWeight: mine.sampleWeight, onGradient: overlap)
    }
    let start = ContinuousClock.now
    buckets.finish(gradients: local?.gradients, loss: local?.loss ?? 0)
    let gather = try PredictionGather(self, local?.predictions, globalCount: globalCount, what: what())
    buckets.wait(what())
    let predictions = gather.wait(what())
    communicationTime += ContinuousClock.now - start
    let rows = buckets.buffer[buckets.total + 1]
    guard rows == Float(globalCount) else {
      communicator.abort("\(what()): the ranks' shards hold \(rows) rows, not the \(globalCount) of the batch")
    }
    let gradients = shapes.indices.map { buckets.gradient($0, dividedBy: rows) }
    return (buckets.buffer[buckets.total] / rows, gradients, predictions)
  }

  /// One evaluation step's exchange: the global batch's mean loss and its predictions, from
  /// this rank's shard `mine` in inference mode.
  func test(_ model: Model, _ mine: Batches, globalCount: Int, what: @autoclosure () -> String) throws -> (
    loss: Float, predictions: Tensor
  ) {
    var sums: [Float] = [0, 0]
    var predictions: Tensor? = nil
    if mine.count > 0 {
      let local = try model.computeLossAndPredictions(mine.x, mine.y, sampleWeight: mine.sampleWeight)
      sums = [local.loss * Float(mine.count), Float(mine.count)]
      predictions = local.predictions
    }
    let start = ContinuousClock.now
    defer { communicationTime += ContinuousClock.now - start }
    let gather = try PredictionGather(self, predictions, globalCount: globalCount, what: what())
    sums.withUnsafeMutableBufferPointer { communicator.allreduceSum($0, "the loss allreduce of \(what())") }
    return (sums[0] / max(sums[1], 1), gather.wait(what()))
  }

  /// Every rank's `local` rows (nil: none), in rank order: `[globalCount] + outputShape`.
  func gather(_ local: Tensor?, globalCount: Int, what: @autoclosure () -> String) throws -> Tensor {
    let start = ContinuousClock.now
    defer { communicationTime += ContinuousClock.now - start }
    return try PredictionGather(self, local, globalCount: globalCount, what: what()).wait(what())
  }

  /// An allgather of the ranks' predictions in flight, with the buffers it reads and writes.
  private final class PredictionGather {
    private let exchange: StepExchange
    private let globalCount: Int
    private let local: UnsafeMutableBufferPointer<Float>
    private let gathered: UnsafeMutableBufferPointer<Float>
    private let counts: UnsafeMutableBufferPointer<Int32>
    private let displacements: UnsafeMutableBufferPointer<Int32>
    private var request: MPI_Request?

    /// Starts gathering `predictions` (this rank's shard of a batch of `globalCount` rows).
    init(_ exchange: StepExchange, _ predictions: Tensor?, globalCount: Int, what: String) throws {
      let communicator = exchange.communicator
      let size = communicator.size
      counts = .allocate(capacity: size)
      displacements = .allocate(capacity: size)
      var sent: Int32 = 0
      for r in 0..<size {
        counts[r] = Int32((globalCount * (r + 1) / size - globalCount * r / size) * exchange.outputSize)
        displacements[r] = sent
        sent += counts[r]
      }
      let count = predictions?.count ?? 0
      guard count == Int(counts[communicator.rank]) else {
        counts.deallocate()
        displacements.deallocate()
        throw DistributedError.invalidArgument(
          "\(what): predictions of shape \(predictions?.shape ?? [0]) where \(counts[communicator.rank]) values of "
            + "rows shaped \(exchange.outputShape) were expected")
      }
      self.exchange = exchange
      self.globalCount = globalCount
      let local = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(count, 1))
      predictions?.withUnsafeBufferPointer { _ = local.initialize(from: $0) }
      self.local = local
      gathered = .allocate(capacity: max(globalCount * exchange.outputSize, 1))
      request = communicator.startAllgather(
        UnsafeBufferPointer(rebasing: local[0..<count]), into: gathered, counts: UnsafeBufferPointer(counts),
        displacements: UnsafeBufferPointer(displacements))
    }

    deinit {
      local.deallocate()
      gathered.deallocate()
      counts.deallocate()
      displacements.deallocate()
    }

    /// Waits for the gather: `[globalCount] + outputShape`.
    func wait(_ what: String) -> Tensor {
      exchange.communicator.wait(&request, "the prediction gather of \(what)")
      let count = globalCount * exchange.outputSize
      return Tensor(shape: [globalCount] + exchange.outputShape) { out in
        for i in 0..<count { out[i] = gathered[i] }
      }
    }
  }
}
