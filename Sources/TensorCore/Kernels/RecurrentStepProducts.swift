import CDNNL

// The per-step products of RecurrentKernel (`h·U`, and `x·W` when each step multiplies its own inputs):
// single-threaded small GEMMs, with B packed once per pass when it is large; in bfloat16, oneDNN's
// bfloat16 matmul with B converted (and laid out for it) once per pass.

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
  ///
  /// With `precision` `.bfloat16`, ``GEMM/gemm(precision:transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
  /// (B converted on every call: for the rare products whose B is not a ``StepMatrix``).
  @inline(__always)
  static func stepProduct(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, accumulate: Bool,
    c: UnsafeMutablePointer<Float>, ldc: Int, precision: MatMulPrecision = .float32
  ) {
    guard m > 0 && n > 0 else { return }
    if precision == .bfloat16 {
      GEMM.gemm(
        precision: .bfloat16, transposeA: false, transposeB: false, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
        beta: accumulate ? 1 : 0, c: c, ldc: ldc)
    } else if FastMath.hasAVX512 && k > 0 {
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
  ///
  /// In `.bfloat16`, the matrix converted to bfloat16 once per pass (``BFloat16StepMatrix``)
  /// where oneDNN multiplies bfloat16 natively; elsewhere a bfloat16-rounded float32 copy, packed
  /// as above, with each step's A rounded before the float32 product (the same products).
  struct StepMatrix: @unchecked Sendable {
    let matrix: UnsafePointer<Float>
    let ldb: Int
    let packed: ScratchBuffer?
    /// The bfloat16 form (native bfloat16 only).
    let bfloat16: BFloat16StepMatrix?
    /// Whether each step's A is rounded to bfloat16 first (`.bfloat16` without native bfloat16;
    /// `matrix` is then a rounded copy, kept in `rounded`).
    let roundsOperand: Bool
    let rounded: ScratchBuffer?

    /// - Parameter rows: the rows of A a step usually multiplies (one batch part's), for which a
    ///   `.bfloat16` matrix is laid out; other row counts still work.
    init(
      _ matrix: UnsafePointer<Float>, ldb: Int, k: Int, n: Int, precision: MatMulPrecision = .float32, rows: Int = 1,
      ldc: Int = 0, accumulate: Bool = false
    ) {
      var (matrix, ldb) = (matrix, ldb)
      var (bfloat16, roundsOperand, rounded): (BFloat16StepMatrix?, Bool, ScratchBuffer?) = (nil, false, nil)
      if precision == .bfloat16 {
        if BFloat16Matmul.multipliesNatively {
          bfloat16 = BFloat16StepMatrix(
            matrix, ldb: ldb, k: k, n: n, rows: rows, ldc: Swift.max(ldc, n), accumulate: accumulate)
        } else {
          let copy = ScratchBuffer(count: k * n)
          for p in 0..<k { for j in 0..<n { copy.pointer[p * n + j] = BFloat16.round(matrix[p * ldb + j]) } }
          (matrix, ldb, roundsOperand, rounded) = (UnsafePointer(copy.pointer), n, true, copy)
        }
      }
      (self.bfloat16, self.roundsOperand, self.rounded) = (bfloat16, roundsOperand, rounded)
      (self.matrix, self.ldb) = (matrix, ldb)
      if bfloat16 == nil && FastMath.hasAVX512 && k * n >= RecurrentKernel.packedSize {
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
    guard m > 0 && n > 0 else { return }
    if let bfloat16 = b.bfloat16 {
      bfloat16.product(m: m, a: a, lda: lda, accumulate: accumulate, c: c, ldc: ldc)
      return
    }
    var (a, lda) = (a, lda)
    let roundedA = b.roundsOperand ? ScratchBuffer(count: m * k) : nil
    if let roundedA {
      for i in 0..<m { for p in 0..<k { roundedA.pointer[i * k + p] = BFloat16.round(a[i * lda + p]) } }
      (a, lda) = (UnsafePointer(roundedA.pointer), k)
    }
    guard let packed = b.packed else {
      stepProduct(m: m, n: n, k: k, a: a, lda: lda, b: b.matrix, ldb: b.ldb, accumulate: accumulate, c: c, ldc: ldc)
      return
    }
    skgemm512_packed(m, n, accumulate ? 1 : 0, k, a, lda, packed.pointer, c, ldc)
  }

  /// Whether each step multiplies its own inputs by `W` (on the AVX-512 kernel) rather than
  /// reading them from one product over all steps made first: the step's rows of `x·W` are
  /// then written and read while they are in cache, where the whole product (large's 12800
  /// rows × 2048, 105 MB per batch) went out to memory and came back, and a layer needs one
  /// step's `[B, G·u]` instead of `[T·B, G·u]`.
  static var multipliesInputPerStep: Bool { FastMath.hasAVX512 }
}

/// A per-step matrix B (`[k, n]`) in bfloat16 for oneDNN's bfloat16 matmul: in the layout the
/// primitive prefers (converted and reordered once per pass by oneDNN), and dense for the row
/// counts whose primitive prefers another layout.
///
/// Each step converts its A (one batch part's rows) to bfloat16 and runs the primitive of its
/// shape, single-threaded inside the kernel's parallel parts; the primitives are shared by
/// shape (``BFloat16Matmul/plan(_:)``), so only the pass's first call of a shape makes one.
struct BFloat16StepMatrix: @unchecked Sendable {
  let k: Int, n: Int, ldc: Int
  /// The plan `packed` is laid out for, and B in its layout (nil when oneDNN has no plan).
  let layout: BFloat16Matmul.Plan?
  let packed: BFloat16Matrix?
  /// B as dense bfloat16, for plans that read another layout.
  let dense: BFloat16Matrix

  init(_ matrix: UnsafePointer<Float>, ldb: Int, k: Int, n: Int, rows: Int, ldc: Int, accumulate: Bool) {
    (self.k, self.n, self.ldc) = (k, n, ldc)
    dense = BFloat16Matmul.convert(matrix, ld: ldb, rows: k, columns: n)
    layout = BFloat16Matmul.plan(
      Self.key(m: Swift.max(rows, 1), k: k, n: n, ldc: ldc, accumulate: accumulate, packed: true))
    packed = layout?.pack(matrix, ldb: ldb)
  }

  static func key(m: Int, k: Int, n: Int, ldc: Int, accumulate: Bool, packed: Bool) -> BFloat16Matmul.Key {
    .init(
      m: m, n: n, k: k, ldc: ldc, transposeA: false, transposeB: false, alpha: 1, beta: accumulate ? 1 : 0,
      packedWeights: packed)
  }

  /// `C = A·B` (or `C += A·B`) for the `m × k` float32 matrix A, A rounded to bfloat16 here.
  func product(m: Int, a: UnsafePointer<Float>, lda: Int, accumulate: Bool, c: UnsafeMutablePointer<Float>, ldc: Int) {
    let convertedA = BFloat16Matrix(count: m * k)
    skbf16_convert_rows(a, lda, m, k, convertedA.pointer, BFloat16Matmul.convertsNatively ? 1 : 0)
    let plan: BFloat16Matmul.Plan
    let weights: BFloat16Matrix
    if let layout, let packed,
      let candidate = BFloat16Matmul.plan(Self.key(m: m, k: k, n: n, ldc: ldc, accumulate: accumulate, packed: true)),
      candidate === layout || candidate.readsWeights(like: layout)
    {
      (plan, weights) = (candidate, packed)
    } else if let candidate = BFloat16Matmul.plan(
      Self.key(m: m, k: k, n: n, ldc: ldc, accumulate: accumulate, packed: false))
    {
      (plan, weights) = (candidate, dense)
    } else {
      // No bfloat16 primitive for this shape: the reference arithmetic.
      let b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
      defer { b.deallocate() }
      for i in 0..<(k * n) { b[i] = Float(bitPattern: UInt32(dense.pointer[i]) << 16) }
      return GEMM.referenceBFloat16(
        transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: n,
        beta: accumulate ? 1 : 0, c: c, ldc: ldc)
    }
    let scratchpad = plan.scratchpadBytes > 0 ? ScratchBuffer(count: (plan.scratchpadBytes + 3) / 4) : nil
    plan.run(
      a: convertedA.raw, b: weights.raw, c: c, scratchpad: scratchpad.map { UnsafeMutableRawPointer($0.pointer) })
  }
}
