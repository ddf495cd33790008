#if canImport(Glibc)
  import Glibc
#endif

extension Tensor {
  /// `self · kernel + bias` in float32 with the bias added block by block: each block of rows is
  /// one GEMM, and the bias (then, with `relu`, `max(·, 0)`) is added to the block at once, while
  /// it is still in cache, so neither takes a pass over the whole result or a tensor of its own.
  /// The values are those of `matmul` then `+` (then `.relu()`). (Copying the bias into the rows
  /// first and letting the GEMM accumulate onto them measured 4-8% slower on the transformer
  /// benchmark: the copies wrote every row once more.)
  ///
  /// `self` `[..., K]`, `kernel` `[K, N]`, `bias` `[N]`; returns `[..., N]`, differentiable with
  /// respect to all three.
  ///
  /// - Throws: ``TensorError/incompatibleShapes(operation:_:_:)`` naming the shapes that disagree.
  package func matmul(_ kernel: Tensor, addingBias bias: Tensor, relu: Bool = false) throws -> Tensor {
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
            guard rows > 0, n > 0 else { return }
            MatMulBiasKernel.run(
              MatMulBiasBuffers(a: a.baseAddress!, b: b.baseAddress!, bias: c.baseAddress!, c: out.baseAddress!),
              rows: rows, n: n, k: k, relu: relu)
          }
        }
      }
    }
    return result.recorded(from: [x, kernel, bias]) { upstream in
      // relu's derivative, as `.relu()` takes it: 1 where the output is positive, else 0.
      let g = relu ? ElementwiseKernels.reluGradient(upstream, output: result) : upstream
      let rowsOfG = try g.reshaped(to: [rows, n])
      return [
        try g.matmul(kernel, transposeB: true),
        try x.reshaped(to: [rows, k]).matmul(rowsOfG, transposeA: true),
        try rowsOfG.sum(axes: [0]),
      ]
    }
  }
}

/// The buffers of ``Tensor/matmul(_:addingBias:relu:)``: `a` `[rows, k]`, `b` `[k, n]`, `bias`
/// `[n]` and the output `c` `[rows, n]`.
struct MatMulBiasBuffers: @unchecked Sendable {
  let a: UnsafePointer<Float>
  let b: UnsafePointer<Float>
  let bias: UnsafePointer<Float>
  let c: UnsafeMutablePointer<Float>
}

/// The loop of ``Tensor/matmul(_:addingBias:relu:)``.
enum MatMulBiasKernel {
  /// The rows one GEMM call takes when the rows are split between the threads: few enough that
  /// the block's output is still in cache for the relu after the product.
  static let blockRows = 128

  /// Large products have their rows split between the threads, each running blocks of
  /// ``blockRows`` rows (single-threaded GEMM, then bias and relu) one after another; small ones
  /// are one GEMM call, which oneDNN threads itself.
  static func run(_ buffers: MatMulBiasBuffers, rows: Int, n: Int, k: Int, relu: Bool) {
    let parts = ParallelParts.count(rows: rows, minimumRows: 2 * blockRows)
    guard parts > 1 else {
      block(buffers, rows: 0..<rows, n: n, k: k, relu: relu)
      return
    }
    ParallelParts.run(parts: parts) { part in
      let mine = (rows * part / parts)..<(rows * (part + 1) / parts)
      for start in stride(from: mine.lowerBound, to: mine.upperBound, by: blockRows) {
        block(buffers, rows: start..<Swift.min(start + blockRows, mine.upperBound), n: n, k: k, relu: relu)
      }
    }
  }

  /// `c[rows] = a[rows] · b + bias`, then `max(·, 0)` when `relu`.
  private static func block(_ buffers: MatMulBiasBuffers, rows: Range<Int>, n: Int, k: Int, relu: Bool) {
    guard !rows.isEmpty else { return }
    let target = buffers.c + rows.lowerBound * n
    GEMM.sgemm(
      transposeA: false, transposeB: false, m: rows.count, n: n, k: k, a: buffers.a + rows.lowerBound * k, lda: k,
      b: buffers.b, ldb: n, beta: 0, c: target, ldc: n)
    // The bias (and relu) over the block while it is in cache.
    for r in 0..<rows.count {
      let row = target + r * n
      if relu {
        for j in 0..<n { row[j] = Swift.max(row[j] + buffers.bias[j], 0) }
      } else {
        for j in 0..<n { row[j] += buffers.bias[j] }
      }
    }
  }
}
