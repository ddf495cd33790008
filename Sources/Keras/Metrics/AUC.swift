import Foundation

/// The area under the ROC or precision-recall curve (`keras.metrics.AUC`), approximated as
/// Keras does: predictions are counted at `numThresholds` thresholds spread evenly over
/// `[0, 1]` (the ends moved out by 1e-7 so that 0 and 1 are counted), and the curve through
/// those points is summed as a Riemann sum.
///
/// Labels and predictions have the same shape (`[N]`, `[N, 1]` or `[N, L]`); every element is
/// one yes/no prediction in `[0, 1]` (or a logit with `fromLogits`), unless `multiLabel`, when
/// each of the `L` labels gets its own curve and the areas are averaged.
public final class AUC: Metric {
  /// Which curve to take the area under.
  public enum Curve: String, Sendable {
    /// True positive rate against false positive rate.
    case roc = "ROC"
    /// Precision against recall.
    case pr = "PR"
    /// Precision gain against recall gain.
    case prGain = "PRGAIN"
  }

  /// How the area between two thresholds is taken.
  public enum SummationMethod: String, Sendable {
    /// Trapezoids for ROC; for PR, true and false positives interpolated linearly (Davis &
    /// Goadrich 2006).
    case interpolation
    /// The larger of the two heights.
    case majoring
    /// The smaller of the two heights.
    case minoring
  }

  /// The name logged for this metric: Keras' unique default `auc`, `auc_1`, ...
  public var name: String
  /// The number of thresholds, including the two ends.
  public let numThresholds: Int
  /// The curve whose area is computed.
  public let curve: Curve
  /// How the area is summed.
  public let summationMethod: SummationMethod
  /// Whether each label of `[N, L]` data gets its own curve (the areas averaged).
  public let multiLabel: Bool
  /// The number of labels given for `multiLabel` (otherwise taken from the first batch).
  public let numLabels: Int?
  /// Weights of the labels: of the per-label areas when `multiLabel`, else of each prediction
  /// by its index along the last axis.
  public let labelWeights: [Float]?
  /// Whether predictions are logits, passed through a sigmoid first.
  public let fromLogits: Bool
  /// The thresholds, including the ends `-1e-7` and `1 + 1e-7`.
  public var thresholds: [Float] { counts.thresholds }
  private let userThresholds: [Float]?
  private var counts: ConfusionCounts

  /// An AUC with Keras' defaults: 200 thresholds, the ROC curve, interpolation.
  ///
  /// `thresholds`, when given, are used (sorted, each in `[0, 1]`) instead of `numThresholds`
  /// evenly spaced ones.
  public init(
    numThresholds: Int = 200, curve: Curve = .roc, summationMethod: SummationMethod = .interpolation,
    name: String? = nil, thresholds: [Float]? = nil, multiLabel: Bool = false, numLabels: Int? = nil,
    labelWeights: [Float]? = nil, fromLogits: Bool = false
  ) {
    precondition(thresholds != nil || numThresholds > 1, "AUC: numThresholds must be > 1, got \(numThresholds)")
    precondition(multiLabel || numLabels == nil, "AUC: numLabels is needed only when multiLabel is true")
    let epsilon: Double = 1e-7
    var inner: [Double]
    if let thresholds {
      inner = thresholds.sorted().map(Double.init)
      self.numThresholds = inner.count + 2
    } else {
      inner = (0..<(numThresholds - 2)).map { Double($0 + 1) / Double(numThresholds - 1) }
      self.numThresholds = numThresholds
    }
    let all = ([-epsilon] + inner + [1 + epsilon]).map(Float.init)
    counts = ConfusionCounts(
      thresholds: all, evenlyDistributed: ConfusionCounts.isEvenlyDistributed([0] + inner + [1]),
      multiLabel: multiLabel, labels: numLabels)
    userThresholds = thresholds
    self.curve = curve
    self.summationMethod = summationMethod
    self.multiLabel = multiLabel
    self.numLabels = numLabels
    self.labelWeights = labelWeights
    self.fromLogits = fromLogits
    self.name = name ?? LayerNames.unique("auc")
  }

  /// Adds a batch's counts at every threshold.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the metric and the shapes that do not
  ///   fit (with `multiLabel`, predictions must be `[N, L]` with the same `L` every batch).
  public func update(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor?) throws {
    var predictions = yPred
    if fromLogits {
      predictions = Tensor(shape: yPred.shape) { out in
        yPred.withUnsafeBufferPointer { for i in 0..<$0.count { out[i] = 1 / (1 + Foundation.exp(-$0[i])) } }
      }
    }
    try counts.add(
      yTrue, predictions, sampleWeight: sampleWeight, metric: name, labelWeights: multiLabel ? nil : labelWeights)
  }

  /// The area under the curve; 0 before any data.
  public func result() -> Float {
    guard let labels = counts.labels else { return 0 }
    let areas = (0..<labels).map { area(label: $0, labels: labels) }
    if !multiLabel { return areas[0] }
    guard let labelWeights else { return Float(areas.reduce(0, { $0 + Double($1) }) / Double(labels)) }
    let weightSum = labelWeights.reduce(0, +)
    let weighted = zip(areas, labelWeights).reduce(0) { $0 + $1.0 * $1.1 }
    return weightSum == 0 ? 0 : weighted / weightSum
  }

  /// The area for one label (Keras' `result` / `interpolate_pr_auc`, in float32).
  private func area(label: Int, labels: Int) -> Float {
    let count = numThresholds
    func at(_ values: [Float], _ t: Int) -> Float { values[t * labels + label] }
    let tp = (0..<count).map { at(counts.truePositives, $0) }
    let fp = (0..<count).map { at(counts.falsePositives, $0) }
    let tn = (0..<count).map { at(counts.trueNegatives, $0) }
    let fn = (0..<count).map { at(counts.falseNegatives, $0) }
    func ratio(_ a: Float, _ b: Float) -> Float { b == 0 ? 0 : a / b }
    var terms = [Float]()
    if curve == .pr && summationMethod == .interpolation {
      for t in 0..<(count - 1) {
        let dtp = tp[t] - tp[t + 1]
        let p = tp[t] + fp[t]
        let pNext = tp[t + 1] + fp[t + 1]
        let slope = ratio(dtp, Swift.max(p - pNext, 0))
        let intercept = tp[t + 1] - slope * pNext
        let pRatio = p > 0 && pNext > 0 ? ratio(p, Swift.max(pNext, 0)) : 1
        terms.append(ratio(slope * (dtp + intercept * Foundation.log(pRatio)), Swift.max(tp[t + 1] + fn[t + 1], 0)))
      }
    } else {
      let recall = (0..<count).map { ratio(tp[$0], tp[$0] + fn[$0]) }
      let x: [Float]
      let y: [Float]
      switch curve {
      case .roc:
        x = (0..<count).map { ratio(fp[$0], fp[$0] + tn[$0]) }
        y = recall
      case .pr:
        x = recall
        y = (0..<count).map { ratio(tp[$0], tp[$0] + fp[$0]) }
      case .prGain:
        let scale = (0..<count).map { ratio(tp[$0] + fn[$0], tn[$0] + fp[$0]) }
        x = (0..<count).map { tp[$0] == 0 ? 0 : Swift.max(1 - scale[$0] * ratio(fn[$0], tp[$0]), 0) }
        y = (0..<count).map { tp[$0] == 0 ? 1 : 1 - scale[$0] * ratio(fp[$0], tp[$0]) }
      }
      for t in 0..<(count - 1) {
        let height: Float
        switch summationMethod {
        case .interpolation: height = (y[t] + y[t + 1]) / 2
        case .minoring: height = Swift.min(y[t], y[t + 1])
        case .majoring: height = Swift.max(y[t], y[t + 1])
        }
        terms.append((x[t] - x[t + 1]) * height)
      }
    }
    return Float(terms.reduce(0.0) { $0 + Double($1) })
  }

  /// Sets the counts to 0.
  public func reset() { counts.reset() }

  /// The label weights as Keras serializes a tensor argument.
  private var labelWeightsConfig: ConfigValue {
    guard let labelWeights else { return nil }
    return .object([
      ("class_name", "__tensor__"),
      ("config", .object([("value", .array(labelWeights.map { .decimal($0) })), ("dtype", "float32")])),
    ])
  }

  /// `{"class_name": "AUC", "config": {"name", "dtype", "num_thresholds", "curve",
  /// "summation_method", "multi_label", "num_labels", "label_weights", "from_logits"
  /// (, "thresholds")}, ...}`.
  public var config: ConfigValue {
    var settings: [(String, ConfigValue)] = [
      ("num_thresholds", .int(numThresholds)), ("curve", .string(curve.rawValue)),
      ("summation_method", .string(summationMethod.rawValue)), ("multi_label", .bool(multiLabel)),
      ("num_labels", numLabels.map { .int($0) } ?? nil),
      ("label_weights", labelWeightsConfig), ("from_logits", .bool(fromLogits)),
    ]
    if let userThresholds { settings.append(("thresholds", .array(userThresholds.sorted().map { .decimal($0) }))) }
    return metricConfig(className: "AUC", name: name, settings)
  }
}

extension MetricClass {
  /// ``AUC`` in the registry of metrics.
  /// Keras creates it with its unique default name, then renames it.
  static let auc = MetricClass("AUC") { name in
    let metric = AUC()
    metric.name = name
    return metric
  }
}
