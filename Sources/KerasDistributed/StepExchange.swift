import CMPI
import Keras

/// What the ranks exchange at each step: one allreduce of the shard gradients and losses, each
/// weighted by the shard's rows (so a shard of an uneven last batch counts for what it holds),
/// and, started alongside it, an allgather of the shard predictions in rank order, which is the
/// order of the rows in the global batch.
final class StepExchange {
  private let communicator: Communicator
  /// The shape of one row of the model's output.
  private let outputShape: [Int]
  private let outputSize: Int
  /// The time spent in exchanges so far, waiting for slower ranks included.
  private(set) var communicationTime: Duration = .zero

  init(communicator: Communicator, outputShape: [Int]) {
    self.communicator = communicator
    self.outputShape = outputShape
    outputSize = outputShape.reduce(1, *)
  }

  /// One training step's exchange: `mine` is this rank's shard of a global batch of
  /// `globalCount` rows. Returns the global batch's mean loss, the gradients averaged over its
  /// rows (in `trainableWeights` order) and its predictions.
  func train(_ model: Sequential, _ mine: Batches, globalCount: Int, what: @autoclosure () -> String) throws -> (
    loss: Float, gradients: [Tensor], predictions: Tensor
  ) {
    let shapes = model.trainableWeights.map(\.shape)
    let sizes = shapes.map { $0.reduce(1, *) }
    let total = sizes.reduce(0, +)
    var sums = [Float](repeating: 0, count: total + 2)
    var predictions: Tensor? = nil
    if mine.count > 0 {
      let local = try model.computeGradientsAndPredictions(mine.x, mine.y, sampleWeight: mine.sampleWeight)
      let rows = Float(mine.count)
      sums.withUnsafeMutableBufferPointer { sums in
        var offset = 0
        for (gradient, size) in zip(local.gradients, sizes) {
          gradient.withUnsafeBufferPointer { values in
            for i in 0..<size { sums[offset + i] = values[i] * rows }
          }
          offset += size
        }
        sums[total] = local.loss * rows
        sums[total + 1] = rows
      }
      predictions = local.predictions
    }
    let gathered = try exchange(&sums, predictions, globalCount: globalCount, what: what())
    let rows = sums[total + 1]
    guard rows == Float(globalCount) else {
      communicator.abort("\(what()): the ranks' shards hold \(rows) rows, not the \(globalCount) of the batch")
    }
    var offset = 0
    let gradients = try zip(shapes, sizes).map { shape, size in
      defer { offset += size }
      return try Tensor(shape: shape, scalars: sums[offset..<(offset + size)].map { $0 / rows })
    }
    return (sums[total] / rows, gradients, gathered)
  }

  /// One evaluation step's exchange: the global batch's mean loss and its predictions, from
  /// this rank's shard `mine` in inference mode.
  func test(_ model: Sequential, _ mine: Batches, globalCount: Int, what: @autoclosure () -> String) throws -> (
    loss: Float, predictions: Tensor
  ) {
    var sums: [Float] = [0, 0]
    var predictions: Tensor? = nil
    if mine.count > 0 {
      let local = try model.computeLossAndPredictions(mine.x, mine.y, sampleWeight: mine.sampleWeight)
      sums = [local.loss * Float(mine.count), Float(mine.count)]
      predictions = local.predictions
    }
    let gathered = try exchange(&sums, predictions, globalCount: globalCount, what: what())
    return (sums[0] / max(sums[1], 1), gathered)
  }

  /// Every rank's `local` rows (nil: none), in rank order: `[globalCount] + outputShape`.
  func gather(_ local: Tensor?, globalCount: Int, what: @autoclosure () -> String) throws -> Tensor {
    var nothing: [Float] = []
    return try exchange(&nothing, local, globalCount: globalCount, what: what())
  }

  /// Sums `sums` over the ranks in place and gathers the predictions, both started before
  /// either is waited for.
  private func exchange(_ sums: inout [Float], _ predictions: Tensor?, globalCount: Int, what: String) throws -> Tensor
  {
    let size = communicator.size
    let counts = (0..<size).map { Int32((globalCount * ($0 + 1) / size - globalCount * $0 / size) * outputSize) }
    var displacements = [Int32](repeating: 0, count: size)
    for r in 1..<max(size, 1) { displacements[r] = displacements[r - 1] + counts[r - 1] }
    let local = predictions?.scalars ?? []
    guard local.count == Int(counts[communicator.rank]) else {
      throw DistributedError.invalidArgument(
        "\(what): predictions of shape \(predictions?.shape ?? [0]) where \(counts[communicator.rank]) values of rows "
          + "shaped \(outputShape) were expected")
    }
    var gathered = [Float](repeating: 0, count: globalCount * outputSize)
    let start = ContinuousClock.now
    defer { communicationTime += ContinuousClock.now - start }
    sums.withUnsafeMutableBufferPointer { sums in
      gathered.withUnsafeMutableBufferPointer { gathered in
        local.withUnsafeBufferPointer { local in
          var reduce: MPI_Request? = sums.isEmpty ? skmpi_request_null() : communicator.startAllreduceSum(sums)
          var gather = communicator.startAllgather(local, into: gathered, counts: counts, displacements: displacements)
          communicator.wait(&reduce, "the gradient allreduce of \(what)")
          communicator.wait(&gather, "the prediction gather of \(what)")
        }
      }
    }
    return try Tensor(shape: [globalCount] + outputShape, scalars: gathered)
  }
}
