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
    try await withServer(server) { client async throws in
      // Each request is a task of its own, so each takes a connection of its own from the client's
      // pool (HTTP/1.1 answers one connection's requests in order: a 503 queued behind a held
      // request would wait for it).
      try await withThrowingTaskGroup(of: Int.self) { held in
        var released = false
        defer { if !released { model.release(2) } }  // a failed wait still lets the held requests go
        held.addTask { try await client.post("/v1/models/gated:predict", #"{"instances": [[1, 2]]}"#).status }
        held.addTask { try await client.post("/v1/models/gated:predict", #"{"instances": [[3, 4]]}"#).status }
        try await eventually { model.waiting == 1 && server.admission.current == 2 }

        // The third is refused while the others are held: malformed JSON, so a 400 would show it
        // was decoded. The status routes stay open.
        let refused = try await client.post("/v1/models/gated:predict", #"{"instances": [[5, "#)
        #expect(refused.status == 503)
        let message = (refused.body as? [String: Any])?["error"] as? String
        #expect(message?.contains("2 requests in flight") == true, "\(refused.body)")
        #expect(try await client.get("/v1/models/gated").status == 200)
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
      try await eventually { server.admission.current == 0 }
      model.release(1)
      let again = try await client.post("/v1/models/gated:predict", #"{"instances": [[5, 6]]}"#)
      #expect(again.status == 200)
      #expect(rows((again.body as? [String: Any])?["predictions"] as Any) == [[11]])
    }
  }
}
