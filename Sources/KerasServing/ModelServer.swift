import Foundation
import Hummingbird
import Keras
import Logging
import ServiceLifecycle

/// How the server listens and limits requests.
public struct ServerOptions: Sendable {
  /// The address to bind (`127.0.0.1` by default: loopback only).
  public var host: String
  /// The port (8501, TensorFlow Serving's REST port; 0 for any free port).
  public var port: Int
  /// Batching of concurrent requests.
  public var batching: BatchingOptions
  /// The largest request body accepted; a larger one is answered 413.
  public var maxBodyBytes: Int
  /// The most predict requests in flight (received, not yet answered) over all models; one more is
  /// answered 503 at once, before its body is read. `nil` (the default) derives it from the
  /// batching options: ``BatchingOptions/maxBatchSize`` × ``BatchingOptions/maxEnqueuedBatches``,
  /// the rows one model's queue holds.
  public var maxInFlight: Int?
  /// The listen backlog: connections the kernel completes before the server accepts them (4096;
  /// Linux caps it at `net.core.somaxconn`). Hummingbird's 256 overflowed when 2048 clients
  /// connected at once, and the dropped handshakes waited seconds for the client's retries.
  public var listenBacklog: Int

  /// Options for a server on `host:port`; see the properties.
  public init(
    host: String = "127.0.0.1", port: Int = 8501, batching: BatchingOptions = BatchingOptions(),
    maxBodyBytes: Int = 16 << 20, maxInFlight: Int? = nil, listenBacklog: Int = 4096
  ) {
    self.host = host
    self.port = port
    self.batching = batching
    self.maxBodyBytes = maxBodyBytes
    self.maxInFlight = maxInFlight
    self.listenBacklog = listenBacklog
  }

  /// The in-flight bound in force: ``maxInFlight``, or the batching queue's rows.
  public var inFlightLimit: Int { max(1, maxInFlight ?? batching.queueCapacity) }
}

/// A model server speaking TensorFlow Serving's REST API, on Hummingbird.
///
/// Routes: `POST /v1/models/NAME[/versions/V]:predict`, `GET /v1/models/NAME[/versions/V]` (status),
/// `GET /v1/models/NAME[/versions/V]/metadata`, `GET /healthz`, `GET /readyz`, `GET /metrics`.
/// Errors are answered `{"error": "..."}` with TensorFlow Serving's status codes.
public struct ModelServer: Sendable {
  /// The models answered for.
  public let registry: ModelRegistry
  /// The Prometheus metrics.
  public let metrics: ServingMetrics
  /// Address, batching and limits.
  public let options: ServerOptions
  /// The server's log.
  public let logger: Logger
  /// The bound on predict requests in flight (``ServerOptions/inFlightLimit``).
  public let admission: AdmissionControl

  /// A server for the models of `registry`.
  public init(
    registry: ModelRegistry, options: ServerOptions = ServerOptions(), metrics: ServingMetrics = ServingMetrics(),
    logger: Logger = Logger(label: "swift-keras.serve")
  ) {
    self.registry = registry
    self.options = options
    self.metrics = metrics
    self.logger = logger
    self.admission = AdmissionControl(limit: options.inFlightLimit)
  }

  /// A batcher for version `version` of model `name`, reporting to this server's metrics.
  public func makeBatcher(for model: any ServableModel, name: String, version: Int64) -> Batcher {
    let metrics = self.metrics
    return Batcher(
      model: model, options: options.batching,
      onBatch: { metrics.batchRun(model: name, rows: $0) },
      onQueueDepth: { metrics.queueDepth(model: name, rows: $0) })
  }

  /// Loads `model` as version `version` of `name` into the registry, in front of a new batcher.
  public func serve(_ model: any ServableModel, name: String, version: Int64 = 1, source: String = "memory") {
    registry.add(
      LoadedVersion(version: version, source: source, batcher: makeBatcher(for: model, name: name, version: version)),
      as: name)
  }

  /// The HTTP application: bind address from ``options``, `services` run beside the server (a
  /// ``ModelRepository`` poller), graceful shutdown on SIGTERM and SIGINT when run with `runService()`.
  public func makeApplication(
    services: [any Service] = [], onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
  ) -> some ApplicationProtocol {
    Application(
      router: makeRouter(),
      // A new handler per connection (the configuration's argument is an autoclosure).
      server: .http1(
        configuration: .init(additionalChannelHandlers: [AdmissionHandler(admission: admission, onRefused: refused)])),
      configuration: ApplicationConfiguration(
        address: .hostname(options.host, port: options.port), serverName: "swift-keras",
        backlog: options.listenBacklog),
      services: services,
      onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
      logger: logger)
  }

  /// Counts a predict request for `model` refused by the in-flight bound.
  @Sendable private func refused(_ model: String) {
    metrics.refusedInFlight(model: model)
    if !registry.versions(of: model).isEmpty {  // no label for names no model has
      metrics.requestFinished(model: model, api: "predict", status: 503, duration: .zero)
    }
  }

  /// The routes.
  public func makeRouter() -> Router<BasicRequestContext> {
    let router = Router()
    router.get("/healthz") { _, _ in Self.json(200, "{\"status\":\"ok\"}") }
    router.get("/readyz") { _, _ in
      registry.isReady
        ? Self.json(200, "{\"status\":\"ready\"}")
        : Self.json(503, "{\"error\":\"no model version is loaded yet\"}")
    }
    router.get("/metrics") { _, _ in
      metrics.inFlight(admission.current)
      return Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
        body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
    }
    router.get("/v1/models/**") { request, _ in await answer(request) }
    router.post("/v1/models/**") { request, _ in await answer(request) }
    return router
  }

  /// One TensorFlow Serving API call, timed, counted and logged; never throws.
  private func answer(_ request: Request) async -> Response {
    let start = ContinuousClock.now
    var call = APICall(model: "", api: "unknown")
    let status: Int
    let body: String
    do {
      call = try APICall(path: request.uri.path, method: request.method)
      body = try await respond(to: call, request: request)
      status = 200
    } catch {
      let failure = Self.servingError(error)
      status = failure.statusCode
      body = "{\"error\":\(JSONTensorWriter.quoted(failure.description))}"
      let level: Logger.Level = status >= 500 && status != 503 ? .error : .info
      logger.log(
        level: level, "request failed",
        metadata: ["model": "\(call.model)", "api": "\(call.api)", "status": "\(status)", "error": "\(failure)"])
    }
    let duration = ContinuousClock.now - start
    if !registry.versions(of: call.model).isEmpty {  // no label for names no model has
      metrics.requestFinished(model: call.model, api: call.api, status: status, duration: duration)
    }
    logger.debug(
      "request",
      metadata: ["model": "\(call.model)", "api": "\(call.api)", "status": "\(status)", "duration": "\(duration)"])
    return Self.json(status, body)
  }

  private func respond(to call: APICall, request: Request) async throws -> String {
    let loaded = try registry.lookup(call.model, version: call.version)
    switch call.api {
    case "status":
      let versions = call.version == nil ? registry.versions(of: call.model) : [loaded]
      return Self.statusJSON(versions)
    case "metadata":
      return Self.metadataJSON(name: call.model, loaded)
    default:
      let body = try await collectBody(request)
      let decoded = try PredictRequest.decode(body, inputs: loaded.model.inputs)
      let outputs = try await loaded.batcher.predict(decoded.inputs)
      return JSONTensorWriter.response(outputs, specs: loaded.model.outputs, format: decoded.format)
    }
  }

  private func collectBody(_ request: Request) async throws -> Data {
    let limit = options.maxBodyBytes
    if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
      throw ServingError.bodyTooLarge(limit: limit)
    }
    do {
      let buffer = try await request.body.collect(upTo: limit)
      return Data(buffer.readableBytesView)
    } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
      throw ServingError.bodyTooLarge(limit: limit)
    }
  }

  /// `error` as the status and message the client gets.
  static func servingError(_ error: any Error) -> ServingError {
    switch error {
    case let error as ServingError: return error
    case let error as KerasError: return .invalidArgument("\(error)")
    case let error as TensorError: return .invalidArgument("\(error)")
    default: return .internalError("\(error)")
    }
  }

  static func json(_ status: Int, _ body: String) -> Response {
    Response(
      status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
      body: .init(byteBuffer: ByteBuffer(string: body)))
  }

  /// TensorFlow Serving's `GetModelStatusResponse` in JSON.
  static func statusJSON(_ versions: [LoadedVersion]) -> String {
    let entries = versions.map { loaded -> [String: Any] in
      [
        "version": String(loaded.version), "state": "AVAILABLE",
        "status": ["error_code": "OK", "error_message": ""] as [String: Any],
      ]
    }
    return serialize(["model_version_status": entries])
  }

  /// TensorFlow Serving's `GetModelMetadataResponse` in JSON: the `serving_default` signature.
  static func metadataJSON(name: String, _ loaded: LoadedVersion) -> String {
    func tensorInfo(_ spec: TensorSpec, tensorName: String) -> [String: Any] {
      [
        "dtype": spec.dtype, "name": tensorName,
        "tensor_shape": [
          "dim": spec.shape.map { ["size": String($0 ?? -1), "name": ""] }, "unknown_rank": false,
        ] as [String: Any],
      ]
    }
    var inputs: [String: Any] = [:]
    for spec in loaded.model.inputs {
      inputs[spec.name] = tensorInfo(spec, tensorName: "serving_default_\(spec.name):0")
    }
    var outputs: [String: Any] = [:]
    for (index, spec) in loaded.model.outputs.enumerated() {
      outputs[spec.name] = tensorInfo(spec, tensorName: "StatefulPartitionedCall:\(index)")
    }
    let signature: [String: Any] = [
      "inputs": inputs, "outputs": outputs, "method_name": "tensorflow/serving/predict",
    ]
    return serialize([
      "model_spec": ["name": name, "signature_name": "", "version": String(loaded.version)],
      "metadata": ["signature_def": ["signature_def": ["serving_default": signature]]],
    ])
  }

  private static func serialize(_ object: [String: Any]) -> String {
    let data =
      (try? JSONSerialization.data(
        withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
    return String(decoding: data, as: UTF8.self)
  }
}

/// A request path under `/v1/models/` taken apart: model name, version and API.
struct APICall {
  /// The model name ("" when the path is malformed).
  var model: String
  /// The version asked for; nil for the highest.
  var version: Int64? = nil
  /// `predict`, `status`, `metadata` (or `unknown` for a malformed path).
  var api: String

  init(model: String, api: String) {
    self.model = model
    self.api = api
  }

  /// Parses `NAME[/versions/V][:predict | /metadata]` after `/v1/models/`.
  ///
  /// - Throws: ``ServingError/notFound(_:)`` for any other path or method (TensorFlow Serving's
  ///   "Malformed request").
  init(path: String, method: HTTPRequest.Method) throws {
    let malformed = ServingError.notFound("Malformed request: \(method) \(path)")
    let decoded = path.removingPercentEncoding ?? path
    guard decoded.hasPrefix("/v1/models/") else { throw malformed }
    var rest = String(decoded.dropFirst("/v1/models/".count))
    var verb: String? = nil
    if let colon = rest.lastIndex(of: ":") {
      verb = String(rest[rest.index(after: colon)...])
      rest = String(rest[..<colon])
    }
    var parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    guard let name = parts.first, !name.isEmpty else { throw malformed }
    parts.removeFirst()
    var api = "status"
    if parts.last == "metadata" && verb == nil {
      api = "metadata"
      parts.removeLast()
    }
    if parts.count == 2 && parts[0] == "versions" {
      guard let number = Int64(parts[1]) else { throw malformed }
      version = number
    } else if !parts.isEmpty {
      throw malformed
    }
    switch (verb, method) {
    case (nil, .get): break
    case ("predict", .post) where api == "status": api = "predict"
    default: throw malformed
    }
    self.model = name
    self.api = api
  }
}
