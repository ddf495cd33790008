#if canImport(Glibc)
  import Glibc
#endif

/// The scalar formulas of the activations, shared by tensor ops and fused kernels.
public enum ActivationMath {
  /// `1 / (1 + e^-x)`, computed without overflow for large |x|.
  @inline(__always)
  public static func sigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + Glibc.expf(-x)) }
    let e = Glibc.expf(x)
    return e / (1 + e)
  }

  /// `log(1 + e^x)`, computed stably.
  @inline(__always)
  public static func softplus(_ x: Float) -> Float { Glibc.log1pf(Glibc.expf(-Swift.abs(x))) + Swift.max(x, 0) }

  /// SELU's constants (Klambauer et al.), as Keras.
  public static let seluAlpha: Float = 1.6732632423543772848170429916717
  /// SELU's scale.
  public static let seluScale: Float = 1.0507009873554804934193349852946
}

// Activations with Keras' names and definitions (`keras.activations`).
extension Tensor {
  /// `max(x, 0)`.
  public func relu() -> Tensor { unary({ Swift.max($0, 0) }, derivative: { x, _ in x > 0 ? 1 : 0 }) }

  /// `1 / (1 + e^-x)`.
  public func sigmoid() -> Tensor { unary(ActivationMath.sigmoid, derivative: { _, y in y * (1 - y) }) }

  /// Keras 3's `hard_sigmoid`: `relu6(x + 3) / 6`, i.e. `clip(x / 6 + 0.5, 0, 1)`.
  public func hardSigmoid() -> Tensor {
    unary({ Swift.min(Swift.max($0 / 6 + 0.5, 0), 1) }, derivative: { x, _ in x > -3 && x < 3 ? 1.0 / 6 : 0 })
  }

  /// Hyperbolic tangent.
  public func tanh() -> Tensor { unary({ Glibc.tanhf($0) }, derivative: { _, y in 1 - y * y }) }

  /// `x` for `x > 0`, else `alpha · (e^x - 1)`.
  public func elu(alpha: Float = 1) -> Tensor {
    unary({ $0 > 0 ? $0 : alpha * Glibc.expm1f($0) }, derivative: { x, y in x > 0 ? 1 : y + alpha })
  }

  /// Scaled ELU with Keras' constants.
  public func selu() -> Tensor {
    let a = ActivationMath.seluAlpha
    let s = ActivationMath.seluScale
    return unary(
      { $0 > 0 ? s * $0 : s * a * Glibc.expm1f($0) }, derivative: { x, y in x > 0 ? s : y + s * a })
  }

  /// Gaussian error linear unit; `approximate` uses the tanh form, as `keras.activations.gelu`.
  public func gelu(approximate: Bool = false) -> Tensor {
    if approximate {
      let c: Float = 0.7978845608028654  // sqrt(2 / pi)
      return unary(
        { x in 0.5 * x * (1 + Glibc.tanhf(c * (x + 0.044715 * x * x * x))) },
        derivative: { x, _ in
          let t = Glibc.tanhf(c * (x + 0.044715 * x * x * x))
          return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
        })
    }
    return unary(
      { x in 0.5 * x * (1 + Glibc.erff(x * 0.70710678118654752)) },
      derivative: { x, _ in
        0.5 * (1 + Glibc.erff(x * 0.70710678118654752)) + x * Glibc.expf(-0.5 * x * x) * 0.3989422804014327
      })
  }

  /// `log(1 + e^x)`.
  public func softplus() -> Tensor { unary(ActivationMath.softplus, derivative: { x, _ in ActivationMath.sigmoid(x) }) }

  /// `x / (1 + |x|)`.
  public func softsign() -> Tensor {
    unary({ $0 / (1 + Swift.abs($0)) }, derivative: { x, _ in 1 / ((1 + Swift.abs(x)) * (1 + Swift.abs(x))) })
  }

  /// `x · sigmoid(x)` (also called SiLU).
  public func swish() -> Tensor {
    unary(
      { $0 * ActivationMath.sigmoid($0) },
      derivative: { x, _ in
        let s = ActivationMath.sigmoid(x)
        return s + x * s * (1 - s)
      })
  }

  /// Same as ``swish()``.
  public func silu() -> Tensor { swish() }

  /// `x` for `x >= 0`, else `negativeSlope · x` (Keras 3's default slope is 0.2).
  public func leakyRelu(negativeSlope: Float = 0.2) -> Tensor {
    unary({ $0 >= 0 ? $0 : negativeSlope * $0 }, derivative: { x, _ in x >= 0 ? 1 : negativeSlope })
  }

  /// The identity.
  public func linear() -> Tensor { self }

  /// `e^x / sum(e^x)` along `axis`, computed with the maximum subtracted.
  ///
  /// - Throws: ``TensorError/invalidAxis(operation:axis:shape:)``.
  public func softmax(axis: Int = -1) throws -> Tensor {
    let a = try Shape.normalize(axis: axis, rank: rank, shape: shape, operation: "softmax")
    let shifted = try self.detached() - (try self.detached().max(axes: [a], keepDims: true))
    let e = shifted.exp()
    let result = try e / e.sum(axes: [a], keepDims: true)
    return result.recorded(from: self) { g in
      // dx = y · (g - sum(g · y))
      try result * (g - (g * result).sum(axes: [a], keepDims: true))
    }
  }

  /// `x - logsumexp(x)` along `axis`.
  public func logSoftmax(axis: Int = -1) throws -> Tensor {
    let a = try Shape.normalize(axis: axis, rank: rank, shape: shape, operation: "logSoftmax")
    let x = self.detached()
    let result = try x - x.logSumExp(axes: [a], keepDims: true)
    return result.recorded(from: self) { g in
      try g - result.exp() * g.sum(axes: [a], keepDims: true)
    }
  }
}
