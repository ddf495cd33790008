/// The root of the mean squared error over all values so far, `sqrt(mean((yPred - yTrue)²))`
/// (`keras.metrics.RootMeanSquaredError`).
///
/// Unlike ``MeanSquaredError`` the squared errors are averaged per sample over all trailing
/// axes and the root is taken of the running mean, so `[N]` inputs count every sample.
public final class RootMeanSquaredError: MeanMetricWrapper {
  /// The running mean of the squared errors.
  public let mean: Mean

  /// Root mean squared error named as in Keras, `"root_mean_squared_error"`.
  public init(name: String = "root_mean_squared_error") {
    self.mean = Mean(name: name)
  }

  /// `(yPred - yTrue)²` elementwise, shaped like the broadcast inputs.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes do not broadcast.
  public func values(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
    try perSampleValues(yTrue, yPred) { MetricValues.rankMatchedElementwise($0, $1) { ($1 - $0) * ($1 - $0) } }
  }

  /// `sqrt` of the running mean of the squared errors.
  public func result() -> Float { mean.result().squareRoot() }

  /// `{"class_name": "RootMeanSquaredError", "config": {"name", "dtype"}, ...}`.
  public var config: ConfigValue { metricConfig(className: "RootMeanSquaredError", name: name) }
}

extension MetricClass {
  /// ``RootMeanSquaredError`` in the registry of metrics.
  static let rootMeanSquaredError = MetricClass("RootMeanSquaredError") { RootMeanSquaredError(name: $0) }
}
