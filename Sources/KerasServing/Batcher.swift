import Dispatch
import Keras
import Synchronization

/// TensorFlow Serving's batching options (`--max-batch-size`, `--batch-timeout-micros`,
/// `--max-enqueued-batches`).
public struct BatchingOptions: Sendable, Equatable {
  /// The most rows one call of the model receives; a request of more rows is refused (400).
  public var maxBatchSize: Int
  /// How long the oldest waiting request may wait for others to fill a batch; 0 runs at once
  /// whatever has arrived (requests arriving during a prediction still share the next batch).
  public var batchTimeoutMicros: Int
  /// The queue holds at most this many full batches of rows; a request that does not fit is
  /// answered 503 at once. The default, 10, is TensorFlow's (`tf.raw_ops.BatchFunction`): the
  /// queue then holds about ten batches' time of work, so a client waits that long at most before
  /// its batch runs, however overloaded the server.
  public var maxEnqueuedBatches: Int

  /// Options with TensorFlow Serving's names; see the properties.
  public init(maxBatchSize: Int = 32, batchTimeoutMicros: Int = 0, maxEnqueuedBatches: Int = 10) {
    self.maxBatchSize = maxBatchSize
    self.batchTimeoutMicros = batchTimeoutMicros
    self.maxEnqueuedBatches = maxEnqueuedBatches
  }

  /// The most rows waiting at once.
  var queueCapacity: Int { maxBatchSize * maxEnqueuedBatches }
}

/// Joins concurrent requests for one model version into batches and runs them, one batch at a time,
/// in a detached task of its own while there is work (the model's predict is itself multi-threaded).
/// A `DispatchQueue` hand-off per wake-up was measured to grow the resident memory by about 100
/// bytes per request on Linux; the detached task does not.
///
/// A batch closes when it holds `maxBatchSize` rows, when its oldest request has waited
/// `batchTimeoutMicros`, or at once when the timeout is 0. Requests whose example shapes differ
/// (sequences of other lengths) go in different batches.
public final class Batcher: Sendable {
  private struct Job {
    let inputs: [Tensor]
    let rows: Int
    let exampleShapes: [[Int]]
    let enqueued: DispatchTime
    let continuation: CheckedContinuation<[Tensor], any Error>
  }

  private struct State {
    var jobs: [Job] = []
    var queuedRows = 0
    var workerActive = false
    var workerWaiting = false
  }

  /// The model predictions run on.
  public let model: any ServableModel
  /// The batching options.
  public let options: BatchingOptions
  private let state = Mutex(State())
  private let wakeUp = DispatchSemaphore(value: 0)
  private let onBatch: @Sendable (_ rows: Int) -> Void
  private let onQueueDepth: @Sendable (_ rows: Int) -> Void

  /// A batcher over `model`; `onBatch` hears the rows of every batch run, `onQueueDepth` the rows
  /// waiting after every change.
  public init(
    model: any ServableModel, options: BatchingOptions,
    onBatch: @escaping @Sendable (Int) -> Void = { _ in }, onQueueDepth: @escaping @Sendable (Int) -> Void = { _ in }
  ) {
    self.model = model
    self.options = options
    self.onBatch = onBatch
    self.onQueueDepth = onQueueDepth
  }

  /// The rows waiting for a batch (not counting a batch being run).
  public var queuedRows: Int { state.withLock { $0.queuedRows } }

  /// The model's outputs for `inputs` (one tensor per model input, batch first), computed within a
  /// batch shared with other requests.
  ///
  /// - Throws: ``ServingError/invalidArgument(_:)`` for more rows than `maxBatchSize`,
  ///   ``ServingError/unavailable(_:)`` when the queue is full, or the model's error.
  public func predict(_ inputs: [Tensor]) async throws -> [Tensor] {
    guard let rows = inputs.first?.shape.first, rows > 0 else {
      throw ServingError.invalidArgument("the request holds no examples")
    }
    guard rows <= options.maxBatchSize else {
      throw ServingError.invalidArgument(
        "the request holds \(rows) examples, more than the maximum batch size of \(options.maxBatchSize)")
    }
    let exampleShapes = inputs.map { Array($0.shape.dropFirst()) }
    return try await withCheckedThrowingContinuation { continuation in
      enum Admission { case refused, queued(depth: Int), startWorker(depth: Int), wakeWorker(depth: Int) }
      let admission = state.withLock { state -> Admission in
        guard state.queuedRows + rows <= options.queueCapacity else { return .refused }
        state.jobs.append(
          Job(inputs: inputs, rows: rows, exampleShapes: exampleShapes, enqueued: .now(), continuation: continuation))
        state.queuedRows += rows
        if !state.workerActive {
          state.workerActive = true
          return .startWorker(depth: state.queuedRows)
        }
        if state.workerWaiting && state.queuedRows >= options.maxBatchSize {
          state.workerWaiting = false
          return .wakeWorker(depth: state.queuedRows)
        }
        return .queued(depth: state.queuedRows)
      }
      switch admission {
      case .refused:
        continuation.resume(
          throwing: ServingError.unavailable(
            "the batch scheduling queue is full (\(options.maxEnqueuedBatches) batches of \(options.maxBatchSize) rows); try again later"
          ))
      case .queued(let depth):
        onQueueDepth(depth)
      case .startWorker(let depth):
        onQueueDepth(depth)
        Task.detached(priority: .userInitiated) { self.drain() }
      case .wakeWorker(let depth):
        onQueueDepth(depth)
        wakeUp.signal()
      }
    }
  }

  /// Runs batches until the queue is empty (one drain at a time: `workerActive` guards it).
  private func drain() {
    while true {
      enum Step { case idle, wait(DispatchTime), run([Job], depth: Int) }
      let step = state.withLock { state -> Step in
        guard let oldest = state.jobs.first else {
          state.workerActive = false
          return .idle
        }
        let deadline = oldest.enqueued + .microseconds(options.batchTimeoutMicros)
        if options.batchTimeoutMicros > 0 && state.queuedRows < options.maxBatchSize && DispatchTime.now() < deadline {
          state.workerWaiting = true
          return .wait(deadline)
        }
        state.workerWaiting = false
        var taken: [Job] = []
        var rest: [Job] = []
        var rows = 0
        for job in state.jobs {
          if job.exampleShapes == oldest.exampleShapes && rows + job.rows <= options.maxBatchSize {
            taken.append(job)
            rows += job.rows
          } else {
            rest.append(job)
          }
        }
        state.jobs = rest
        state.queuedRows -= rows
        return .run(taken, depth: state.queuedRows)
      }
      switch step {
      case .idle:
        return
      case .wait(let deadline):
        _ = wakeUp.wait(timeout: deadline)
      case .run(let jobs, let depth):
        onQueueDepth(depth)
        run(jobs)
      }
    }
  }

  private func run(_ jobs: [Job]) {
    let rows = jobs.reduce(0) { $0 + $1.rows }
    onBatch(rows)
    do {
      let inputs =
        jobs.count == 1
        ? jobs[0].inputs
        : try (0..<jobs[0].inputs.count).map { index in try Tensor.concatenate(jobs.map { $0.inputs[index] }, axis: 0) }
      let outputs = try model.predict(inputs)
      guard outputs.allSatisfy({ $0.shape.first == rows }) else {
        throw ServingError.internalError(
          "the model returned outputs of shapes \(outputs.map(\.shape)) for a batch of \(rows) rows")
      }
      var start = 0
      for job in jobs {
        let range = start..<(start + job.rows)
        start += job.rows
        if jobs.count == 1 {
          job.continuation.resume(returning: outputs)
        } else {
          job.continuation.resume(with: Result { try outputs.map { try $0.slice(axis: 0, range) } })
        }
      }
    } catch {
      for job in jobs { job.continuation.resume(throwing: error) }
    }
  }
}
