import Foundation
import Hummingbird
import HummingbirdTesting
import Keras
import KerasServing
import Testing

@Suite("Batching of concurrent requests")
struct BatchingTests {
  @Test("requests queued during a prediction run together as one batch, and each gets its own rows", .holdsAThread)
  func queuedRequestsShareABatch() async throws {
    let model = GatedModel()
    let batcher = Batcher(model: model, options: BatchingOptions(maxBatchSize: 8, maxEnqueuedBatches: 2))
    try await withThrowingTaskGroup(of: (Float, [Float]).self) { group in
      var released = false
      defer { if !released { model.release(2) } }  // a failed wait still lets the held calls go
      group.addTask { (0, try await batcher.predict([Tensor([[0, 1]])])[0].scalars) }
      try await eventually { model.waiting == 1 }  // the first request is in the model, alone
      for index in 1...3 {
        let value = Float(index)
        group.addTask { (value, try await batcher.predict([Tensor([[value, 10 * value]])])[0].scalars) }
      }
      try await eventually { batcher.queuedRows == 3 }
      model.release(2)
      released = true
      for try await (value, sum) in group {
        let expected: Float = value == 0 ? 1 : 11 * value  // the row sums: 0 + 1, value + 10 value
        #expect(sum == [expected])
      }
    }
    #expect(model.calls == [1, 3])
  }

  @Test("a full queue answers 503 at once; the queued requests are then answered", .holdsAThread)
  func overloadAnswers503() async throws {
    let model = GatedModel()
    // The in-flight bound (by default the queue's rows, 1 here) is set above the three requests, so
    // that the queue's own refusal is what answers the third.
    let server = makeServer(
      ["gated": model], batching: BatchingOptions(maxBatchSize: 1, maxEnqueuedBatches: 1), maxInFlight: 10)
    let batcher = try server.registry.lookup("gated", version: nil).batcher
    let answered = Counter()
    try await withServer(server) { client async throws in
      try await withThrowingTaskGroup(of: (Int, Int, String?).self) { group in
        var released = false
        defer { if !released { model.release(3) } }
        func send(_ index: Int, _ body: String) {
          group.addTask {
            let answer = try await client.post("/v1/models/gated:predict", body)
            answered.increment()
            return (index, answer.status, (answer.body as? [String: Any])?["error"] as? String)
          }
        }
        send(0, #"{"instances": [[1, 2]]}"#)
        try await eventually { model.waiting == 1 }  // in the model
        send(1, #"{"instances": [[3, 4]]}"#)
        try await eventually { batcher.queuedRows == 1 }  // the queue (1 batch of 1 row) is full
        send(2, #"{"instances": [[5, 6]]}"#)
        // Either the third request is answered while the model still holds the first two, or it was queued.
        try await eventually { answered.value == 1 || batcher.queuedRows == 2 }
        #expect(batcher.queuedRows == 1, "the third request was queued instead of refused")
        model.release(3)
        released = true
        var answers: [Int: (Int, String?)] = [:]
        for try await (index, status, message) in group { answers[index] = (status, message) }
        #expect(answers[0]?.0 == 200)
        #expect(answers[1]?.0 == 200)
        #expect(answers[2]?.0 == 503)
        #expect(answers[2]?.1?.contains("queue is full") == true)
      }
    }
  }

  @Test("a request of more rows than --max-batch-size is 400")
  func oversizedRequest() async throws {
    let server = makeServer(["tiny": try SequentialServable(tinyModel())], batching: BatchingOptions(maxBatchSize: 2))
    try await withServer(server) { client async throws in
      let answer = try await client.post("/v1/models/tiny:predict", #"{"instances": [[1,2,3,4],[1,2,3,4],[1,2,3,4]]}"#)
      #expect(answer.status == 400)
    }
  }

  @Test("concurrent clients get, row for row, what predict gives for their rows")
  func concurrentClientsMatchPredict() async throws {
    let model = tinyModel(seed: 11)
    let server = makeServer(
      ["tiny": try SequentialServable(model)], batching: BatchingOptions(maxBatchSize: 16, batchTimeoutMicros: 2000))
    func value(_ client: Int, _ row: Int, _ column: Int) -> Float {
      Float((client * 7 + row * 3 + column) % 11) / 4 - 1
    }
    let requests: [[[Float]]] = (0..<24).map { client in
      (0..<(1 + client % 3)).map { row in (0..<4).map { value(client, row, $0) } }
    }
    let expected = try requests.map { try model.predict(Tensor($0), verbose: 0) }
    try await withServer(server) { client async throws in
      try await withThrowingTaskGroup(of: (Int, [[Float]]?).self) { group in
        for (index, rowsSent) in requests.enumerated() {
          group.addTask {
            let rowTexts = rowsSent.map { row in "[" + row.map { "\($0)" }.joined(separator: ",") + "]" }
            let body = "{\"instances\": [" + rowTexts.joined(separator: ",") + "]}"
            let answer = try await client.post("/v1/models/tiny:predict", body)
            return (index, rows((answer.body as? [String: Any])?["predictions"] as Any))
          }
        }
        for try await (index, answer) in group {
          let predictions = try #require(answer, "client \(index)")
          #expect(Tensor(predictions).isAlmostEqual(to: expected[index], tolerance: 1e-6), "client \(index)")
        }
      }
    }
  }
}
