/// The fraction of positive labels predicted positive, `TP / (TP + FN)` (`keras.metrics.Recall`).
///
/// Labels and predictions have the same shape (`[N]`, `[N, 1]` or `[N, D]`, one may carry an
/// extra trailing axis of 1); every element is a yes/no prediction: positive when greater
/// than the threshold, against a label that is positive when not 0. Sample weights `[N]` weigh
/// every element of a sample.
public final class Recall: Metric {
  /// The name logged for this metric: Keras' unique default `recall`, `recall_1`, ...
  public var name: String
  /// The thresholds: 0.5 by default, or `-1e10` when only `topK` selects the positives.
  public var thresholds: [Float] { counts.thresholds }
  /// Only the `topK` highest predictions of each sample count as positive.
  public let topK: Int?
  /// Only this index of the predictions' last axis is counted.
  public let classId: Int?
  private var counts: ConfusionCounts
  private var thresholdsConfig: ConfigValue

  /// Recall at each of `thresholds` (each in `[0, 1]`; default 0.5, or only the `topK`
  /// highest when `topK` is given), counting only `classId` of the last axis when given.
  public init(thresholds: [Float]? = nil, topK: Int? = nil, classId: Int? = nil, name: String? = nil) {
    (counts, thresholdsConfig) = ConfusionCounts.forThresholdMetric(thresholds, topK: topK, classId: classId)
    self.topK = topK
    self.classId = classId
    self.name = name ?? LayerNames.unique("recall")
  }

  /// Recall at one threshold in `[0, 1]`.
  public convenience init(thresholds: Float, topK: Int? = nil, classId: Int? = nil, name: String? = nil) {
    self.init(thresholds: [thresholds], topK: topK, classId: classId, name: name)
    thresholdsConfig = .decimal(thresholds)
  }

  /// Adds a batch's true positives and false negatives.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the metric and the shapes that do not fit.
  public func update(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor?) throws {
    try counts.add(yTrue, yPred, sampleWeight: sampleWeight, metric: name)
  }

  /// The recall at the first threshold; 0 before any positive label.
  public func result() -> Float { resultPerThreshold()[0] }

  /// The recall at each threshold.
  public func resultPerThreshold() -> [Float] {
    zip(counts.truePositives, counts.falseNegatives).map { tp, fn in tp + fn == 0 ? 0 : tp / (tp + fn) }
  }

  /// Sets the counts to 0.
  public func reset() { counts.reset() }

  /// `{"class_name": "Recall", "config": {"name", "dtype", "thresholds", "top_k", "class_id"}, ...}`.
  public var config: ConfigValue {
    metricConfig(
      className: "Recall", name: name,
      [
        ("thresholds", thresholdsConfig), ("top_k", topK.map { .int($0) } ?? nil),
        ("class_id", classId.map { .int($0) } ?? nil),
      ])
  }
}
