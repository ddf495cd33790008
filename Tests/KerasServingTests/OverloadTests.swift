import Foundation
import Hummingbird
import HummingbirdTesting
import Keras
import KerasServing
import Synchronization
import Testing

/// A model that takes a fixed time per batch (it sleeps), so the server's capacity depends on the
/// batching options, not on how busy the machine is. Its output is the input's row sums, `[N, 1]`.
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

  @Test("offered twice its measured capacity, the server answers every request: 200, or 503 with a message")
  func twiceCapacityLosesNothing() async throws {
    // 5 ms per batch of at most 2 rows: a capacity of a few hundred requests/s; 4 rows may wait.
    let model = SlowModel(secondsPerBatch: 0.005)
    let server = makeServer(["slow": model], batching: BatchingOptions(maxBatchSize: 2, maxEnqueuedBatches: 2))
    let body = #"{"instances": [[1, 2]]}"#
    try await withServer(server) { client async throws in
      // Capacity: 8 clients sending back to back for 1 s (the queue never refuses 8 waiting rows
      // for long; what it refuses does not count).
      let answered = Counter()
      let clock = ContinuousClock()
      let start = clock.now
      try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<8 {
          group.addTask {
            while clock.now - start < .seconds(1) {
              if try await client.post("/v1/models/slow:predict", body).status == 200 { answered.increment() }
            }
          }
        }
        try await group.waitForAll()
      }
      let capacity = Double(answered.value) / ((clock.now - start) / .seconds(1))
      #expect(capacity > 0)

      // Twice that rate for 2 s, each request sent at its time whatever the earlier ones' fate
      // (the test client's pool of 8 connections holds more than the 2 running and 4 waiting rows).
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
      #expect(result.shedWithMessage > 0, "offered twice the capacity, the server never refused a request")
      // The server goes on serving once the load is gone.
      #expect(try await client.post("/v1/models/slow:predict", body).status == 200)
    }
  }
}
