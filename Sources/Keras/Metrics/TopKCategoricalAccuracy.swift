/// How often the one-hot label's class is among the `k` highest predictions
/// (`keras.metrics.TopKCategoricalAccuracy`).
///
/// Labels and predictions are `[N, C]` (or `[N, T, C]`). As TensorFlow's `in_top_k`, a class
/// is in the top `k` when fewer than `k` classes score strictly higher, so ties at the
/// boundary count as in; a non-finite score never is.
public final class TopKCategoricalAccuracy: MeanMetricWrapper {
  /// The running mean of the matches.
  public let mean: Mean
  /// How many of the highest predictions count.
  public let k: Int

  /// Top-`k` accuracy with Keras' defaults: `k` 5, name `"top_k_categorical_accuracy"`.
  public init(k: Int = 5, name: String = "top_k_categorical_accuracy") {
    precondition(k >= 1, "TopKCategoricalAccuracy: k must be at least 1, got \(k)")
    self.k = k
    self.mean = Mean(name: name)
  }

  /// 1 where the class of `argmax(yTrue)` is in the top `k` of `yPred`, else 0: shape `[N]`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes do not fit.
  public func values(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
    let k = k
    return try perSampleValues(yTrue, yPred) { Self.matches($0, $1, k: k) }
  }

  /// Keras' `top_k_categorical_accuracy`, or `nil` when the shapes do not fit.
  static func matches(_ yTrue: MetricValues, _ yPred: MetricValues, k: Int) -> MetricValues? {
    guard let labels = yTrue.argmaxOfLastAxis(), labels.rank >= 1, yPred.rank >= 2, let classes = yPred.shape.last,
      classes > 0, labels.scalars.count == yPred.scalars.count / classes
    else { return nil }
    let rows = labels.scalars.count
    var out = [Float](repeating: 0, count: rows)
    for row in 0..<rows {
      let target = Int(labels.scalars[row])
      guard target < classes else { continue }
      let scores = yPred.scalars[(row * classes)..<((row + 1) * classes)]
      let score = scores[scores.startIndex + target]
      guard score.isFinite, scores.allSatisfy(\.isFinite) else { continue }
      let higher = scores.reduce(0) { $0 + ($1 > score ? 1 : 0) }
      out[row] = higher < k ? 1 : 0
    }
    return MetricValues(shape: labels.shape, scalars: out)
  }

  /// `{"class_name": "TopKCategoricalAccuracy", "config": {"name", "dtype", "k"}, ...}`.
  public var config: ConfigValue { metricConfig(className: "TopKCategoricalAccuracy", name: name, [("k", .int(k))]) }
}

extension MetricClass {
  /// ``TopKCategoricalAccuracy`` in the registry of metrics.
  static let topKCategoricalAccuracy = MetricClass("TopKCategoricalAccuracy") { TopKCategoricalAccuracy(name: $0) }
}
