import Dispatch
import Foundation
import Hummingbird
import HummingbirdTesting
import Keras
import KerasServing
import Logging
import Synchronization
import Testing

/// A server on an ephemeral loopback port, called through AsyncHTTPClient (a pool of real connections).
func withServer<Value: Sendable>(
  _ server: ModelServer, _ test: @Sendable (any TestClientProtocol) async throws -> Value
) async throws -> Value {
  try await server.makeApplication().test(.ahc(.http)) { client in try await test(client) }
}

/// A server for `models` (name to model, version 1 each) with `batching`, a body limit and an
/// in-flight bound.
func makeServer(
  _ models: [String: any ServableModel], batching: BatchingOptions = BatchingOptions(), maxBodyBytes: Int = 1 << 20,
  maxInFlight: Int? = nil
) -> ModelServer {
  var logger = Logger(label: "serve-tests")
  logger.logLevel = .critical
  let server = ModelServer(
    registry: ModelRegistry(),
    options: ServerOptions(host: "127.0.0.1", port: 0, batching: batching, maxBodyBytes: maxBodyBytes,
      maxInFlight: maxInFlight),
    logger: logger)
  for (name, model) in models { server.serve(model, name: name) }
  return server
}

/// `Sequential { Dense(3, inputShape: [4]) }` with seeded weights.
func tinyModel(seed: UInt64 = 7) -> Sequential {
  setRandomSeed(seed)
  return Sequential { Dense(3, inputShape: [4]) }
}

extension TestClientProtocol {
  /// POSTs `json` to `uri`; returns the status code and the parsed JSON answer.
  func post(_ uri: String, _ json: String) async throws -> (status: Int, body: Any) {
    try await call(uri, .post, body: json)
  }

  /// GETs `uri`; returns the status code and the parsed JSON answer.
  func get(_ uri: String) async throws -> (status: Int, body: Any) {
    try await call(uri, .get, body: nil)
  }

  func call(_ uri: String, _ method: HTTPRequest.Method, body: String?) async throws -> (status: Int, body: Any) {
    try await execute(
      uri: uri, method: method, headers: [.contentType: "application/json"], body: body.map { ByteBuffer(string: $0) }
    ) { response in
      let text = String(buffer: response.body)
      let parsed = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) ?? text
      return (response.status.code, parsed)
    }
  }
}

/// POSTs `json` to `uri` on the server at `port` over a connection of its own (a new
/// HummingbirdTesting `TestClient`, closed after the answer), so that no other request's answer is
/// waited for: HTTP/1.1 answers a connection's requests in order, and the AsyncHTTPClient pool
/// behind ``withServer(_:_:)`` may send two requests made at once over one connection.
func postOnOwnConnection(port: Int, _ uri: String, _ json: String) async throws -> (status: Int, body: Any) {
  let client = TestClient(host: "127.0.0.1", port: port)
  client.connect()
  do {
    let response = try await client.post(
      uri, headers: [.contentType: "application/json"], body: ByteBuffer(string: json))
    try? await client.shutdown()
    let text = response.body.map { String(buffer: $0) } ?? ""
    let parsed = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) ?? text
    return (Int(response.status.code), parsed)
  } catch {
    try? await client.shutdown()
    throw error
  }
}

/// Nested JSON lists of numbers as `[[Float]]`.
func rows(_ value: Any) -> [[Float]]? {
  (value as? [Any])?.map { row in ((row as? [Any]) ?? []).map { Float(($0 as? NSNumber)?.doubleValue ?? .nan) } }
}

/// A model whose every call waits for ``release()``, and which records the rows of each call.
///
/// Its output is the input's row sums, `[N, 1]`. A call blocks the thread running it (the batcher's
/// worker, one of the few threads of Swift's concurrency pool), so tests using one carry the
/// `.holdsAThread` trait, and a call never released within ``timeout`` fails (the
/// request is answered 500) instead of holding its thread for ever.
final class GatedModel: ServableModel, @unchecked Sendable {
  let inputs = [TensorSpec(name: "x", shape: [nil, 2])]
  let outputs = [TensorSpec(name: "sum", shape: [nil, 1])]
  /// How long a call waits for its release.
  let timeout: DispatchTimeInterval = .seconds(30)
  private let gate = DispatchSemaphore(value: 0)
  private let state = Mutex<(calls: [Int], waiting: Int)>(([], 0))

  struct NeverReleased: Error {}

  func predict(_ inputs: [Tensor]) throws -> [Tensor] {
    state.withLock { $0.waiting += 1 }
    let released = gate.wait(timeout: .now() + timeout) == .success
    let x = inputs[0]
    state.withLock {
      if released { $0.calls.append(x.shape[0]) }
      $0.waiting -= 1
    }
    guard released else { throw NeverReleased() }
    let scalars = x.scalars
    return [
      try Tensor(shape: [x.shape[0], 1], scalars: (0..<x.shape[0]).map { scalars[2 * $0] + scalars[2 * $0 + 1] })
    ]
  }

  /// Lets `count` calls through.
  func release(_ count: Int = 1) { for _ in 0..<count { gate.signal() } }
  /// The rows of each finished call.
  var calls: [Int] { state.withLock { $0.calls } }
  /// Calls inside `predict`, waiting at the gate.
  var waiting: Int { state.withLock { $0.waiting } }
}

/// Runs the tests that hold a thread of Swift's concurrency pool one at a time: a ``GatedModel``
/// waiting for its release, or a ``SlowModel`` whose batches run back to back (the batcher runs
/// the model's predict, which blocks, on the pool). The pool has as many threads as cores (two
/// here): two such tests at once would leave no thread for the code that releases a gated call,
/// or for the requests and checks of the test.
struct HoldsAThread: TestTrait, TestScoping {
  private static let turn = Turn()

  func provideScope(
    for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
  ) async throws {
    try await Self.turn.run(function)
  }

  /// One body at a time, the others waiting (suspended, no thread held) in arrival order.
  final class Turn: Sendable {
    private let state = Mutex<(busy: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func run(_ body: @Sendable () async throws -> Void) async throws {
      await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let now = state.withLock { state in
          if state.busy {
            state.waiting.append(continuation)
            return false
          }
          state.busy = true
          return true
        }
        if now { continuation.resume() }
      }
      defer {
        let next = state.withLock { state in
          if state.waiting.isEmpty { state.busy = false }
          return state.waiting.isEmpty ? nil : state.waiting.removeFirst()
        }
        next?.resume()  // the turn passes on, still busy
      }
      try await body()
    }
  }
}

extension Trait where Self == HoldsAThread {
  /// The test holds a thread of the concurrency pool while it runs; such tests run one at a time.
  static var holdsAThread: Self { Self() }
}

/// A model of two inputs and two outputs: `a` `[N, 2]` and `b` `[N, 1]` give `sum` = a0 + a1 + b and
/// `scaled` = 2 * a (`[N, 2]`).
final class TwoInOutModel: ServableModel, @unchecked Sendable {
  let inputs = [TensorSpec(name: "a", shape: [nil, 2]), TensorSpec(name: "b", shape: [nil, 1])]
  let outputs = [TensorSpec(name: "sum", shape: [nil, 1]), TensorSpec(name: "scaled", shape: [nil, 2])]

  func predict(_ inputs: [Tensor]) throws -> [Tensor] {
    let a = inputs[0].scalars
    let b = inputs[1].scalars
    let n = inputs[0].shape[0]
    return [
      try Tensor(shape: [n, 1], scalars: (0..<n).map { a[2 * $0] + a[2 * $0 + 1] + b[$0] }),
      try Tensor(shape: [n, 2], scalars: a.map { 2 * $0 }),
    ]
  }
}

/// Polls `condition` until it holds (bounded: about 10 s); the error names `state` as it was then.
func eventually(_ condition: () -> Bool, state: @autoclosure () -> String = "") async throws {
  for _ in 0..<1000 {
    if condition() { return }
    try await Task.sleep(for: .milliseconds(10))
  }
  struct Timeout: Error, CustomStringConvertible {
    let state: String
    var description: String { "Timeout(\(state))" }
  }
  throw Timeout(state: state())
}

/// A count shared between tasks.
final class Counter: Sendable {
  private let count = Mutex(0)
  /// Adds one.
  func increment() { count.withLock { $0 += 1 } }
  /// The count.
  var value: Int { count.withLock { $0 } }
}
