/// The mean absolute percentage error `100 · mean(|yTrue - yPred| / max(|yTrue|, 1e-7))`
/// (`keras.metrics.MeanAbsolutePercentageError`; the string `"mape"` gives it named `"mape"`).
///
/// Labels and predictions are `[N, D]` (each sample's value is its mean over `D`) or `[N]`
/// (one value per batch, as in Keras).
public final class MeanAbsolutePercentageError: MeanMetricWrapper {
  /// The running mean of the per-sample errors.
  public let mean: Mean

  /// Mean absolute percentage error named as in Keras, `"mean_absolute_percentage_error"`.
  public init(name: String = "mean_absolute_percentage_error") {
    self.mean = Mean(name: name)
  }

  /// `100 · mean(|(yTrue - yPred) / max(|yTrue|, ε)|)` over the last axis, ε = 1e-7: shape `[N]`
  /// for `[N, D]`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes do not broadcast.
  public func values(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
    let epsilon: Float = 1e-7
    return try perSampleValues(yTrue, yPred) {
      MetricValues.rankMatchedElementwise($0, $1) { Swift.abs(($0 - $1) / Swift.max(Swift.abs($0), epsilon)) }?
        .meanOfLastAxis()?.map { 100 * $0 }
    }
  }

  /// `{"class_name": "MeanAbsolutePercentageError", "config": {"name", "dtype"}, ...}`.
  public var config: ConfigValue { metricConfig(className: "MeanAbsolutePercentageError", name: name) }
}

extension MetricClass {
  /// ``MeanAbsolutePercentageError`` in the registry of metrics.
  static let meanAbsolutePercentageError = MetricClass("MeanAbsolutePercentageError", aliases: ["mape", "MAPE"]) {
    MeanAbsolutePercentageError(name: $0)
  }
}
