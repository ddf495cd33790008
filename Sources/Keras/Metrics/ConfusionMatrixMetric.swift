/// What ``Precision`` and ``Recall`` share: true positives counted at each threshold against
/// false positives (precision) or false negatives (recall), and the ratio `TP / (TP + other)`.
///
/// Labels and predictions have the same shape (`[N]`, `[N, 1]` or `[N, D]`, one may carry an
/// extra trailing axis of 1); every element is a yes/no prediction: positive when greater than
/// the threshold, against a label that is positive when not 0. Sample weights `[N]` weigh every
/// element of a sample.
public class ConfusionMatrixMetric: Metric {
  /// The name logged for this metric: Keras' unique default (`precision`, `precision_1`, ...)
  /// unless one is given.
  public var name: String
  /// The thresholds: 0.5 by default, or `-1e10` when only `topK` selects the positives.
  public var thresholds: [Float] { counts.thresholds }
  /// Only the `topK` highest predictions of each sample count as positive.
  public let topK: Int?
  /// Only this index of the predictions' last axis is counted.
  public let classId: Int?
  private let className: String
  private let thresholdsConfig: ConfigValue
  private let counterpart: KeyPath<ConfusionCounts, [Float]>
  private var counts: ConfusionCounts

  /// A metric named `className` in configs whose ratio is `TP / (TP + counterpart)`.
  init(
    className: String, counterpart: KeyPath<ConfusionCounts, [Float]>, thresholds: MetricThresholds?, topK: Int?,
    classId: Int?, name: String?
  ) {
    if let thresholds {
      precondition(!thresholds.values.isEmpty, "\(className): thresholds must not be empty")
      for threshold in thresholds.values {
        precondition(threshold >= 0 && threshold <= 1, "\(className): thresholds must be in [0, 1], got \(threshold)")
      }
    }
    precondition(topK.map { $0 >= 1 } ?? true, "\(className): topK must be at least 1, got \(topK!)")
    precondition(classId.map { $0 >= 0 } ?? true, "\(className): classId must not be negative, got \(classId!)")
    let values = thresholds?.values ?? [topK == nil ? 0.5 : ConfusionCounts.negativeInfinity]
    counts = ConfusionCounts(thresholds: values, topK: topK, classId: classId)
    thresholdsConfig = thresholds?.config ?? nil
    self.className = className
    self.counterpart = counterpart
    self.topK = topK
    self.classId = classId
    self.name = name ?? LayerNames.unique(LayerNames.snakeCase(className))
  }

  /// Adds a batch's counts.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the metric and the shapes that do not fit.
  public func update(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor?) throws {
    try counts.add(yTrue, yPred, sampleWeight: sampleWeight, metric: name)
  }

  /// The ratio at the first threshold; 0 while its denominator is 0.
  public func result() -> Float { resultPerThreshold()[0] }

  /// The ratio at each threshold.
  public func resultPerThreshold() -> [Float] {
    zip(counts.truePositives, counts[keyPath: counterpart]).map { tp, other in tp + other == 0 ? 0 : tp / (tp + other) }
  }

  /// Sets the counts to 0.
  public func reset() { counts.reset() }

  /// `{"class_name": ..., "config": {"name", "dtype", "thresholds", "top_k", "class_id"}, ...}`.
  public var config: ConfigValue {
    metricConfig(
      className: className, name: name,
      [
        ("thresholds", thresholdsConfig), ("top_k", topK.map { .int($0) } ?? nil),
        ("class_id", classId.map { .int($0) } ?? nil),
      ])
  }
}
