/// `e^x` on sixteen lanes at once, for the softmax loops (attention's fused softmax).
///
/// Cephes' `expf`: `x = k·ln 2 + r` with `k` rounded to an integer and `|r| ≤ ln 2 / 2`
/// (Cody-Waite: `ln 2` split in two so that `k·ln 2` is exact for the `k` that occur), a degree-7
/// polynomial for `e^r` and `2^k` built in the exponent bits; the scalar twin is
/// `RecurrentActivation.exp`. Within a few units in the last place of the true value for
/// `x` in `[-87.3, 88.3]` (the range with normal results); inputs above saturate at `e^88.3`,
/// inputs below `-87.3` (`-∞` included: masked scores) give `0`, an absolute error under
/// `1.2e-38` (the smallest normal float).
enum VectorExp {
  typealias Vector = SIMD16<Float>

  /// The lanes in one vector.
  static let width = 16

  @inline(__always)
  static func exp(_ x: Vector) -> Vector {
    // Comparisons and selects: the generic `clamped` and `pointwiseMin` go lane by lane.
    let (lower, upper) = (Vector(repeating: -87.3), Vector(repeating: 88.3))
    let low = x.replacing(with: upper, where: x .> upper)
    let clamped = low.replacing(with: lower, where: low .< lower)
    // Adding 1.5·2^23 rounds x·log2(e) to an integer k held in the low mantissa bits.
    let shifted = clamped * 1.442_695_04 + 12_582_912
    let k = shifted - 12_582_912
    let r = clamped - k * 0.693_359_375 + k * 2.121_944_4e-4
    var p = Vector(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    p = p * r * r + r + 1
    let exponent = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000 &+ 127
    let y = p * unsafeBitCast(exponent &<< 23, to: Vector.self)
    return y.replacing(with: 0, where: x .< lower)
  }

  /// Sixteen floats from `pointer` (any alignment).
  @inline(__always)
  static func load(_ pointer: UnsafePointer<Float>) -> Vector {
    UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
  }

  /// The first `count` (< 16) floats from `pointer`, the other lanes `filler`.
  @inline(__always)
  static func load(_ pointer: UnsafePointer<Float>, count: Int, filler: Float) -> Vector {
    var v = Vector(repeating: filler)
    for lane in 0..<count { v[lane] = pointer[lane] }
    return v
  }

  /// Writes sixteen floats at `pointer` (any alignment).
  @inline(__always)
  static func store(_ v: Vector, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: v, as: Vector.self)
  }

  /// Writes the first `count` lanes of `v` at `pointer`.
  @inline(__always)
  static func store(_ v: Vector, _ pointer: UnsafeMutablePointer<Float>, count: Int) {
    for lane in 0..<count { pointer[lane] = v[lane] }
  }
}
