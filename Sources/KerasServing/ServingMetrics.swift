import Prometheus

/// The server's Prometheus metrics: requests by model, API and status, request latency, batch sizes
/// and queue depth, exposed at `/metrics`.
public final class ServingMetrics: Sendable {
  /// The registry the metrics live in; `/metrics` emits it.
  public let registry: PrometheusCollectorRegistry

  /// Metrics in a registry of their own.
  public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
    self.registry = registry
  }

  /// Counts a finished request and records its latency.
  func requestFinished(model: String, api: String, status: Int, duration: Duration) {
    registry.makeCounter(
      descriptor: MetricNameDescriptor(
        namespace: "keras_serving", metricName: "requests", unitName: "total",
        helpText: "Requests answered, by model, API (predict, status, metadata) and HTTP status."),
      labels: [("model", model), ("api", api), ("status", String(status))]
    ).increment()
    registry.makeDurationHistogram(
      descriptor: MetricNameDescriptor(
        namespace: "keras_serving", metricName: "request_duration", unitName: "seconds",
        helpText: "Time from the request's arrival to its answer."),
      labels: [("model", model), ("api", api)],
      buckets: [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
      ]
    ).record(duration)
  }

  /// Records the rows of one batch run by the model.
  func batchRun(model: String, rows: Int) {
    registry.makeValueHistogram(
      descriptor: MetricNameDescriptor(
        namespace: "keras_serving", metricName: "batch_size", unitName: "rows",
        helpText: "Rows per batch given to the model."),
      labels: [("model", model)],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
    ).record(Double(rows))
  }

  /// Records the rows waiting in a model's batching queue.
  func queueDepth(model: String, rows: Int) {
    registry.makeGauge(
      descriptor: MetricNameDescriptor(
        namespace: "keras_serving", metricName: "queue_depth", unitName: "rows",
        helpText: "Rows waiting in the batching queue."),
      labels: [("model", model)]
    ).set(Double(rows))
  }

  /// Counts a predict request refused (503) because the in-flight bound was reached.
  func refusedInFlight(model: String) {
    registry.makeCounter(
      descriptor: MetricNameDescriptor(
        namespace: "keras_serving", metricName: "refused_in_flight", unitName: "total",
        helpText: "Predict requests answered 503 at arrival because --max-in-flight requests were in flight."),
      labels: [("model", model)]
    ).increment()
  }

  /// Records the predict requests in flight (received, not yet answered).
  func inFlight(_ requests: Int) {
    registry.makeGauge(
      descriptor: MetricNameDescriptor(
        namespace: "keras_serving", metricName: "requests_in_flight", unitName: "",
        helpText: "Predict requests received and not yet answered.")
    ).set(Double(requests))
  }

  /// The metrics in Prometheus' text format.
  public func exposition() -> String { registry.emitToString() }
}
