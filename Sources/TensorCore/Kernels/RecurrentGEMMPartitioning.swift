// How RecurrentKernel divides its batch rows and its GEMMs over all steps between the GEMM threads.

extension RecurrentKernel {
  /// One part per GEMM thread, with at least 8 batch rows each.
  static func batchParts(batch: Int) -> Int { Swift.max(1, Swift.min(GEMM.threadCount, batch / 8)) }

  /// Runs `body(part)` for each of the `batchParts` parts in parallel, each thread with
  /// single-threaded GEMMs. Every GEMM of a call runs this way when the batch is split, so
  /// that no thread waits for or competes with a separate GEMM team.
  ///
  /// The parts write disjoint rows or columns of shared buffers, hence the unchecked `Sendable`s.
  private func inParallel(_ body: @Sendable (Int) -> Void) {
    OpenMPRegion.run(parts: batchParts, body)
  }

  /// Runs `body(part, rows)` for each slice of the batch rows in parallel: one parallel region
  /// for a whole pass over the steps rather than a synchronisation per step.
  func forEachBatchPart(_ body: @Sendable (Int, Range<Int>) -> Void) {
    let (parts, rows) = (batchParts, batch)
    inParallel { part in body(part, (part * rows / parts)..<((part + 1) * rows / parts)) }
  }

  /// `C = A·B`, row-major, in the kernel's ``RecurrentKernel/precision``, with the columns of C
  /// (or its rows) divided among the parts.
  ///
  /// By default the rows are divided when a column slice would be narrower than 128 and each
  /// part still gets 8 rows: oneDNN runs narrow strided column slices at about half speed
  /// (Performance article, "Design notes and measurements").
  /// Weight gradients, `Aᵀ·B`, go through `reducedGEMM` instead.
  func partitionedGEMM(
    splittingRows: Bool? = nil, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let parts = batchParts
    let splittingRows = splittingRows ?? (n / parts < 128 && m / parts >= 8)
    let (matrices, precision) = (PartShared((a, b, c)), precision)
    inParallel { part in
      let (a, b, c) = matrices.value
      let range = (part * (splittingRows ? m : n) / parts)..<((part + 1) * (splittingRows ? m : n) / parts)
      if splittingRows {
        GEMM.gemm(
          precision: precision, transposeA: false, transposeB: false, m: range.count, n: n, k: k,
          a: a + range.lowerBound * lda, lda: lda, b: b, ldb: ldb, c: c + range.lowerBound * ldc, ldc: ldc)
      } else {
        GEMM.gemm(
          precision: precision, transposeA: false, transposeB: false, m: m, n: range.count, k: k, a: a, lda: lda,
          b: b + range.lowerBound, ldb: ldb, c: c + range.lowerBound, ldc: ldc)
      }
    }
  }

  /// `C = Aᵀ·B` in the kernel's ``RecurrentKernel/precision`` for the `[k, m]` matrix A and the
  /// `[k, n]` matrix B (a weight gradient summed over all `T·B` rows), with the `k` rows divided
  /// among the parts: each part multiplies its own rows into its own `m×n` buffer (part 0 straight
  /// into C), and the buffers are added to C in part order at the end, so the result does not
  /// depend on which thread finishes first.
  ///
  /// Each thread then reads only its half of A and B and produces full-width rows. Slicing C's
  /// columns instead gives each thread narrow column slices, which oneDNN runs slowly, and
  /// slicing C's rows makes both threads stream all of A; both measured slower (Performance
  /// article, "Design notes and measurements").
  func reducedGEMM(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let parts = batchParts
    let partials = ScratchBuffer(count: (parts - 1) * m * n)
    let (matrices, precision) = (PartShared((a, b, c, partials.pointer)), precision)
    inParallel { part in
      let (a, b, c, partials) = matrices.value
      let range = (part * k / parts)..<((part + 1) * k / parts)
      let (target, stride) = part == 0 ? (c, ldc) : (partials + (part - 1) * m * n, n)
      GEMM.gemm(
        precision: precision, transposeA: true, transposeB: false, m: m, n: n, k: range.count,
        a: a + range.lowerBound * lda, lda: lda, b: b + range.lowerBound * ldb, ldb: ldb, c: target, ldc: stride)
    }
    for part in 1..<parts {
      let partial = partials.pointer + (part - 1) * m * n
      for i in 0..<m {
        let (row, source) = (c + i * ldc, partial + i * n)
        for j in 0..<n { row[j] += source[j] }
      }
    }
  }

  /// A value the parallel parts share, each touching only its own rows or columns of it.
  struct PartShared<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
  }
}
