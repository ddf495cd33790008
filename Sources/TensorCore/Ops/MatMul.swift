extension Tensor {
  /// The matrix product, as NumPy's `matmul`.
  ///
  /// - Rank 2 × rank 2: `[M, K] · [K, N] → [M, N]`.
  /// - Batched: `[..., M, K] · [..., K, N]` with equal leading dimensions, or a rank-2
  ///   right operand applied to every matrix of the left (`[B, T, F] · [F, U] → [B, T, U]`).
  /// - `transposeA`/`transposeB` use the transposed last two axes without copying.
  /// - `precision` `.bfloat16` multiplies bfloat16-rounded operands and sums in float32 (Keras'
  ///   `mixed_bfloat16` products); the gradient's products use the same precision. The result
  ///   is not rounded: a bfloat16 layer rounds its output itself (``roundedToBFloat16()``).
  ///
  /// - Throws: ``TensorError/incompatibleShapes(operation:_:_:)`` naming both shapes.
  public func matmul(
    _ other: Tensor, transposeA: Bool = false, transposeB: Bool = false, precision: MatMulPrecision = .float32
  ) throws -> Tensor {
    let a = self
    let b = other
    guard a.rank >= 2, b.rank >= 2 else { throw TensorError.incompatibleShapes(operation: "matmul", a.shape, b.shape) }
    let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
    let (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
    let (m, k) = transposeA ? (ac, ar) : (ar, ac)
    let (k2, n) = transposeB ? (bc, br) : (br, bc)
    guard k == k2 else { throw TensorError.incompatibleShapes(operation: "matmul", a.shape, b.shape) }
    let batchShape = Array(a.shape.dropLast(2))
    let sharedRight = b.rank == 2
    guard sharedRight || Array(b.shape.dropLast(2)) == batchShape else {
      throw TensorError.incompatibleShapes(operation: "matmul", a.shape, b.shape)
    }
    let batch = Shape.count(batchShape)
    let result = Tensor(shape: batchShape + [m, n]) { out in
      a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          if sharedRight && !transposeA {
            // One GEMM over all rows of the left operand.
            GEMM.gemm(
              precision: precision, transposeA: false, transposeB: transposeB, m: batch * m, n: n, k: k,
              a: pa.baseAddress!, lda: ac, b: pb.baseAddress!, ldb: bc, c: out.baseAddress!, ldc: n)
          } else {
            for i in 0..<batch {
              GEMM.gemm(
                precision: precision, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                a: pa.baseAddress! + i * ar * ac, lda: ac,
                b: pb.baseAddress! + (sharedRight ? 0 : i * br * bc), ldb: bc,
                c: out.baseAddress! + i * m * n, ldc: n)
            }
          }
        }
      }
    }
    return result.recorded(from: a, b) { g in
      // C = op(A)·op(B): dA = g·op(B)ᵀ (transposed back if A was), dB = op(A)ᵀ·g likewise.
      let da: Tensor?
      if !transposeA {
        da = try g.matmul(b, transposeB: !transposeB, precision: precision)
      } else if b.rank == g.rank {
        da = try b.matmul(g, transposeA: transposeB, transposeB: true, precision: precision)
      } else {
        // A shared rank-2 B cannot multiply a batch from the left: transpose g·op(B)ᵀ instead.
        let r = g.rank
        da = try g.matmul(b, transposeB: !transposeB, precision: precision)
          .permuted(Array(0..<(r - 2)) + [r - 1, r - 2])
      }
      var db: Tensor?
      if sharedRight {
        let a2 = try a.reshaped(to: transposeA ? [batch, ar, ac] : [batch * ar, ac])
        let g2 = try g.reshaped(to: [batch * m, n])
        if transposeA {
          let g3 = try g.reshaped(to: [batch, m, n])
          db = try (0..<batch).reduce(Tensor.zeros([k, n])) { sum, i in
            try sum + a2[i].matmul(g3[i], precision: precision)
          }
          if transposeB { db = db!.transposed() }
        } else {
          db =
            transposeB
            ? try g2.matmul(a2, transposeA: true, precision: precision)
            : try a2.matmul(g2, transposeA: true, precision: precision)
        }
      } else {
        db =
          transposeB
          ? try g.matmul(a, transposeA: true, transposeB: transposeA, precision: precision)
          : try a.matmul(g, transposeA: !transposeA, precision: precision)
      }
      return (da, db)
    }
  }
}
