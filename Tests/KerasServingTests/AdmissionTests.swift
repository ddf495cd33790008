import Foundation
import Hummingbird
import HummingbirdTesting
import KerasServing
import Testing

@Suite("Admission")
struct AdmissionTests {
  @Test("the in-flight bound is the batching queue's rows by default, or --max-in-flight")
  func defaultLimit() {
    let batching = BatchingOptions(maxBatchSize: 32, maxEnqueuedBatches: 10)
    #expect(ServerOptions(batching: batching).inFlightLimit == 320)  // 32 × 10
    #expect(ServerOptions(batching: batching, maxInFlight: 5).inFlightLimit == 5)
    #expect(makeServer([:], batching: batching, maxInFlight: 7).admission.limit == 7)
  }

  @Test(
    "a request over the in-flight bound is answered 503 with a message while the others are held, its body not decoded, and counted",
    .holdsAThread)
  func overTheBoundIsRefusedAtOnce() async throws {
    // One row per batch, one batch waiting: the first request is held in predict, the second waits
    // in the queue; both are in flight, which is the bound.
    let model = GatedModel()
    let server = makeServer(
      ["gated": model], batching: BatchingOptions(maxBatchSize: 1, maxEnqueuedBatches: 1), maxInFlight: 2)
    let batcher = try server.registry.lookup("gated", version: nil).batcher
    try await withServer(server) { client async throws in
      // Each predict request goes over a connection of its own: HTTP/1.1 answers a connection's
      // requests in order, so a 503 sent behind a held request would wait for it.
      let port = try #require(client.port)
      try await withThrowingTaskGroup(of: Int.self) { held in
        var released = false
        defer { if !released { model.release(2) } }  // a failed wait still lets the held requests go
        func hold(_ row: String) {
          held.addTask {
            try await postOnOwnConnection(port: port, "/v1/models/gated:predict", #"{"instances": ["# + row + "]}").status
          }
        }
        // One after the other: sent at once, the second could find the first still in the queue (its
        // batch not yet started) and the queue of one row full.
        hold("[1, 2]")
        try await eventually({ model.waiting == 1 }, state: "in the model \(model.waiting)")
        hold("[3, 4]")
        try await eventually(
          { batcher.queuedRows == 1 && server.admission.current == 2 },
          state: "queued \(batcher.queuedRows), in flight \(server.admission.current)")

        // The third is refused while the others are held: malformed JSON, so a 400 would show it
        // was decoded. Its connection stays usable (the body was dropped, not left to be read as
        // the next request), and the status routes stay open.
        try await TestClient.withClient(host: "127.0.0.1", port: port) { third in
          let refused = try await third.post(
            "/v1/models/gated:predict", headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"instances": [[5, "#))
          #expect(refused.status == .serviceUnavailable)
          let message = refused.body.map { String(buffer: $0) } ?? ""
          #expect(message.contains(#"{"error":"the server has 2 requests in flight"#), "\(message)")
          #expect(try await third.get("/v1/models/gated").status == .ok)
        }
        #expect(model.waiting == 1 && model.calls.isEmpty, "the held requests were still in flight")

        let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
        #expect(metrics.contains(#"keras_serving_refused_in_flight_total{model="gated"} 1"#))
        #expect(metrics.contains(#"keras_serving_requests_total{model="gated",api="predict",status="503"} 1"#))
        #expect(metrics.contains("keras_serving_requests_in_flight 2"))

        model.release(2)
        released = true
        for try await status in held {
          #expect(status == 200)
        }
      }
      // Once answered, the slots are free again.
      try await eventually({ server.admission.current == 0 }, state: "in flight \(server.admission.current)")
      model.release(1)
      let again = try await client.post("/v1/models/gated:predict", #"{"instances": [[5, 6]]}"#)
      #expect(again.status == 200)
      #expect(rows((again.body as? [String: Any])?["predictions"] as Any) == [[11]])
    }
  }
}
