import CDNNL

// The per-step products of RecurrentKernel (`h·U`, and `x·W` when each step multiplies its own inputs):
// single-threaded small GEMMs, with B packed once per pass when it is large.

extension RecurrentKernel {
  /// A per-step product `C = A·B` (or `C += A·B` when `accumulate`), row-major, single-threaded:
  /// the AVX-512 kernel of small_gemm.h when the CPU has AVX-512; its AVX2 twin for `B` under
  /// ``packedSize`` floats when the CPU has AVX2 (its 6×16 blocks reread B too often for large
  /// matrices, where oneDNN is faster); else oneDNN.
  ///
  /// The per-step shapes (one batch part's rows by `G·u` or `u` columns) are where oneDNN's
  /// per-call packing of `B` costs most: the kernels here, which pack nothing per call, are
  /// faster there and level on the backward shapes. The measurements are in the Keras
  /// documentation's Performance article, "Design notes and measurements".
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
  /// Large matrices (large's `U` and `Uᵀ`) run faster packed than read in place, forward and
  /// backward, most of all with both cores busy; the small layers' shapes are unchanged
  /// (Performance article, "Design notes and measurements").
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
  /// layout, and packing them per pass cost more than it saved (Performance article, "Design
  /// notes and measurements").
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
