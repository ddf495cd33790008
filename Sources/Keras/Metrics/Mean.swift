/// The weighted mean of the values given so far (`keras.metrics.Mean`): the state every
/// averaging metric keeps, and the training loop's loss tracker (`Mean(name: "loss")`).
///
/// Like Keras it keeps two float32 variables, `total` and `count`. A batch of values `[N, ...]`
/// is first averaged per sample over its trailing axes, to `[N]`; then `total` grows by the sum
/// of the (weighted) values and `count` by `N`, or by the sum of the weights. A scalar value
/// counts as one sample. Sample weights `[N]` (or `[N, 1]`, or shaped like the values) are
/// matched to the values by Keras' `squeeze_or_expand_to_same_rank` and broadcast; values with
/// more axes than the weights are first averaged down to the weights' rank.
///
/// ```swift
/// let loss = Mean(name: "loss")
/// loss.update(0.7, weight: 32)   // a batch of 32 with mean loss 0.7
/// loss.update(0.5, weight: 8)
/// loss.result()                  // 0.66
/// ```
public final class Mean: Metric {
  /// The name logged for this metric.
  public var name: String
  /// The weighted sum of the values so far.
  public private(set) var total: Float = 0
  /// The number of samples so far, or the sum of their weights.
  public private(set) var count: Float = 0

  /// A mean with Keras' default name `"mean"`.
  public init(name: String = "mean") {
    self.name = name
  }

  /// Adds values `[N, ...]` (or a scalar) with optional sample weights.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when the weights do not broadcast to the values.
  public func update(_ values: Tensor, sampleWeight: Tensor? = nil) throws {
    guard add(MetricValues(values), sampleWeight: sampleWeight.map(MetricValues.init)) else {
      throw KerasError.invalidArgument(
        "Metric '\(name)': sample_weight of shape \(sampleWeight!.shape) does not fit values of shape \(values.shape)")
    }
  }

  /// Adds one value with a weight: `total += value · weight`, `count += weight` (how Keras' trainer
  /// tracks the loss, weighting each batch's mean loss by its batch size).
  public func update(_ value: Float, weight: Float = 1) {
    total += value * weight
    count += weight
  }

  /// Adds `yPred` as the values (a `Mean` has no labels; `yTrue` is ignored).
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when the weights do not broadcast to the values.
  public func update(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor?) throws {
    try update(yPred, sampleWeight: sampleWeight)
  }

  /// `total / count`, or 0 before anything was counted (Keras' `divide_no_nan`).
  public func result() -> Float {
    count == 0 ? 0 : total / count
  }

  /// Sets `total` and `count` to 0.
  public func reset() {
    total = 0
    count = 0
  }

  /// `{"class_name": "Mean", "config": {"name": ..., "dtype": "float32"}, ...}`.
  public var config: ConfigValue { metricConfig(className: "Mean", name: name) }

  /// Keras' `reduce_to_samplewise_values` followed by the update of `total` and `count`;
  /// `false` (and no change) when the weights do not fit the values.
  func add(_ values: MetricValues, sampleWeight: MetricValues?) -> Bool {
    var values = values
    var weightSum: Float?
    if let sampleWeight {
      var weight: MetricValues
      (values, weight) = MetricValues.squeezeOrExpandToSameRank(values, sampleWeight)
      let weightRank = weight.rank
      if values.rank > weightRank { values = values.meanOfTrailingAxes(from: weightRank) }
      guard let broadcastWeight = weight.broadcast(to: values.shape) else { return false }
      values = MetricValues.elementwise(values, broadcastWeight, *)!
      weight = weightRank > 1 ? broadcastWeight.meanOfTrailingAxes(from: 1) : broadcastWeight
      weightSum = weight.total()
    }
    if values.rank > 1 { values = values.meanOfTrailingAxes(from: 1) }
    total += values.total()
    count += weightSum ?? Float(values.rank >= 1 ? values.shape[0] : 1)
    return true
  }
}
