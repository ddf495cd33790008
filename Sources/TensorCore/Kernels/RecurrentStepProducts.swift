import CDNNL

// The per-step products of RecurrentKernel (`h·U`, and `x·W` when each step multiplies its own inputs):
// single-threaded small GEMMs, with B packed once per pass when it is large.

extension RecurrentKernel {
  /// A per-step product `C = A·B` (or `C += A·B` when `accumulate`), row-major, single-threaded:
  /// the AVX-512 kernel of small_gemm.h when the CPU has AVX-512; its AVX2 twin for `B` under
  /// ``packedSize`` floats when the CPU has AVX2 (with oneDNN held to AVX2 as on such a CPU,
  /// `DNNL_MAX_CPU_ISA=AVX2`: rnn prediction 17% and forecast training 3% faster than oneDNN,
  /// forecast and classify prediction level; its 6×16 blocks reread B too often for large
  /// matrices, 59 GFLOP/s against oneDNN's 92 on 64×2048×512); else oneDNN.
  ///
  /// The per-step shapes (one batch part's rows by `G·u` or `u` columns) are where oneDNN's
  /// per-call packing of `B` costs most; the in-place kernel measured 10-80% faster there and
  /// 19% faster on `large`'s 64×2048×512 step (Performance.md), and equal on the backward shapes.
  @inline(__always)
  static func stepProduct(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, accumulate: Bool,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    guard m > 0 && n > 0 else { return }
    if FastMath.hasAVX512 && k > 0 {
      skgemm512(m, n, accumulate ? 1 : 0, k, a, lda, b, ldb, c, ldc)
    } else if FastMath.hasAVX2 && k > 0 && k * n < packedSize {
      skgemm256(m, n, accumulate ? 1 : 0, k, a, lda, b, ldb, c, ldc)
    } else {
      GEMM.sgemm(
        transposeA: false, transposeB: false, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
        beta: accumulate ? 1 : 0, c: c, ldc: ldc)
    }
  }

  /// A matrix B of the per-step products: with AVX-512 and at least ``packedSize`` floats,
  /// copied once per pass into the panels of `skgemm512_pack`, which every step then reads
  /// front to back; else the matrix as it is.
  ///
  /// Packed, large's `h·U` (64×2048×512 per thread) ran at 111 GFLOP/s per core with both
  /// cores busy, against 94-98 reading U in place, and its backward `dG·Uᵀ` at 111-113
  /// against 102-106; the small layers' shapes are unchanged.
  struct StepMatrix: @unchecked Sendable {
    let matrix: UnsafePointer<Float>
    let ldb: Int
    let packed: ScratchBuffer?

    init(_ matrix: UnsafePointer<Float>, ldb: Int, k: Int, n: Int) {
      (self.matrix, self.ldb) = (matrix, ldb)
      if FastMath.hasAVX512 && k * n >= RecurrentKernel.packedSize {
        let packed = ScratchBuffer(count: skgemm512_packed_count(k, n))
        skgemm512_pack(k, n, matrix, ldb, packed.pointer)
        self.packed = packed
      } else {
        packed = nil
      }
    }
  }

  /// The smallest `k·n` packed (64 K floats, 256 KB): smaller matrices stay in L2 whatever their
  /// layout, and packing them per pass cost more than it saved (forecast prediction spent 1.6%
  /// of its time packing its 50×200 matrices).
  static let packedSize = 65_536

  /// ``stepProduct(m:n:k:a:lda:b:ldb:accumulate:c:ldc:)`` with B packed or not (``StepMatrix``).
  @inline(__always)
  static func stepProduct(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: StepMatrix, accumulate: Bool,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    guard let packed = b.packed else {
      stepProduct(m: m, n: n, k: k, a: a, lda: lda, b: b.matrix, ldb: b.ldb, accumulate: accumulate, c: c, ldc: ldc)
      return
    }
    guard m > 0 else { return }
    skgemm512_packed(m, n, accumulate ? 1 : 0, k, a, lda, packed.pointer, c, ldc)
  }

  /// Whether each step multiplies its own inputs by `W` (on the AVX-512 kernel) rather than
  /// reading them from one product over all steps made first: the step's rows of `x·W` are
  /// then written and read while they are in cache, where the whole product (large's 12800
  /// rows × 2048, 105 MB per batch) went out to memory and came back, and a layer needs one
  /// step's `[B, G·u]` instead of `[T·B, G·u]`.
  static var multipliesInputPerStep: Bool { FastMath.hasAVX512 }
}
