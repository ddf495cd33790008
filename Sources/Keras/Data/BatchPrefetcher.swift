import Foundation
import Synchronization

/// Prepares a dataset's batches on a background thread while the caller trains on earlier ones:
/// the worker calls `batch(at:)` for `indices` in order, one at a time, and keeps at most `depth`
/// finished batches waiting (a bounded queue). ``next()`` hands them out in the same order, so
/// results do not depend on timing.
///
/// The first error (thrown by `batch(at:)` or by `check`) is handed out in its turn as a
/// ``DatasetError`` naming the batch; the worker stops there. ``stop()`` ends the worker and
/// waits for its thread to finish; call it before the dataset is used again (its `onEpochEnd`,
/// another pass).
final class BatchPrefetcher: @unchecked Sendable {
  private let dataset: any Dataset
  private let indices: [Int]
  private let depth: Int
  private let check: (DatasetBatch) throws -> DatasetBatch
  private let condition = NSCondition()
  private var ready: [Result<DatasetBatch, DatasetError>] = []
  private var cancelled = false
  private var finished = false
  private var handedOut = 0
  private let done = DispatchSemaphore(value: 0)
  private var started = false

  /// - Parameters:
  ///   - depth: batches prepared ahead of the one in use (at least 1).
  ///   - check: run on the worker thread on each batch (shape and finiteness checks); what it
  ///     throws is reported like an error of `batch(at:)`.
  init(
    _ dataset: any Dataset, indices: [Int], depth: Int,
    check: @escaping (DatasetBatch) throws -> DatasetBatch = { $0 }
  ) {
    self.dataset = dataset
    self.indices = indices
    self.depth = Swift.max(1, depth)
    self.check = check
  }

  deinit { stop() }

  /// Worker threads running now, by the type name of their dataset (tests check that none is left).
  static let runningWorkers = Mutex<[String: Int]>([:])

  /// Starts the worker thread.
  func start() {
    guard !started, !indices.isEmpty else { return }
    started = true
    let name = String(describing: type(of: dataset))
    Self.runningWorkers.withLock { $0[name, default: 0] += 1 }
    let thread = Thread { [self] in
      run()
      Self.runningWorkers.withLock { $0[name, default: 0] -= 1 }
      done.signal()
    }
    thread.name = "Keras dataset prefetch"
    thread.start()
  }

  private func run() {
    for index in indices {
      condition.lock()
      while ready.count >= depth && !cancelled { condition.wait() }
      let stopNow = cancelled
      condition.unlock()
      if stopNow { return }
      let result: Result<DatasetBatch, DatasetError>
      do {
        result = .success(try check(try dataset.batch(at: index)))
      } catch {
        result = .failure(DatasetError(error, dataset: dataset, batchIndex: index))
      }
      condition.lock()
      ready.append(result)
      condition.broadcast()
      condition.unlock()
      if case .failure = result { return }
    }
  }

  /// The next batch in `indices` order, waiting for the worker when it is not ready.
  ///
  /// - Throws: ``DatasetError`` for a batch that failed; the worker has stopped then.
  func next() throws -> DatasetBatch {
    precondition(started && handedOut < indices.count, "BatchPrefetcher.next() past the last batch")
    condition.lock()
    while ready.isEmpty { condition.wait() }
    let result = ready.removeFirst()
    handedOut += 1
    condition.broadcast()
    condition.unlock()
    return try result.get()
  }

  /// Ends the worker (it finishes the batch it is preparing) and waits for its thread to exit.
  func stop() {
    condition.lock()
    let wait = started && !finished
    cancelled = true
    finished = true
    condition.broadcast()
    condition.unlock()
    if wait { done.wait() }
  }
}
