/// How often the predicted class matches an integer label
/// (`keras.metrics.SparseCategoricalAccuracy`): the argmax of the prediction (first index on
/// ties) against the class index held as a float.
///
/// Labels are `[N]` or `[N, 1]` class indices, predictions `[N, C]` scores (or `[N, T]` against
/// `[N, T, C]`, averaged per sample over `T`). `"accuracy"` resolves to this metric when the
/// labels have one axis fewer than the predictions, or a last axis of 1 against `C > 1`.
public final class SparseCategoricalAccuracy: MeanMetricWrapper {
  /// The running mean of the matches.
  public let mean: Mean

  /// Sparse categorical accuracy named as in Keras, `"sparse_categorical_accuracy"`.
  public init(name: String = "sparse_categorical_accuracy") {
    self.mean = Mean(name: name)
  }

  /// 1 where `argmax(yPred) == yTrue`, else 0: shape `[N]` for labels `[N]` or `[N, 1]`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes do not fit.
  public func values(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
    try perSampleValues(yTrue, yPred, Self.matches)
  }

  /// Keras' `sparse_categorical_accuracy`, or `nil` when the shapes do not fit.
  static func matches(_ yTrue: MetricValues, _ yPred: MetricValues) -> MetricValues? {
    var labels = yTrue
    let reshape = yTrue.rank == yPred.rank && yTrue.shape.last == 1
    if reshape { labels = labels.squeezingLastAxis()! }
    guard let predicted = yPred.argmaxOfLastAxis(),
      var matches = MetricValues.elementwise(labels, predicted, { $0 == $1 ? 1 : 0 })
    else { return nil }
    if reshape {
      guard let reshaped = matches.reshaped(yTrue.shape) else { return nil }
      matches = reshaped
    }
    if matches.rank > 1, let squeezed = matches.squeezingLastAxis() { matches = squeezed }
    return matches
  }

  /// `{"class_name": "SparseCategoricalAccuracy", "config": {"name", "dtype"}, ...}`.
  public var config: ConfigValue { metricConfig(className: "SparseCategoricalAccuracy", name: name) }
}

extension MetricClass {
  /// ``SparseCategoricalAccuracy`` in the registry of metrics.
  static let sparseCategoricalAccuracy = MetricClass("SparseCategoricalAccuracy") {
    SparseCategoricalAccuracy(name: $0)
  }
}
