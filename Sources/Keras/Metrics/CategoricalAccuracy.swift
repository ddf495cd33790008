/// How often the predicted class matches a one-hot label (`keras.metrics.CategoricalAccuracy`):
/// the argmax of the prediction against the argmax of the label (first index on ties).
///
/// Labels and predictions are `[N, C]` (or `[N, T, C]`, averaged per sample over `T`).
/// `"accuracy"` resolves to this metric when labels and predictions have the same rank and
/// `C > 1` classes.
public final class CategoricalAccuracy: MeanMetricWrapper {
  /// The running mean of the matches.
  public let mean: Mean

  /// Categorical accuracy named as in Keras, `"categorical_accuracy"`.
  public init(name: String = "categorical_accuracy") {
    self.mean = Mean(name: name)
  }

  /// 1 where `argmax(yPred) == argmax(yTrue)` over the last axis, else 0: shape `[N]` for `[N, C]`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes do not fit.
  public func values(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
    try perSampleValues(yTrue, yPred, Self.matches)
  }

  /// Keras' `categorical_accuracy`, or `nil` when the shapes do not fit.
  static func matches(_ yTrue: MetricValues, _ yPred: MetricValues) -> MetricValues? {
    guard var labels = yTrue.argmaxOfLastAxis(), let predicted = yPred.argmaxOfLastAxis() else { return nil }
    let labelShape = labels.shape
    let reshape = labels.rank == yPred.rank
    if reshape {
      guard let squeezed = labels.squeezingLastAxis() else { return nil }
      labels = squeezed
    }
    guard let matches = MetricValues.elementwise(labels, predicted, { $0 == $1 ? 1 : 0 }) else { return nil }
    return reshape ? matches.reshaped(labelShape) : matches
  }

  /// `{"class_name": "CategoricalAccuracy", "config": {"name", "dtype"}, ...}`.
  public var config: ConfigValue { metricConfig(className: "CategoricalAccuracy", name: name) }
}

extension MetricClass {
  /// ``CategoricalAccuracy`` in the registry of metrics.
  static let categoricalAccuracy = MetricClass("CategoricalAccuracy") { CategoricalAccuracy(name: $0) }
}
