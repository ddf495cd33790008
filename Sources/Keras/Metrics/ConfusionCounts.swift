/// Weighted counts of true and false positives and negatives at each threshold: the state of
/// ``Precision``, ``Recall`` and ``AUC`` (Keras' `update_confusion_matrix_variables`).
///
/// A prediction is positive at threshold `t` when it is greater than `t`; a label is positive
/// when it is not 0. Counts are float32 as Keras' variables, laid out `[threshold, label]`
/// (one label unless the counts are kept per label for a multi-label AUC).
struct ConfusionCounts {
  /// The thresholds, ascending, as float32.
  let thresholds: [Float]
  /// Whether the thresholds are `0, 1/(T-1), ..., 1` (possibly with the ends moved out by an
  /// epsilon): Keras then buckets clipped predictions instead of comparing with each threshold,
  /// which differs only for predictions outside `[0, 1]`.
  let evenlyDistributed: Bool
  /// Keep only the `topK` highest predictions of each sample's last axis as positive candidates.
  let topK: Int?
  /// Count only this index of the last axis.
  let classId: Int?
  /// Whether counts are kept per label (the last axis of `[N, L]` predictions).
  let multiLabel: Bool
  /// The number of labels counted apart: `L` when ``multiLabel``, else 1; `nil` until known.
  private(set) var labels: Int?
  private(set) var truePositives: [Float] = []
  private(set) var falsePositives: [Float] = []
  private(set) var trueNegatives: [Float] = []
  private(set) var falseNegatives: [Float] = []

  /// Keras' `NEG_INF`: the threshold when only `topK` selects the positives, and the value the
  /// other predictions are moved to.
  static let negativeInfinity: Float = -1e10

  /// Counts at `thresholds`; `labels` is given for a multi-label AUC whose label count is known.
  /// `evenlyDistributed` defaults to ``isEvenlyDistributed(_:)`` of the thresholds.
  init(
    thresholds: [Float], evenlyDistributed: Bool? = nil, topK: Int? = nil, classId: Int? = nil,
    multiLabel: Bool = false, labels: Int? = nil
  ) {
    self.thresholds = thresholds
    self.evenlyDistributed = evenlyDistributed ?? Self.isEvenlyDistributed(thresholds.map(Double.init))
    self.topK = topK
    self.classId = classId
    self.multiLabel = multiLabel
    if !multiLabel || labels != nil { allocate(labels: multiLabel ? labels! : 1) }
  }

  /// Adds a batch of tensors for the metric named `metric`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the metric and the shapes that do not fit.
  mutating func add(
    _ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor?, metric: String, labelWeights: [Float]? = nil
  )
    throws
  {
    guard
      add(
        MetricValues(yTrue), MetricValues(yPred), sampleWeight: sampleWeight.map(MetricValues.init),
        labelWeights: labelWeights)
    else { throw metricShapeError(metric, yTrue: yTrue.shape, yPred: yPred.shape, sampleWeight: sampleWeight?.shape) }
  }

  /// Keras' `is_evenly_distributed_thresholds`: at least 3 values, each within
  /// `1e-7 + 1e-5·|e|` of `e = i / (T-1)` (`np.allclose` against a float32 `arange`).
  static func isEvenlyDistributed(_ thresholds: [Double]) -> Bool {
    let count = thresholds.count
    guard count >= 3 else { return false }
    for (i, threshold) in thresholds.enumerated() {
      let even = Double(Float(i) / Float(count - 1))
      guard Swift.abs(threshold - even) <= 1e-7 + 1e-5 * Swift.abs(even) else { return false }
    }
    return true
  }

  private mutating func allocate(labels: Int) {
    self.labels = labels
    let count = thresholds.count * labels
    truePositives = [Float](repeating: 0, count: count)
    falsePositives = truePositives
    trueNegatives = truePositives
    falseNegatives = truePositives
  }

  /// Sets every count to 0 (keeping the label count).
  mutating func reset() {
    if let labels { allocate(labels: labels) }
  }

  /// Adds a batch; `false` (and no change) when the shapes do not fit.
  ///
  /// `yTrue` and `yPred` must have the same shape once one's trailing axis of 1 is squeezed;
  /// `sampleWeight` (`[N]`, `[N, 1]`, or shaped like them) is broadcast over them and
  /// `labelWeights` (`[L]`) over their last axis.
  mutating func add(
    _ yTrue: MetricValues, _ yPred: MetricValues, sampleWeight: MetricValues?, labelWeights: [Float]? = nil
  ) -> Bool {
    var (predictions, truth) = MetricValues.squeezeOrExpandToSameRank(yPred, yTrue)
    var weights: MetricValues?
    if let sampleWeight {
      weights = MetricValues.squeezeOrExpandToSameRank(truth, sampleWeight.expandingLastAxis(), expandRank1: false).1
    }
    if let topK {
      guard let filtered = Self.keepingTopK(predictions, topK) else { return false }
      predictions = filtered
    }
    if let classId {
      guard predictions.rank >= 2, let column = predictions.column(classId), let labelColumn = truth.column(classId)
      else { return false }
      predictions = column
      truth = labelColumn
    }
    guard truth.shape == predictions.shape else { return false }
    if let given = weights {
      guard let broadcast = given.broadcast(to: predictions.shape) else { return false }
      weights = broadcast
    }
    if let labelWeights {
      let perLabel = MetricValues(shape: [1, labelWeights.count], scalars: labelWeights)
      guard let broadcast = perLabel.broadcast(to: predictions.shape) else { return false }
      weights = weights.map { MetricValues.elementwise($0, broadcast, *)! } ?? broadcast
    }
    let labelCount = multiLabel ? (predictions.rank == 2 ? predictions.shape[1] : -1) : 1
    guard labelCount >= 0, labels == nil || labels == labelCount else { return false }
    if labels == nil { allocate(labels: labelCount) }
    if evenlyDistributed {
      addBucketed(truth.scalars, predictions.scalars, weights?.scalars, labels: labelCount)
    } else {
      addCompared(truth.scalars, predictions.scalars, weights?.scalars, labels: labelCount)
    }
    return true
  }

  /// Keras' `_update_confusion_matrix_variables_optimized`: each clipped prediction falls in
  /// bucket `ceil(p·(T-1)) - 1` (the first when the end thresholds carry an epsilon, dropped
  /// when below it); the counts at threshold `t` sum the buckets from `t` up.
  private mutating func addBucketed(_ truth: [Float], _ predictions: [Float], _ weights: [Float]?, labels: Int) {
    let count = thresholds.count
    let withEpsilon = thresholds[0] < 0 || thresholds[count - 1] > 1
    var positiveBuckets = [Float](repeating: 0, count: count * labels)
    var negativeBuckets = positiveBuckets
    var positiveTotals = [Double](repeating: 0, count: labels)
    var negativeTotals = positiveTotals
    for i in 0..<predictions.count {
      let label = i % labels
      let weight = weights?[i] ?? 1
      let isPositive = truth[i] != 0
      if isPositive { positiveTotals[label] += Double(weight) } else { negativeTotals[label] += Double(weight) }
      var bucket = (Swift.min(Swift.max(predictions[i], 0), 1) * Float(count - 1)).rounded(.up) - 1
      if withEpsilon { bucket = Swift.max(bucket, 0) }
      guard bucket >= 0 else { continue }
      let index = Int(bucket) * labels + label
      if isPositive { positiveBuckets[index] += weight } else { negativeBuckets[index] += weight }
    }
    for label in 0..<labels {
      var positivesAbove: Float = 0
      var negativesAbove: Float = 0
      for t in stride(from: count - 1, through: 0, by: -1) {
        let index = t * labels + label
        positivesAbove += positiveBuckets[index]
        negativesAbove += negativeBuckets[index]
        truePositives[index] += positivesAbove
        falsePositives[index] += negativesAbove
        falseNegatives[index] += Float(positiveTotals[label]) - positivesAbove
        trueNegatives[index] += Float(negativeTotals[label]) - negativesAbove
      }
    }
  }

  /// Keras' general path: every prediction compared with every threshold.
  private mutating func addCompared(_ truth: [Float], _ predictions: [Float], _ weights: [Float]?, labels: Int) {
    for (t, threshold) in thresholds.enumerated() {
      var sums = [Double](repeating: 0, count: 4 * labels)
      for i in 0..<predictions.count {
        let cell = (truth[i] != 0 ? 0 : 2) + (predictions[i] > threshold ? 0 : 1)
        sums[cell * labels + i % labels] += Double(weights?[i] ?? 1)
      }
      for label in 0..<labels {
        let index = t * labels + label
        truePositives[index] += Float(sums[label])
        falseNegatives[index] += Float(sums[labels + label])
        falsePositives[index] += Float(sums[2 * labels + label])
        trueNegatives[index] += Float(sums[3 * labels + label])
      }
    }
  }

  /// Keras' `_filter_top_k`: the `k` highest of each last-axis row kept (lower index first on
  /// ties), the others set to ``negativeInfinity``; `nil` when a row is shorter than `k`.
  private static func keepingTopK(_ values: MetricValues, _ k: Int) -> MetricValues? {
    guard let width = values.shape.last, width >= k, width > 0 else { return nil }
    var out = values
    for row in 0..<(values.scalars.count / width) {
      let start = row * width
      let kept = (0..<width).sorted { a, b in
        let x = values.scalars[start + a]
        let y = values.scalars[start + b]
        return x > y || (x == y && a < b)
      }.prefix(k)
      for c in 0..<width where !kept.contains(c) { out.scalars[start + c] = negativeInfinity }
    }
    return out
  }
}

extension MetricValues {
  /// `values[..., index, None]`: one index of the last axis, keeping a trailing axis of 1;
  /// `nil` when the index is out of range.
  fileprivate func column(_ index: Int) -> MetricValues? {
    guard let width = shape.last, index >= 0, index < width else { return nil }
    let rows = scalars.count / width
    return MetricValues(
      shape: Array(shape.dropLast()) + [1], scalars: (0..<rows).map { scalars[$0 * width + index] })
  }
}
