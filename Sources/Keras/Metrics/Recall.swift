/// The fraction of positive labels predicted positive, `TP / (TP + FN)` (`keras.metrics.Recall`).
///
/// Every element of the predictions is a yes/no prediction, positive when greater than the
/// threshold; see ``ConfusionMatrixMetric`` for the shapes.
///
/// ```swift
/// let recall = Recall()                        // at 0.5, named "recall"
/// let curve = Recall(thresholds: [0.3, 0.5])   // resultPerThreshold() gives both
/// ```
public final class Recall: ConfusionMatrixMetric {
  /// Recall at `thresholds` (default 0.5, or only the `topK` highest of each sample when `topK`
  /// is given), counting only index `classId` of the last axis when given.
  public init(thresholds: MetricThresholds? = nil, topK: Int? = nil, classId: Int? = nil, name: String? = nil) {
    super.init(
      className: "Recall", counterpart: \.falseNegatives, thresholds: thresholds, topK: topK, classId: classId,
      name: name)
  }
}

extension MetricClass {
  /// ``Recall`` in the registry of metrics.
  /// Keras creates it with its unique default name, then renames it.
  static let recall = MetricClass("Recall") { name in
    let metric = Recall()
    metric.name = name
    return metric
  }
}
