/// A shaped buffer of `Float`s for metric arithmetic: plain loops, never recorded for gradients.
///
/// Metric state is not differentiated, so metrics copy their inputs into these and follow
/// Keras' shape rules (`squeeze_or_expand_to_same_rank`, NumPy broadcasting, reductions over
/// the trailing axes) by hand. Operations return `nil` where Keras would fail on the shapes;
/// the metric then throws naming itself and the shapes it was given.
struct MetricValues {
  /// The size of each dimension; `[]` for a scalar.
  var shape: [Int]
  /// The elements in row-major order.
  var scalars: [Float]

  /// Values of `shape` holding `scalars` (whose count must match).
  init(shape: [Int], scalars: [Float]) {
    precondition(shape.reduce(1, *) == scalars.count, "MetricValues: \(scalars.count) elements for shape \(shape)")
    self.shape = shape
    self.scalars = scalars
  }

  /// A copy of a tensor's elements.
  init(_ tensor: Tensor) {
    self.init(shape: tensor.shape, scalars: tensor.scalars)
  }

  /// A scalar.
  init(scalar: Float) {
    self.init(shape: [], scalars: [scalar])
  }

  /// The number of dimensions.
  var rank: Int { shape.count }

  /// These values as a tensor.
  var tensor: Tensor { try! Tensor(shape: shape, scalars: scalars) }

  /// The same elements with a new shape of equal count.
  func reshaped(_ newShape: [Int]) -> MetricValues? {
    newShape.reduce(1, *) == scalars.count ? MetricValues(shape: newShape, scalars: scalars) : nil
  }

  /// The elements with a last axis of size 1 removed; `nil` when the last axis is not 1.
  func squeezingLastAxis() -> MetricValues? {
    shape.last == 1 ? MetricValues(shape: Array(shape.dropLast()), scalars: scalars) : nil
  }

  /// The elements with a last axis of size 1 added.
  func expandingLastAxis() -> MetricValues {
    MetricValues(shape: shape + [1], scalars: scalars)
  }

  /// Each element passed through `transform`.
  func map(_ transform: (Float) -> Float) -> MetricValues {
    MetricValues(shape: shape, scalars: scalars.map(transform))
  }

  /// Keras' `squeeze_or_expand_to_same_rank`: when the ranks differ by one and the higher-rank
  /// side ends in an axis of 1, that axis is squeezed, or (when the other side has rank 1 and
  /// `expandRank1`) the rank-1 side gains a trailing axis of 1.
  static func squeezeOrExpandToSameRank(
    _ first: MetricValues, _ second: MetricValues, expandRank1: Bool = true
  ) -> (MetricValues, MetricValues) {
    var first = first
    var second = second
    if first.rank == second.rank + 1, first.shape.last == 1 {
      if second.rank == 1 && expandRank1 {
        second = second.expandingLastAxis()
      } else {
        first = first.squeezingLastAxis()!
      }
    } else if second.rank == first.rank + 1, second.shape.last == 1 {
      if first.rank == 1 && expandRank1 {
        first = first.expandingLastAxis()
      } else {
        second = second.squeezingLastAxis()!
      }
    }
    return (first, second)
  }

  /// The NumPy broadcast of two shapes, or `nil` when they do not broadcast.
  static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = Swift.max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
      let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
      let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
      guard da == db || da == 1 || db == 1 else { return nil }
      result[i] = da == 1 ? db : da
    }
    return result
  }

  /// These values broadcast to `target` by NumPy rules, or `nil` when they do not broadcast to it.
  func broadcast(to target: [Int]) -> MetricValues? {
    guard Self.broadcastShape(shape, target) == target else { return nil }
    if shape == target { return self }
    let sourceStrides = Self.broadcastStrides(shape, to: target)
    let count = target.reduce(1, *)
    var out = [Float](repeating: 0, count: count)
    var index = [Int](repeating: 0, count: target.count)
    var source = 0
    for k in 0..<count {
      out[k] = scalars[source]
      var axis = target.count - 1
      while axis >= 0 {
        index[axis] += 1
        source += sourceStrides[axis]
        if index[axis] < target[axis] { break }
        source -= sourceStrides[axis] * target[axis]
        index[axis] = 0
        axis -= 1
      }
    }
    return MetricValues(shape: target, scalars: out)
  }

  /// Element strides of `shape` read as `target` (0 along broadcast axes).
  private static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    var strides = [Int](repeating: 0, count: target.count)
    var step = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
      let axis = i + target.count - shape.count
      strides[axis] = shape[i] == 1 ? 0 : step
      step *= shape[i]
    }
    return strides
  }

  /// `combine` applied elementwise after broadcasting both sides, or `nil` when they do not broadcast.
  static func elementwise(
    _ a: MetricValues, _ b: MetricValues, _ combine: (Float, Float) -> Float
  ) -> MetricValues? {
    guard let shape = broadcastShape(a.shape, b.shape), let a = a.broadcast(to: shape),
      let b = b.broadcast(to: shape)
    else { return nil }
    var out = [Float](repeating: 0, count: a.scalars.count)
    for i in 0..<out.count { out[i] = combine(a.scalars[i], b.scalars[i]) }
    return MetricValues(shape: shape, scalars: out)
  }

  /// `combine` elementwise after Keras' `squeeze_or_expand_to_same_rank` and broadcasting, or
  /// `nil` when the shapes do not fit.
  static func rankMatchedElementwise(
    _ yTrue: MetricValues, _ yPred: MetricValues, _ combine: (_ label: Float, _ prediction: Float) -> Float
  ) -> MetricValues? {
    let (labels, predictions) = squeezeOrExpandToSameRank(yTrue, yPred)
    return elementwise(labels, predictions, combine)
  }

  /// The mean over the axes from `axis` to the end (as a float32 `ops.mean`): shape `shape[..<axis]`.
  func meanOfTrailingAxes(from axis: Int) -> MetricValues {
    guard axis < rank else { return self }
    let outer = Array(shape[..<axis])
    let inner = shape[axis...].reduce(1, *)
    let outerCount = outer.reduce(1, *)
    var out = [Float](repeating: .nan, count: outerCount)
    guard inner > 0 else { return MetricValues(shape: outer, scalars: out) }
    for o in 0..<outerCount {
      var sum = 0.0
      for i in 0..<inner { sum += Double(scalars[o * inner + i]) }
      out[o] = Float(sum / Double(inner))
    }
    return MetricValues(shape: outer, scalars: out)
  }

  /// The mean over the last axis.
  func meanOfLastAxis() -> MetricValues? {
    rank == 0 ? nil : meanOfTrailingAxes(from: rank - 1)
  }

  /// The sum of all elements, rounded once to `Float` (a float32 `ops.sum`).
  func total() -> Float {
    var sum = 0.0
    for value in scalars { sum += Double(value) }
    return Float(sum)
  }

  /// The index of the largest element along the last axis, first on ties (TensorFlow's
  /// `argmax`), as floats: shape `shape.dropLast()`; `nil` for a scalar or an empty last axis.
  func argmaxOfLastAxis() -> MetricValues? {
    guard let classes = shape.last, classes > 0 else { return nil }
    let rows = scalars.count / classes
    var out = [Float](repeating: 0, count: rows)
    for r in 0..<rows {
      var best = 0
      for c in 1..<classes where scalars[r * classes + c] > scalars[r * classes + best] { best = c }
      out[r] = Float(best)
    }
    return MetricValues(shape: Array(shape.dropLast()), scalars: out)
  }
}

/// The error a metric throws when its inputs do not fit, naming it and every shape involved.
func metricShapeError(_ metric: String, yTrue: [Int], yPred: [Int], sampleWeight: [Int]? = nil) -> KerasError {
  var message = "Metric '\(metric)': y_true of shape \(yTrue) does not fit y_pred of shape \(yPred)"
  if let sampleWeight {
    message =
      "Metric '\(metric)': sample_weight of shape \(sampleWeight) does not fit y_true of shape \(yTrue) and y_pred of shape \(yPred)"
  }
  return .invalidArgument(message)
}
