import Foundation

/// Shifts and scales inputs to mean 0 and variance 1 by statistics learned with ``adapt(_:)``
/// or given at construction (`keras.layers.Normalization`).
///
/// Output `(x - mean) / max(sqrt(variance), 1e-7)`, or with ``invert`` `mean + x ·
/// max(sqrt(variance), 1e-7)`, the input's shape. The statistics are kept per index of the
/// ``axis`` axes (the last by default: one mean per feature) and shared over the others;
/// `axis: nil` keeps one mean and one variance for everything.
///
/// ```swift
/// let normalizer = Normalization()
/// try normalizer.adapt(xTrain)                  // xTrain: [N, F]
/// let model = Sequential { Input(shape: [F]); normalizer; Dense(1) }
/// ```
///
/// Without a given mean and variance, the layer has Keras' three non-trainable weights: `mean`
/// and `variance` (the kept axes' sizes) and `count` (a scalar Keras keeps at 0 and saves as
/// int64), so `.keras`, `.h5` and `.weights.h5` files move both ways with Keras.
public final class Normalization: Layer, @unchecked Sendable {
  /// The axes statistics are kept for (Keras' tuple; empty for `axis=None`).
  public let axis: [Int]
  /// Whether the layer undoes a normalization instead.
  public let invert: Bool
  /// The mean given at construction, if any.
  public let givenMean: Tensor?
  /// The variance given at construction, if any.
  public let givenVariance: Tensor?

  /// The adapted mean (the kept axes' sizes), once built without a given mean.
  public private(set) var adaptMean: Variable?
  /// The adapted variance, once built without a given variance.
  public private(set) var adaptVariance: Variable?
  /// Keras' `count` weight (kept at 0, as Keras does).
  public private(set) var count: Variable?

  /// The input axes statistics are kept for, from 0, sorted; set by `build`.
  private var keptAxes: [Int] = []
  /// The statistics' shape broadcast against an input: kept sizes, 1 elsewhere.
  private var broadcastShape: [Int] = []
  /// A given mean and variance broadcast to ``broadcastShape``.
  private var givenStatistics: (mean: Tensor, variance: Tensor)?

  /// A normalization keeping statistics per index of `axis` (`nil`: one for all), from `mean`
  /// and `variance` if both are given (a scalar, or one value per index of the kept axes),
  /// else learned by ``adapt(_:)``.
  public convenience init(
    axis: Int? = -1, mean: Tensor? = nil, variance: Tensor? = nil, invert: Bool = false, inputShape: [Int]? = nil,
    name: String? = nil
  ) {
    self.init(
      axes: axis.map { [$0] } ?? [], mean: mean, variance: variance, invert: invert, inputShape: inputShape,
      name: name)
  }

  /// A normalization keeping statistics per index of several axes (`axis=(1, 2)` in Keras).
  public init(
    axes: [Int], mean: Tensor? = nil, variance: Tensor? = nil, invert: Bool = false, inputShape: [Int]? = nil,
    name: String? = nil
  ) {
    self.axis = axes
    self.givenMean = mean
    self.givenVariance = variance
    self.invert = invert
    super.init(name: name, inputShape: inputShape)
  }

  /// Creates the weights (or broadcasts the given statistics) for `inputShape`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the layer for an axis outside the
  ///   input's rank, a kept axis of unknown size, only one of mean and variance given, or given
  ///   statistics that do not fit the kept axes.
  public override func build(inputShape: [Int?]) throws {
    let rank = inputShape.count
    guard axis.allSatisfy({ $0 >= -rank && $0 < rank }) else {
      throw KerasError.invalidArgument(
        "Layer '\(name)' (Normalization): all `axis` values must be in the range [-ndim, ndim). "
          + "Received inputs with ndim=\(rank), while axis=\(axis)")
    }
    keptAxes = Set(axis.map { $0 < 0 ? $0 + rank : $0 }).sorted()
    var keptSizes: [Int] = []
    for d in keptAxes {
      guard let size = inputShape[d] else {
        throw KerasError.invalidArgument(
          "Layer '\(name)' (Normalization): all `axis` values to be kept must have a known shape. "
            + "Received axis=\(axis), inputs.shape=\(kerasShapeText(inputShape)), with unknown axis at index \(d)")
      }
      keptSizes.append(size)
    }
    broadcastShape = (0..<rank).map { keptAxes.contains($0) ? inputShape[$0]! : 1 }
    switch (givenMean, givenVariance) {
    case (nil, nil):
      adaptMean = try addWeight("mean", shape: keptSizes, initializer: .zeros, trainable: false)
      adaptVariance = try addWeight("variance", shape: keptSizes, initializer: .ones, trainable: false)
      count = try addWeight("count", shape: [], initializer: .zeros, trainable: false)
    case (let mean?, let variance?):
      givenStatistics = (try broadcastGiven(mean, rank: rank), try broadcastGiven(variance, rank: rank))
    default:
      throw KerasError.invalidArgument(
        "Layer '\(name)' (Normalization): when setting values directly, both `mean` and `variance` must be set")
    }
  }

  /// A given statistic, its axes aligned right to left with the kept axes, broadcast to ``broadcastShape``.
  private func broadcastGiven(_ value: Tensor, rank: Int) throws -> Tensor {
    guard value.shape == givenMean?.shape, value.rank <= keptAxes.count else {
      throw KerasError.invalidArgument(
        "Layer '\(name)' (Normalization): `mean` \(givenMean?.shape ?? []) and `variance` "
          + "\(givenVariance?.shape ?? []) must have the same shape, of rank at most the number of axes (\(axis.count))"
      )
    }
    var expanded = [Int](repeating: 1, count: rank)
    for i in stride(from: 1, through: value.rank, by: 1) {
      expanded[keptAxes[keptAxes.count - i]] = value.shape[value.rank - i]
    }
    do {
      return try value.reshaped(to: expanded).broadcast(to: broadcastShape)
    } catch {
      throw KerasError.invalidArgument(
        "Layer '\(name)' (Normalization): a given statistic of shape \(value.shape) does not fit inputs whose kept axes "
          + "are \(broadcastShape): \(error)")
    }
  }

  /// The mean and variance in ``broadcastShape``.
  private var statistics: (mean: Tensor, variance: Tensor) {
    get throws {
      if let givenStatistics { return givenStatistics }
      return (
        try adaptMean!.value.reshaped(to: broadcastShape), try adaptVariance!.value.reshaped(to: broadcastShape)
      )
    }
  }

  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    let (mean, variance) = try statistics
    let scale = variance.detached().withUnsafeBufferPointer { v in
      Tensor(shape: variance.shape) { out in
        for i in 0..<v.count { out[i] = Swift.max(v[i].squareRoot(), 1e-7) }
      }
    }
    if invert { return try mean.detached() + input * scale }
    return try (input - mean.detached()) / scale
  }

  public override func computeMask(_ input: Tensor, mask: Tensor?) throws -> Tensor? { mask }

  // MARK: Adapting

  /// Learns the mean and population variance of `data` over every axis but ``axis``, as Keras'
  /// `adapt` on an array, building the layer for `data`'s shape if needed.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the layer when the layer was given its
  ///   statistics, or when `data`'s kept axes differ from the built shape.
  public func adapt(_ data: Tensor) throws {
    try prepareAdapt(data.shape)
    let (mean, variance) = Self.moments(data, keptAxes: keptAxes)
    adaptMean!.value = try Tensor(shape: adaptMean!.shape, scalars: mean.map { Float($0) })
    adaptVariance!.value = try Tensor(shape: adaptVariance!.shape, scalars: variance.map { Float($0) })
  }

  /// Learns the statistics of several batches, combined as Keras' `adapt` combines the batches
  /// of a dataset (a running mean and the lack-of-fit sum of squares for the variance).
  ///
  /// - Throws: as ``adapt(_:)``, and for an empty list.
  public func adapt(batches: [Tensor]) throws {
    guard let first = batches.first else {
      throw KerasError.invalidArgument("Layer '\(name)' (Normalization): adapt() received no batches")
    }
    try prepareAdapt(first.shape)
    var totalMean = [Double](repeating: 0, count: adaptMean!.value.count)
    var totalVariance = totalMean
    var totalCount = 0
    for batch in batches {
      try checkAdaptShape(batch.shape)
      let (batchMean, batchVariance) = Self.moments(batch, keptAxes: keptAxes)
      let batchCount = batch.shape.indices.filter { !keptAxes.contains($0) }.reduce(1) { $0 * batch.shape[$1] }
      totalCount += batchCount
      let batchWeight = Double(batchCount) / Double(totalCount)
      let existingWeight = 1 - batchWeight
      for i in totalMean.indices {
        let newMean = totalMean[i] * existingWeight + batchMean[i] * batchWeight
        totalVariance[i] =
          (totalVariance[i] + (totalMean[i] - newMean) * (totalMean[i] - newMean)) * existingWeight
          + (batchVariance[i] + (batchMean[i] - newMean) * (batchMean[i] - newMean)) * batchWeight
        totalMean[i] = newMean
      }
    }
    adaptMean!.value = try Tensor(shape: adaptMean!.shape, scalars: totalMean.map { Float($0) })
    adaptVariance!.value = try Tensor(shape: adaptVariance!.shape, scalars: totalVariance.map { Float($0) })
  }

  /// Learns the statistics of a dataset's inputs (the first input of each batch), as
  /// ``adapt(batches:)``; an endless dataset is read for `steps` batches.
  ///
  /// - Throws: as ``adapt(batches:)``, for an endless dataset without `steps`, and the
  ///   dataset's own errors.
  public func adapt(_ dataset: any Dataset, steps: Int? = nil) throws {
    guard let count = steps ?? dataset.batchCount else {
      throw KerasError.invalidArgument(
        "Layer '\(name)' (Normalization): adapt() on an endless dataset needs `steps`")
    }
    try adapt(batches: (0..<count).map { try dataset.batch(at: $0).inputs[0] })
  }

  /// Builds for `shape` if needed (the batch size left unknown unless the batch axis is kept),
  /// or checks it against the built shape.
  private func prepareAdapt(_ shape: [Int]) throws {
    guard givenMean == nil else {
      throw KerasError.invalidArgument(
        "Layer '\(name)' (Normalization): adapt() cannot change a mean and variance given at construction")
    }
    if isBuilt {
      try checkAdaptShape(shape)
    } else {
      let rank = shape.count
      let keepsBatch = axis.contains { $0 == 0 || $0 == -rank }
      try buildIfNeeded(keepsBatch ? shape.map { $0 } : [nil] + shape.dropFirst().map { $0 })
    }
  }

  private func checkAdaptShape(_ shape: [Int]) throws {
    guard let built = builtInputShape, built.count == shape.count,
      keptAxes.allSatisfy({ built[$0] == shape[$0] })
    else {
      throw KerasError.invalidArgument(
        "Layer '\(name)' (Normalization): the layer was built with input_shape=\(kerasShapeText(builtInputShape ?? [])), "
          + "but adapt() is being called with data with an incompatible shape, data.shape=\(kerasShapeText(shape.map { $0 }))"
      )
    }
  }

  /// The mean and population variance of `data` per index of `keptAxes`, in Double.
  static func moments(_ data: Tensor, keptAxes: [Int]) -> (mean: [Double], variance: [Double]) {
    let shape = data.shape
    let keptSizes = keptAxes.map { shape[$0] }
    let groups = keptSizes.reduce(1, *)
    var sums = [Double](repeating: 0, count: groups)
    var squares = sums
    let perGroup = Double(data.count / Swift.max(groups, 1))
    // The index of each element's group: its coordinates on the kept axes, row-major.
    var strides = [Int](repeating: 0, count: shape.count)
    var keptStride = 1
    for (position, d) in keptAxes.enumerated().reversed() {
      strides[d] = keptStride
      keptStride *= keptSizes[position]
    }
    func group(_ flat: Int) -> Int {
      var rest = flat
      var index = 0
      for d in stride(from: shape.count - 1, through: 0, by: -1) {
        index += (rest % shape[d]) * strides[d]
        rest /= shape[d]
      }
      return index
    }
    let values = data.scalars
    for (i, v) in values.enumerated() { sums[group(i)] += Double(v) }
    let mean = sums.map { $0 / perGroup }
    for (i, v) in values.enumerated() {
      let g = group(i)
      squares[g] += (Double(v) - mean[g]) * (Double(v) - mean[g])
    }
    return (mean, squares.map { $0 / perGroup })
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("axis", .array(axis.map { .int($0) })), ("invert", .bool(invert)),
      ("mean", givenMean.map(Self.nestedList) ?? .null), ("variance", givenVariance.map(Self.nestedList) ?? .null),
    ]
  }

  /// A tensor as NumPy's `tolist()` writes it: a number for a scalar, nested lists otherwise.
  static func nestedList(_ tensor: Tensor) -> ConfigValue {
    let values = tensor.scalars
    func list(_ dims: ArraySlice<Int>, _ offset: Int) -> ConfigValue {
      guard let size = dims.first else { return .decimal(values[offset]) }
      let inner = dims.dropFirst().reduce(1, *)
      return .array((0..<size).map { list(dims.dropFirst(), offset + $0 * inner) })
    }
    return list(tensor.shape[...], 0)
  }
}
