import CDNNL

#if canImport(Glibc)
  import Glibc
#endif

/// An activation a recurrent cell applies to its gates, named as in Keras (`"tanh"`,
/// `"sigmoid"`, `"hard_sigmoid"`, `"relu"`, `"linear"`).
///
/// The fused recurrent kernel evaluates these over contiguous rows with branch-free
/// formulas the compiler vectorises; they agree with the tensor ops of the same name
/// (``Tensor/tanh()``, ``Tensor/sigmoid()``, ...) within 4e-7.
public enum RecurrentActivation: String, Sendable, CaseIterable, CustomStringConvertible {
  /// Hyperbolic tangent.
  case tanh
  /// `1 / (1 + e^-x)`.
  case sigmoid
  /// Keras 3's `relu6(x + 3) / 6`.
  case hardSigmoid = "hard_sigmoid"
  /// Keras 2's `clip(0.2·x + 0.5, 0, 1)`, read from Keras 2 files as `"hard_sigmoid"`.
  case hardSigmoidKeras2 = "hard_sigmoid_keras2"
  /// `max(x, 0)`.
  case relu
  /// The identity (also Keras' `activation=None`).
  case linear

  /// The Keras name.
  public var description: String { rawValue }

  /// Replaces each of `count` values with its activation.
  func apply(_ values: UnsafeMutablePointer<Float>, count: Int) {
    switch self {
    case .tanh where FastMath.hasAVX2:
      if FastMath.hasAVX512 { skgate512_tanh_inplace(values, count) } else { skgate_tanh_inplace(values, count) }
    case .sigmoid where FastMath.hasAVX2:
      if FastMath.hasAVX512 { skgate512_sigmoid_inplace(values, count) } else { skgate_sigmoid_inplace(values, count) }
    case .tanh: for k in 0..<count { values[k] = FastMath.tanh(values[k]) }
    case .sigmoid: for k in 0..<count { values[k] = FastMath.sigmoid(values[k]) }
    case .hardSigmoid: for k in 0..<count { values[k] = FastMath.hardSigmoid(values[k]) }
    case .hardSigmoidKeras2: for k in 0..<count { values[k] = FastMath.hardSigmoidKeras2(values[k]) }
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
    case .tanh where FastMath.hasAVX2:
      if FastMath.hasAVX512 { skgate512_tanh_derivative(gradients, outputs, count) } else { skgate_tanh_derivative(gradients, outputs, count) }
    case .sigmoid where FastMath.hasAVX2:
      if FastMath.hasAVX512 { skgate512_sigmoid_derivative(gradients, outputs, count) } else { skgate_sigmoid_derivative(gradients, outputs, count) }
    case .tanh:
      for k in 0..<count { gradients[k] *= 1 - outputs[k] * outputs[k] }
    case .sigmoid:
      for k in 0..<count { gradients[k] *= outputs[k] * (1 - outputs[k]) }
    case .hardSigmoid:
      for k in 0..<count {
        let y = outputs[k]
        gradients[k] *= y > 0 && y < 1 ? 1 / 6 : 0
      }
    case .hardSigmoidKeras2:
      for k in 0..<count {
        let y = outputs[k]
        gradients[k] *= y > 0 && y < 1 ? 0.2 : 0
      }
    case .relu:
      for k in 0..<count { gradients[k] *= outputs[k] > 0 ? 1 : 0 }
    case .linear: break
    }
  }
}

/// Branch-free single-precision `exp`, `tanh` and `sigmoid` that inline into loops and vectorise
/// (the C library's versions are calls that block vectorisation). Errors are below 4e-7.
enum FastMath {
  /// Whether the AVX2 + FMA gate kernels of the CDNNL shim (`gate_kernels.h`) can run here;
  /// `SWIFTKERAS_NO_AVX2=1` in the environment turns them off (to test the portable loops).
  static let hasAVX2: Bool = skgate_cpu_has_avx2_fma() != 0 && getenv("SWIFTKERAS_NO_AVX2") == nil

  /// Whether the sixteen-lane AVX-512 versions of those kernels can run here (same results,
  /// bit for bit); `SWIFTKERAS_NO_AVX512=1` falls back to AVX2, `SWIFTKERAS_NO_AVX2=1` to both off.
  static let hasAVX512: Bool = hasAVX2 && skgate_cpu_has_avx512() != 0 && getenv("SWIFTKERAS_NO_AVX512") == nil

  /// `e^x` for `x` clamped to `[-87.3, 88.3]` (Cephes' polynomial with Cody-Waite range reduction).
  @inline(__always)
  static func exp(_ x: Float) -> Float {
    let (lower, upper): (Float, Float) = (-87.3, 88.3)
    let low = upper < x ? upper : x  // written so that they compile to minps and maxps
    let clamped = lower > low ? lower : low
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

  /// Hyperbolic tangent: Eigen's rational approximation (the one TensorFlow's CPU kernels use),
  /// odd degree 13 over even degree 6 on `x` clamped to ±7.9, within 4e-7 of the true value.
  @inline(__always)
  static func tanh(_ x: Float) -> Float {
    let bound: Float = 7.905_311_107_635_498_05
    let upper = bound < x ? bound : x
    let clamped = -bound > upper ? -bound : upper
    let z = clamped * clamped
    var p: Float = -2.760_768_477_423_55e-16
    p = p * z + 2.000_187_904_824_77e-13
    p = p * z - 8.604_671_522_137_35e-11
    p = p * z + 5.122_297_090_371_14e-8
    p = p * z + 1.485_722_357_179_79e-5
    p = p * z + 6.372_619_288_754_36e-4
    p = p * z + 4.893_524_558_917_86e-3
    var q: Float = 1.198_258_394_667_02e-6
    q = q * z + 1.185_347_056_866_54e-4
    q = q * z + 2.268_434_632_439_00e-3
    q = q * z + 4.893_525_185_543_85e-3
    let magnitude = x < 0 ? -x : x
    return magnitude < 0.0004 ? x : clamped * p / q
  }

  /// `relu6(x + 3) / 6`, as Keras 3.
  @inline(__always)
  static func hardSigmoid(_ x: Float) -> Float {
    let shifted = x + 3
    return (shifted < 0 ? 0 : (shifted > 6 ? 6 : shifted)) / 6
  }

  /// `clip(0.2·x + 0.5, 0, 1)`, as Keras 2.
  @inline(__always)
  static func hardSigmoidKeras2(_ x: Float) -> Float {
    let y = x * 0.2 + 0.5
    return y < 0 ? 0 : (y > 1 ? 1 : y)
  }

  /// `max(x, 0)`.
  @inline(__always)
  static func relu(_ x: Float) -> Float { x < 0 ? 0 : x }
}
