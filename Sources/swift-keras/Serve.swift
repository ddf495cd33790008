import ArgumentParser
import Hummingbird
import KerasServing
import Logging
import ServiceLifecycle

/// `swift-keras serve MODEL_FILE [--name NAME]` or `swift-keras serve --model-base-path DIR`: a
/// model server speaking TensorFlow Serving's REST API.
struct Serve: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Serve models over TensorFlow Serving's REST API (POST /v1/models/NAME:predict).",
    discussion: """
      Serves one file (as version 1 of --name), or every model under --model-base-path laid out as
      TensorFlow Serving's DIR/NAME/<version>/model.keras (or model.h5): the highest version of each,
      with new version directories picked up while running. Stops gracefully on SIGTERM or SIGINT.
      """)

  @Argument(help: "A .keras or .h5 model file to serve (or use --model-base-path).")
  var modelFile: String?

  @Option(help: "The model's name in URLs (default: the file name without extension).")
  var name: String?

  @Option(help: "A directory of models laid out as DIR/NAME/<version>/model.keras.")
  var modelBasePath: String?

  @Option(help: "Seconds between reads of --model-base-path.")
  var fileSystemPollWaitSeconds = 1

  @Option(help: "The address to listen on.")
  var host = "127.0.0.1"

  @Option(help: "The port to listen on (TensorFlow Serving's REST port by default).")
  var port = 8501

  @Option(help: "The most rows one batch gives the model.")
  var maxBatchSize = 32

  @Option(help: "How long a request may wait for others to fill its batch, in microseconds.")
  var batchTimeoutMicros = 0

  @Option(help: "Batches that may wait before requests are refused with 503.")
  var maxEnqueuedBatches = 10

  @Option(
    help: """
      The most predict requests in flight (received, not yet answered); one more is answered 503 \
      before its body is read (default: --max-batch-size × --max-enqueued-batches).
      """)
  var maxInFlight: Int?

  @Option(help: "Connections the kernel may hold before the server accepts them (capped by net.core.somaxconn).")
  var listenBacklog = 4096

  @Option(help: "The largest request body in bytes (larger ones get 413).")
  var maxBodyBytes = 16 << 20

  @Option(help: "trace, debug, info, notice, warning, error or critical.")
  var logLevel = "info"

  func validate() throws {
    guard (modelFile == nil) != (modelBasePath == nil) else {
      throw ValidationError("give either MODEL_FILE or --model-base-path")
    }
    guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535, got \(port)") }
    guard maxBatchSize > 0, maxEnqueuedBatches > 0, batchTimeoutMicros >= 0, maxBodyBytes > 0,
      fileSystemPollWaitSeconds > 0
    else {
      throw ValidationError(
        "--max-batch-size, --max-enqueued-batches, --max-body-bytes and the poll wait must be positive")
    }
    guard listenBacklog > 0 else { throw ValidationError("--listen-backlog must be positive, got \(listenBacklog)") }
    if let maxInFlight, maxInFlight <= 0 {
      throw ValidationError("--max-in-flight must be positive, got \(maxInFlight)")
    }
    guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
  }

  func run() async throws {
    var logger = Logger(label: "swift-keras.serve")
    logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
    let options = ServerOptions(
      host: host, port: port,
      batching: BatchingOptions(
        maxBatchSize: maxBatchSize, batchTimeoutMicros: batchTimeoutMicros, maxEnqueuedBatches: maxEnqueuedBatches),
      maxBodyBytes: maxBodyBytes, maxInFlight: maxInFlight, listenBacklog: listenBacklog)
    var services: [any Service] = []
    let server: ModelServer
    if let modelFile {
      let modelName = name ?? defaultName(modelFile)
      server = ModelServer(registry: ModelRegistry(expectedModels: [modelName]), options: options, logger: logger)
      let model = try oneLineErrors { try ModelServable(contentsOf: modelFile) }
      server.serve(model, name: modelName, version: 1, source: modelFile)
      logger.info("model loaded", metadata: ["model": "\(modelName)", "file": "\(modelFile)"])
    } else {
      let base = modelBasePath!
      server = ModelServer(
        registry: ModelRegistry(expectedModels: Set(name.map { [$0] } ?? [])), options: options, logger: logger)
      let repository = ModelRepository(
        basePath: base, modelNames: name.map { [$0] }, pollInterval: .seconds(fileSystemPollWaitSeconds), server: server
      )
      repository.poll()
      guard !server.registry.modelNames.isEmpty else {
        throw CommandError("no model version found under \(base) (expected \(base)/NAME/<version>/model.keras)")
      }
      services.append(repository)
    }
    let app = server.makeApplication(services: services) { [logger] port in
      logger.info(
        "serving", metadata: ["address": "http://\(host):\(port)", "models": "\(server.registry.modelNames)"])
    }
    try await app.runService()
  }

  private func defaultName(_ file: String) -> String {
    let base = file.split(separator: "/").last.map(String.init) ?? file
    return base.split(separator: ".").first.map(String.init) ?? base
  }
}
