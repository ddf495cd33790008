#if canImport(Glibc)
  import Glibc
#endif

extension Tensor {
  /// `self · kernel + bias` in float32 with the bias added by the GEMM: the output's rows start
  /// as copies of `bias` and the product is accumulated onto them (`beta = 1`), so the sum
  /// takes no pass of its own (a layer's `matmul` then `+` differ from it only in float rounding).
  ///
  /// `self` `[..., K]`, `kernel` `[K, N]`, `bias` `[N]`; returns `[..., N]`, differentiable with
  /// respect to all three.
  ///
  /// - Throws: ``TensorError/incompatibleShapes(operation:_:_:)`` naming the shapes that disagree.
  package func matmul(_ kernel: Tensor, addingBias bias: Tensor) throws -> Tensor {
    guard rank >= 1, kernel.rank == 2, bias.rank == 1, shape[rank - 1] == kernel.shape[0],
      bias.shape[0] == kernel.shape[1]
    else { throw TensorError.incompatibleShapes(operation: "matmul adding bias", shape, kernel.shape + bias.shape) }
    let (k, n) = (kernel.shape[0], kernel.shape[1])
    let rows = count / Swift.max(k, 1)
    let x = self
    let result = Tensor(shape: Array(shape.dropLast()) + [n]) { out in
      x.withUnsafeBufferPointer { a in
        kernel.withUnsafeBufferPointer { b in
          bias.withUnsafeBufferPointer { c in
            let target = out.baseAddress!
            for row in 0..<rows { (target + row * n).update(from: c.baseAddress!, count: n) }
            GEMM.sgemm(
              transposeA: false, transposeB: false, m: rows, n: n, k: k, a: a.baseAddress!, lda: k,
              b: b.baseAddress!, ldb: n, beta: 1, c: target, ldc: n)
          }
        }
      }
    }
    return result.recorded(from: [x, kernel, bias]) { g in
      let rowsOfG = try g.reshaped(to: [rows, n])
      return [
        try g.matmul(kernel, transposeB: true),
        try x.reshaped(to: [rows, k]).matmul(rowsOfG, transposeA: true),
        try rowsOfG.sum(axes: [0]),
      ]
    }
  }
}
