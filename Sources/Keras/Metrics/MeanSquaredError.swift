/// The mean squared error `mean((yTrue - yPred)²)` (`keras.metrics.MeanSquaredError`; the
/// string `"mse"` gives it named `"mse"`).
///
/// Labels and predictions are `[N, D]` (each sample's value is its mean over `D`) or `[N]`.
/// As in Keras, `[N]` inputs make one value per batch (the batch mean), so each batch then
/// counts once, however many samples it has.
public final class MeanSquaredError: MeanMetricWrapper {
  /// The running mean of the per-sample errors.
  public let mean: Mean

  /// Mean squared error named as in Keras, `"mean_squared_error"`.
  public init(name: String = "mean_squared_error") {
    self.mean = Mean(name: name)
  }

  /// `mean((yTrue - yPred)²)` over the last axis: shape `[N]` for `[N, D]`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes do not broadcast.
  public func values(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
    try perSampleValues(yTrue, yPred) {
      MetricValues.rankMatchedElementwise($0, $1) { ($0 - $1) * ($0 - $1) }?.meanOfLastAxis()
    }
  }

  /// `{"class_name": "MeanSquaredError", "config": {"name", "dtype"}, ...}`.
  public var config: ConfigValue { metricConfig(className: "MeanSquaredError", name: name) }
}

extension MetricClass {
  /// ``MeanSquaredError`` in the registry of metrics.
  static let meanSquaredError = MetricClass("MeanSquaredError", aliases: ["mse", "MSE"]) { MeanSquaredError(name: $0) }
}
