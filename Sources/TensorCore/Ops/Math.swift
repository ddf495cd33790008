#if canImport(Glibc)
  import Glibc
#endif

extension Tensor {
  /// `f` applied elementwise, recorded with the derivative `df(x, y)` where `y = f(x)`.
  ///
  /// Every differentiable unary op and activation is one line over this.
  @inline(__always)
  func unary(_ f: (Float) -> Float, derivative: @escaping (Float, Float) -> Float) -> Tensor {
    let result = ElementwiseKernels.map(self, f)
    return result.recorded(from: self) { [self] g in
      ElementwiseKernels.map3(g, self, result) { g, x, y in g * derivative(x, y) }
    }
  }

  /// `e^x` elementwise.
  public func exp() -> Tensor { unary({ Glibc.expf($0) }, derivative: { _, y in y }) }
  /// Natural logarithm elementwise (`-inf` at 0, NaN below).
  public func log() -> Tensor { unary({ Glibc.logf($0) }, derivative: { x, _ in 1 / x }) }
  /// `log(1 + x)` elementwise, accurate near 0.
  public func log1p() -> Tensor { unary({ Glibc.log1pf($0) }, derivative: { x, _ in 1 / (1 + x) }) }
  /// Square root elementwise.
  public func sqrt() -> Tensor { unary({ $0.squareRoot() }, derivative: { _, y in 0.5 / y }) }
  /// `1 / sqrt(x)` elementwise.
  public func rsqrt() -> Tensor { unary({ 1 / $0.squareRoot() }, derivative: { _, y in -0.5 * y * y * y }) }
  /// `x²` elementwise.
  public func square() -> Tensor { unary({ $0 * $0 }, derivative: { x, _ in 2 * x }) }
  /// `|x|` elementwise; the gradient at 0 is 0, as in TensorFlow.
  public func abs() -> Tensor { unary({ Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) }) }
  /// -1, 0 or 1 by the sign of each element; no gradient flows through it.
  public func sign() -> Tensor { ElementwiseKernels.map(self) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) } }
  /// Sine elementwise.
  public func sin() -> Tensor { unary({ Glibc.sinf($0) }, derivative: { x, _ in Glibc.cosf(x) }) }
  /// Cosine elementwise.
  public func cos() -> Tensor { unary({ Glibc.cosf($0) }, derivative: { x, _ in -Glibc.sinf(x) }) }
  /// Rounds to the nearest integer, halves to even as NumPy; no gradient flows through it.
  public func rounded() -> Tensor { ElementwiseKernels.map(self) { $0.rounded(.toNearestOrEven) } }
  /// Rounds down; no gradient flows through it.
  public func floor() -> Tensor { ElementwiseKernels.map(self) { $0.rounded(.down) } }
  /// 1 where the element is NaN or infinite, else 0.
  public func isNonFinite() -> Tensor { ElementwiseKernels.map(self) { $0.isFinite ? 0 : 1 } }
}
