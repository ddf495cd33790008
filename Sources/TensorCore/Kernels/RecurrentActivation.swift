/// An activation a recurrent cell applies to its gates, named as in Keras (`"tanh"`,
/// `"sigmoid"`, `"hard_sigmoid"`, `"relu"`, `"linear"`).
///
/// The fused recurrent kernel evaluates these over contiguous rows with branch-free
/// formulas the compiler vectorises; they agree with the tensor ops of the same name
/// (``Tensor/tanh()``, ``Tensor/sigmoid()``, ...) to a few units in the last place.
public enum RecurrentActivation: String, Sendable, CaseIterable, CustomStringConvertible {
  /// Hyperbolic tangent.
  case tanh
  /// `1 / (1 + e^-x)`.
  case sigmoid
  /// Keras 3's `relu6(x + 3) / 6`.
  case hardSigmoid = "hard_sigmoid"
  /// `max(x, 0)`.
  case relu
  /// The identity (also Keras' `activation=None`).
  case linear

  /// The Keras name.
  public var description: String { rawValue }

  /// Replaces each of `count` values with its activation.
  func apply(_ values: UnsafeMutablePointer<Float>, count: Int) {
    switch self {
    case .tanh: for k in 0..<count { values[k] = FastMath.tanh(values[k]) }
    case .sigmoid: for k in 0..<count { values[k] = FastMath.sigmoid(values[k]) }
    case .hardSigmoid: for k in 0..<count { values[k] = FastMath.hardSigmoid(values[k]) }
    case .relu: for k in 0..<count { values[k] = FastMath.relu(values[k]) }
    case .linear: break
    }
  }

  /// Multiplies each of `count` gradients by the derivative at the point whose activation is `outputs`.
  ///
  /// Every supported activation has a derivative expressible through its output, so the
  /// backward pass needs only the activations the forward pass kept.
  func multiplyByDerivative(_ gradients: UnsafeMutablePointer<Float>, outputs: UnsafePointer<Float>, count: Int) {
    switch self {
    case .tanh:
      for k in 0..<count { gradients[k] *= 1 - outputs[k] * outputs[k] }
    case .sigmoid:
      for k in 0..<count { gradients[k] *= outputs[k] * (1 - outputs[k]) }
    case .hardSigmoid:
      for k in 0..<count {
        let y = outputs[k]
        gradients[k] *= y > 0 && y < 1 ? 1 / 6 : 0
      }
    case .relu:
      for k in 0..<count { gradients[k] *= outputs[k] > 0 ? 1 : 0 }
    case .linear: break
    }
  }
}

/// Branch-free single-precision `exp`, `tanh` and `sigmoid` that inline into loops and vectorise
/// (the C library's versions are calls that block vectorisation). Errors are a few ulp.
enum FastMath {
  /// `e^x` for `x` clamped to `[-87.3, 88.3]` (Cephes' polynomial with Cody-Waite range reduction).
  @inline(__always)
  static func exp(_ x: Float) -> Float {
    let clamped = x < -87.3 ? -87.3 : (x > 88.3 ? 88.3 : x)
    // Adding 1.5·2^23 rounds x·log2(e) to an integer k held in the low mantissa bits.
    let shifted = clamped * 1.442_695_04 + 12_582_912
    let k = shifted - 12_582_912
    let r = clamped - k * 0.693_359_375 + k * 2.121_944_4e-4
    var p: Float = 1.987_569_15e-4
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    p = p * r * r + r + 1
    let exponent = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000 &+ 127
    return p * Float(bitPattern: UInt32(bitPattern: exponent &<< 23))
  }

  /// `1 / (1 + e^-x)`.
  @inline(__always)
  static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

  /// Hyperbolic tangent: Cephes' odd polynomial below 0.625, `1 - 2 / (e^2|x| + 1)` above.
  @inline(__always)
  static func tanh(_ x: Float) -> Float {
    let z = x * x
    var p: Float = -5.704_988_727_45e-3
    p = p * z + 2.063_908_879_54e-2
    p = p * z - 5.373_971_555_31e-2
    p = p * z + 1.333_144_220_36e-1
    p = p * z - 3.333_328_194_22e-1
    let small = p * z * x + x
    let magnitude = x < 0 ? -x : x
    let large = 1 - 2 / (exp(2 * magnitude) + 1)
    return magnitude < 0.625 ? small : (x < 0 ? -large : large)
  }

  /// `relu6(x + 3) / 6`, as Keras 3.
  @inline(__always)
  static func hardSigmoid(_ x: Float) -> Float {
    let shifted = x + 3
    return (shifted < 0 ? 0 : (shifted > 6 ? 6 : shifted)) / 6
  }

  /// `max(x, 0)`.
  @inline(__always)
  static func relu(_ x: Float) -> Float { x < 0 ? 0 : x }
}
