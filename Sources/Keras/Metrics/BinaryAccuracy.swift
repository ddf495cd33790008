/// How often predictions match binary labels (`keras.metrics.BinaryAccuracy`): a prediction
/// counts as 1 when it is greater than `threshold`, and matches when that equals the label.
///
/// Labels and predictions are `[N]`, `[N, 1]` or `[N, D]` (one may have an extra trailing axis
/// of 1); with `D > 1` each sample's value is the fraction of its `D` outputs that match.
/// `"accuracy"` resolves to this metric when the predictions' last axis is 1.
public final class BinaryAccuracy: MeanMetricWrapper {
  /// The running mean of the matches.
  public let mean: Mean
  /// Predictions greater than this count as 1.
  public let threshold: Float

  /// Binary accuracy with Keras' defaults: `threshold` 0.5, name `"binary_accuracy"`.
  public init(threshold: Float = 0.5, name: String = "binary_accuracy") {
    self.threshold = threshold
    self.mean = Mean(name: name)
  }

  /// 1 where `yPred > threshold` equals `yTrue`, else 0: shaped like the broadcast inputs.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes do not broadcast.
  public func values(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
    let threshold = threshold
    return try perSampleValues(yTrue, yPred) {
      MetricValues.rankMatchedElementwise($0, $1) { label, prediction in
        label == (prediction > threshold ? 1 : 0) ? 1 : 0
      }
    }
  }

  /// `{"class_name": "BinaryAccuracy", "config": {"name", "dtype", "threshold"}, ...}`.
  public var config: ConfigValue {
    metricConfig(className: "BinaryAccuracy", name: name, [("threshold", .decimal(threshold))])
  }
}

extension MetricClass {
  /// ``BinaryAccuracy`` in the registry of metrics.
  static let binaryAccuracy = MetricClass("BinaryAccuracy") { BinaryAccuracy(name: $0) }
}
