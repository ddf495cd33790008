/// The mean absolute error `mean(|yTrue - yPred|)` (`keras.metrics.MeanAbsoluteError`; the
/// string `"mae"` gives it named `"mae"`).
///
/// Labels and predictions are `[N, D]` (each sample's value is its mean over `D`) or `[N]`.
/// As in Keras, `[N]` inputs make one value per batch (the batch mean), so each batch then
/// counts once, however many samples it has.
public final class MeanAbsoluteError: MeanMetricWrapper {
  /// The running mean of the per-sample errors.
  public let mean: Mean

  /// Mean absolute error named as in Keras, `"mean_absolute_error"`.
  public init(name: String = "mean_absolute_error") {
    self.mean = Mean(name: name)
  }

  /// `mean(|yTrue - yPred|)` over the last axis: shape `[N]` for `[N, D]`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes do not broadcast.
  public func values(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
    try perSampleValues(yTrue, yPred) {
      MetricValues.rankMatchedElementwise($0, $1) { Swift.abs($0 - $1) }?.meanOfLastAxis()
    }
  }

  /// `{"class_name": "MeanAbsoluteError", "config": {"name", "dtype"}, ...}`.
  public var config: ConfigValue { metricConfig(className: "MeanAbsoluteError", name: name) }
}

extension MetricClass {
  /// ``MeanAbsoluteError`` in the registry of metrics.
  static let meanAbsoluteError = MetricClass("MeanAbsoluteError", aliases: ["mae", "MAE"]) {
    MeanAbsoluteError(name: $0)
  }
}
