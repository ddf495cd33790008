import Foundation
import Hummingbird
import HummingbirdTesting
import Keras
import KerasServing
import Synchronization
import Testing

/// A model that takes a fixed time per batch (it sleeps), so the server's capacity depends on the
/// batching options, not on how busy the machine is. Its output is the input's row sums, `[N, 1]`.
/// Under load its batches run back to back on one thread of the concurrency pool, so tests using
/// it carry the `.holdsAThread` trait.
final class SlowModel: ServableModel, @unchecked Sendable {
  let inputs = [TensorSpec(name: "x", shape: [nil, 2])]
  let outputs = [TensorSpec(name: "sum", shape: [nil, 1])]
  let secondsPerBatch: Double

  init(secondsPerBatch: Double) { self.secondsPerBatch = secondsPerBatch }

  func predict(_ inputs: [Tensor]) throws -> [Tensor] {
    Thread.sleep(forTimeInterval: secondsPerBatch)
    let x = inputs[0].scalars
    let n = inputs[0].shape[0]
    return [try Tensor(shape: [n, 1], scalars: (0..<n).map { x[2 * $0] + x[2 * $0 + 1] })]
  }
}

@Suite("Overload")
struct OverloadTests {
  /// How requests were answered.
  struct Outcomes {
    var ok = 0
    var shedWithMessage = 0
    var other: [Int] = []
    var failed: [String] = []
    var sent: Int { ok + shedWithMessage + other.count + failed.count }
  }

  /// Outcomes recorded by concurrent tasks.
  final class OutcomeLog: Sendable {
    private let outcomes = Mutex(Outcomes())
    func record(_ change: (inout Outcomes) -> Void) { outcomes.withLock { change(&$0) } }
    var value: Outcomes { outcomes.withLock { $0 } }
  }

  @Test("offered twice its capacity, the server answers every request: 200, or 503 with a message", .holdsAThread)
  func twiceCapacityLosesNothing() async throws {
    // 20 ms per batch of at most 2 rows: the model answers at most 2 / 0.02 s = 100 requests/s,
    // whatever the machine (its capacity can only be lower on a busy one). 4 rows may wait, and 4
    // requests may be in flight (the in-flight bound's default, the queue's rows).
    let secondsPerBatch = 0.02
    let maxBatchSize = 2
    let model = SlowModel(secondsPerBatch: secondsPerBatch)
    let server = makeServer(
      ["slow": model], batching: BatchingOptions(maxBatchSize: maxBatchSize, maxEnqueuedBatches: 2))
    let body = #"{"instances": [[1, 2]]}"#
    try await withServer(server) { client async throws in
      // Twice that bound for 2 s, each request sent at its time whatever the earlier ones' fate
      // (the test client's pool of 8 connections holds more than the 4 requests in flight). A rate
      // measured from the test's own requests was not used: the suites running beside this one
      // made it too low on a loaded machine, and twice it was then no overload.
      let capacity = Double(maxBatchSize) / secondsPerBatch
      let clock = ContinuousClock()
      let rate = 2 * capacity
      let count = Int(2 * rate)
      let outcomes = OutcomeLog()
      let offerStart = clock.now
      await withTaskGroup(of: Void.self) { group in
        for index in 0..<count {
          let sendTime = offerStart + .seconds(Double(index) / rate)
          group.addTask {
            try? await clock.sleep(until: sendTime)
            do {
              let answer = try await client.post("/v1/models/slow:predict", body)
              let message = (answer.body as? [String: Any])?["error"] as? String
              outcomes.record {
                switch answer.status {
                case 200: $0.ok += 1
                // Refused by the in-flight bound (at arrival) or by the full batching queue.
                case 503 where message.map({ $0.contains("in flight") || $0.contains("queue is full") }) == true:
                  $0.shedWithMessage += 1
                default: $0.other.append(answer.status)
                }
              }
            } catch {
              outcomes.record { $0.failed.append("\(error)") }
            }
          }
        }
      }
      let result = outcomes.value
      #expect(result.sent == count)
      #expect(result.failed.isEmpty, "connection errors or timeouts: \(result.failed.prefix(3))")
      #expect(result.other.isEmpty, "answers neither 200 nor 503 with a message: \(result.other.prefix(5))")
      #expect(result.ok > 0)
      #expect(
        result.shedWithMessage > 0,
        "offered twice the capacity (\(Int(capacity))/s), the server never refused a request: \(result.ok) answered 200")
      // The server goes on serving once the load is gone.
      #expect(try await client.post("/v1/models/slow:predict", body).status == 200)
    }
  }
}
