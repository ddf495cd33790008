/// The fraction of positive predictions that are right, `TP / (TP + FP)` (`keras.metrics.Precision`).
///
/// Every element of the predictions is a yes/no prediction, positive when greater than the
/// threshold; see ``ConfusionMatrixMetric`` for the shapes.
///
/// ```swift
/// let precision = Precision()                     // at 0.5, named "precision"
/// let curve = Precision(thresholds: [0.3, 0.5])   // resultPerThreshold() gives both
/// ```
public final class Precision: ConfusionMatrixMetric {
  /// Precision at `thresholds` (default 0.5, or only the `topK` highest of each sample when
  /// `topK` is given), counting only index `classId` of the last axis when given.
  public init(thresholds: MetricThresholds? = nil, topK: Int? = nil, classId: Int? = nil, name: String? = nil) {
    super.init(
      className: "Precision", counterpart: \.falsePositives, thresholds: thresholds, topK: topK, classId: classId,
      name: name)
  }
}

extension MetricClass {
  /// ``Precision`` in the registry of metrics.
  /// Keras creates it with its unique default name, then renames it.
  static let precision = MetricClass("Precision") { name in
    let metric = Precision()
    metric.name = name
    return metric
  }
}
