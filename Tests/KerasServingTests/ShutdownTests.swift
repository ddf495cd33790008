import Foundation
import Hummingbird
import HummingbirdTesting
import KerasServing
import ServiceLifecycle
import Testing

@Suite("Graceful shutdown")
struct ShutdownTests {
  @Test("a graceful shutdown (SIGTERM's path) answers the request in flight, then the server stops", .holdsAThread)
  func inFlightRequestIsAnswered() async throws {
    let model = GatedModel()
    let server = makeServer(["gated": model])
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let app = server.makeApplication(onServerRunning: { portSink.yield($0) })
    let group = ServiceGroup(services: [app], logger: server.logger)
    try await withThrowingTaskGroup(of: Void.self) { tasks in
      var released = false
      defer { if !released { model.release() } }
      tasks.addTask { try await group.run() }
      var iterator = ports.makeAsyncIterator()
      let port = try #require(await iterator.next())
      let client = TestClient(host: "127.0.0.1", port: port)
      client.connect()
      let inFlight = Task {
        try await client.post(
          "/v1/models/gated:predict", headers: [.contentType: "application/json"],
          body: ByteBuffer(string: #"{"instances": [[1, 2]]}"#))
      }
      try await eventually { model.waiting == 1 }
      await group.triggerGracefulShutdown()
      model.release()
      released = true
      let response = try await inFlight.value
      #expect(response.status == .ok)
      #expect(response.body.map { String(buffer: $0) } == #"{"predictions":[[3.0]]}"#)
      try await tasks.next()  // the service group has finished
      try? await client.shutdown()
    }
  }
}
