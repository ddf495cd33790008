import CDNNL

/// The precision a matrix product multiplies in.
///
/// `.bfloat16` is Keras' `mixed_bfloat16` arithmetic: both operands are rounded to bfloat16 (8 bits
/// of mantissa, float32's range) and their products accumulated in float32, as oneDNN's bfloat16
/// matmul and TensorFlow's bfloat16 `MatMul` on CPU do. The result is float32; a layer that keeps
/// bfloat16 outputs rounds it itself (``BFloat16/round(_:)-(UnsafeMutableBufferPointer<Float>)``).
public enum MatMulPrecision: Sendable, Equatable {
  case float32
  case bfloat16
}

/// bfloat16 rounding on float32 storage, and whether this CPU multiplies bfloat16 natively.
///
/// Tensors stay float32 in memory; a bfloat16 value is a float32 whose low 16 bits are zero.
public enum BFloat16 {
  /// `x` rounded to the nearest bfloat16 (ties to even), as a float32. NaN stays NaN and
  /// infinities stay infinite; finite values past bfloat16's largest round to infinity, as a cast does.
  @inlinable
  public static func round(_ x: Float) -> Float {
    let bits = x.bitPattern
    if x.isNaN { return Float(bitPattern: (bits | 0x0040_0000) & 0xFFFF_0000) }
    let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
    return Float(bitPattern: rounded & 0xFFFF_0000)
  }

  /// Rounds every element of `buffer` to bfloat16 in place.
  @inlinable
  public static func round(_ buffer: UnsafeMutableBufferPointer<Float>) {
    for i in buffer.indices { buffer[i] = round(buffer[i]) }
  }

  /// Whether oneDNN multiplies bfloat16 natively on this CPU (AVX512-BF16 or AMX), the condition
  /// for bfloat16 products to be faster than float32 ones. Where it is false, bfloat16 products are
  /// still computed (rounded operands, float32 arithmetic) but gain nothing.
  public static let hardwareSupported: Bool = {
    let isa = dnnl_get_effective_cpu_isa().rawValue
    let bf16 = dnnl_cpu_isa_avx512_core_bf16.rawValue
    let amx = dnnl_cpu_isa_avx512_core_amx.rawValue
    return isa & bf16 == bf16 || isa & amx == amx
  }()
}

extension GEMM {
  /// `C = alpha · op(A) · op(B) + beta · C` in `precision`, with ``sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``'s
  /// contract; `.bfloat16` rounds `A` and `B` to bfloat16 and accumulates in float32.
  ///
  /// Where oneDNN multiplies bfloat16 natively (``BFloat16/hardwareSupported``), `.bfloat16`
  /// converts both operands to bfloat16 (AVX512-BF16's `vcvtneps2bf16`: nearest, ties to even,
  /// subnormals read as zero) and runs oneDNN's bfloat16 matmul primitive, accumulating in
  /// float32; elsewhere it multiplies bfloat16-rounded float32 copies with `sgemm`. Both compute
  /// the same products; only the order of the float32 sums differs. The environment variable
  /// `SWIFTKERAS_BFLOAT16=reference` selects the second path on any CPU (for comparisons).
  public static func gemm(
    precision: MatMulPrecision, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    switch precision {
    case .float32:
      sgemm(
        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
        b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    case .bfloat16:
      guard m > 0 && n > 0 && k > 0, BFloat16Matmul.multipliesNatively,
        let plan = BFloat16Matmul.plan(
          .init(
            m: m, n: n, k: k, ldc: ldc, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta,
            packedWeights: false))
      else {
        return referenceBFloat16(
          transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b,
          ldb: ldb, beta: beta, c: c, ldc: ldc)
      }
      // Dense bfloat16 copies in the operands' own orientation (the plan reads them by strides).
      let convertedA = BFloat16Matmul.convert(
        a, ld: lda, rows: transposeA ? k : m, columns: transposeA ? m : k)
      let convertedB = BFloat16Matmul.convert(
        b, ld: ldb, rows: transposeB ? n : k, columns: transposeB ? k : n)
      plan.run(a: convertedA.raw, b: convertedB.raw, c: c, scratchpad: nil)
    }
  }

  /// The `.bfloat16` product as bfloat16-rounded float32 copies multiplied by ``sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``:
  /// exact products, float32 sums, the same numbers a bfloat16 kernel computes up to the order of
  /// its sums. The path where the CPU has no bfloat16 arithmetic, and the tests' reference.
  static func referenceBFloat16(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    guard m > 0 && n > 0 && k > 0 else {
      return sgemm(
        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
        b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
    // Row-major: the last row is read only up to its last column (`lda` may be a wider array's).
    let aCount = ((transposeA ? k : m) - 1) * lda + (transposeA ? m : k)
    let bCount = ((transposeB ? n : k) - 1) * ldb + (transposeB ? k : n)
    let ra = UnsafeMutableBufferPointer<Float>.allocate(capacity: aCount)
    let rb = UnsafeMutableBufferPointer<Float>.allocate(capacity: bCount)
    defer {
      ra.deallocate()
      rb.deallocate()
    }
    for i in 0..<aCount { ra[i] = BFloat16.round(a[i]) }
    for i in 0..<bCount { rb[i] = BFloat16.round(b[i]) }
    sgemm(
      transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
      a: ra.baseAddress!, lda: lda, b: rb.baseAddress!, ldb: ldb, beta: beta, c: c, ldc: ldc)
  }
}
