#if canImport(Glibc)
  import Glibc
#endif

// Reductions over any set of axes (`nil` = all), with `keepDims` as NumPy's `keepdims`.
// Negative axes count from the end; a repeated or out-of-range axis throws.

extension Tensor {
  /// The sum over `axes` (all when nil).
  public func sum(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    let a = try Shape.normalize(axes: axes, shape: shape, operation: "sum")
    let result = ReductionKernels.sum(self, axes: a, keepDims: keepDims)
    let inputShape = shape
    return result.recorded(from: self) { g in
      try g.reshaped(to: ReductionKernels.resultShape(inputShape, axes: a, keepDims: true)).broadcast(to: inputShape)
    }
  }

  /// The mean over `axes` (all when nil).
  public func mean(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    let a = try Shape.normalize(axes: axes, shape: shape, operation: "mean")
    let n = Float(Shape.count(a.map { shape[$0] }))
    return try sum(axes: a, keepDims: keepDims) / n
  }

  /// The maximum over `axes`; the gradient is shared equally among tied maxima, as in TensorFlow.
  public func max(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    try extremum(axes: axes, keepDims: keepDims, operation: "max", initial: -.infinity) { Swift.max($0, $1) }
  }

  /// The minimum over `axes`; the gradient is shared equally among tied minima.
  public func min(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    try extremum(axes: axes, keepDims: keepDims, operation: "min", initial: .infinity) { Swift.min($0, $1) }
  }

  private func extremum(
    axes: [Int]?, keepDims: Bool, operation: String, initial: Float, _ pick: @escaping (Float, Float) -> Float
  ) throws -> Tensor {
    let a = try Shape.normalize(axes: axes, shape: shape, operation: operation)
    if count == 0 {
      throw TensorError.invalidArgument(operation: operation, "cannot reduce an empty tensor of shape \(shape)")
    }
    let result = ReductionKernels.reduce(self, axes: a, keepDims: keepDims, initial: initial) {
      $0.isNaN ? $0 : ($1.isNaN ? $1 : pick($0, $1))
    }
    let kept = ReductionKernels.resultShape(shape, axes: a, keepDims: true)
    return result.recorded(from: self) { [self] g in
      let mask = try self.equal(result.reshaped(to: kept))
      let ties = try mask.sum(axes: a, keepDims: true)
      return try mask * (g.reshaped(to: kept) / ties)
    }
  }

  /// The population variance (`ddof = 0`, as NumPy and Keras) over `axes`.
  public func variance(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    let centered = try self - mean(axes: axes, keepDims: true)
    return try centered.square().mean(axes: axes, keepDims: keepDims)
  }

  /// The standard deviation over `axes`.
  public func standardDeviation(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    try variance(axes: axes, keepDims: keepDims).sqrt()
  }

  /// `log(sum(exp(x)))` over `axes`, computed with the maximum subtracted so it does not overflow.
  public func logSumExp(axes: [Int]? = nil, keepDims: Bool = false) throws -> Tensor {
    let a = try Shape.normalize(axes: axes, shape: shape, operation: "logSumExp")
    let x = detached()
    var m = try x.max(axes: a, keepDims: true)
    m = ElementwiseKernels.map(m) { $0.isFinite ? $0 : 0 }
    let kept = try (x - m).exp().sum(axes: a, keepDims: true).log() + m
    let result = try kept.reshaped(to: ReductionKernels.resultShape(shape, axes: a, keepDims: keepDims))
    return result.recorded(from: self) { g in
      try g.reshaped(to: kept.shape) * (x - kept).exp()
    }
  }

  /// The index of the largest element along `axis` (the first one on ties), as NumPy's `argmax`.
  public func argmax(axis: Int = -1) throws -> IntTensor {
    try argExtremum(axis: axis, operation: "argmax") { $0 > $1 }
  }

  /// The index of the smallest element along `axis` (the first one on ties).
  public func argmin(axis: Int = -1) throws -> IntTensor {
    try argExtremum(axis: axis, operation: "argmin") { $0 < $1 }
  }

  private func argExtremum(axis: Int, operation: String, better: (Float, Float) -> Bool) throws -> IntTensor {
    let a = try Shape.normalize(axis: axis, rank: rank, shape: shape, operation: operation)
    guard shape[a] > 0 else {
      throw TensorError.invalidArgument(operation: operation, "axis \(axis) of shape \(shape) is empty")
    }
    let outer = Shape.count(Array(shape[..<a]))
    let n = shape[a]
    let inner = Shape.count(Array(shape[(a + 1)...]))
    var indices = [Int32](repeating: 0, count: outer * inner)
    withUnsafeBufferPointer { src in
      for o in 0..<outer {
        for i in 0..<inner {
          var best = src[o * n * inner + i]
          var bestIndex = 0
          for r in 1..<n {
            let v = src[(o * n + r) * inner + i]
            if better(v, best) || (v.isNaN && !best.isNaN) {
              best = v
              bestIndex = r
            }
          }
          indices[o * inner + i] = Int32(bestIndex)
        }
      }
    }
    var outShape = shape
    outShape.remove(at: a)
    return try IntTensor(shape: outShape, scalars: indices)
  }
}

extension Tensor {
  /// The sum of all elements as a scalar tensor.
  public func sum() -> Tensor { try! sum(axes: nil) }
  /// The mean of all elements as a scalar tensor.
  public func mean() -> Tensor { try! mean(axes: nil) }
  /// The sum along one axis.
  public func sum(axis: Int, keepDims: Bool = false) throws -> Tensor { try sum(axes: [axis], keepDims: keepDims) }
  /// The mean along one axis.
  public func mean(axis: Int, keepDims: Bool = false) throws -> Tensor { try mean(axes: [axis], keepDims: keepDims) }
  /// The maximum along one axis.
  public func max(axis: Int, keepDims: Bool = false) throws -> Tensor { try max(axes: [axis], keepDims: keepDims) }
  /// The minimum along one axis.
  public func min(axis: Int, keepDims: Bool = false) throws -> Tensor { try min(axes: [axis], keepDims: keepDims) }
}
