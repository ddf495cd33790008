#if canImport(Glibc)
  import Glibc
#endif

/// The loops of ``Tensor/multiHeadAttention(query:key:value:mask:scale:zeroMaskedRows:dropout:precision:)``:
/// per batch row and head, two GEMMs that read the heads in place (leading dimension `H·d`) and a
/// masked softmax over each row of scores, done where the scores were written.
enum AttentionKernel {
  /// Runs `body(pair)` for every (batch row, head) pair, the pairs split between the threads.
  private static func forEachPair(_ layout: AttentionLayout, _ body: @Sendable (_ b: Int, _ h: Int) -> Void) {
    let parts = ParallelParts.count(rows: layout.pairs, minimumRows: 1)
    ParallelParts.run(parts: parts) { part in
      for pair in (layout.pairs * part / parts)..<(layout.pairs * (part + 1) / parts) {
        body(pair / layout.heads, pair % layout.heads)
      }
    }
  }

  /// The keep flags of batch row `b`, head `h` (a `[T, S]` block), if any.
  @inline(__always)
  private static func flags(_ rule: AttentionKeepRule, _ buffers: AttentionBuffers, _ b: Int, _ h: Int)
    -> UnsafePointer<Float>?
  {
    buffers.flags.map { $0 + b * rule.batchStride + h * rule.headStride }
  }

  /// Whether query step `i` sees key step `j`.
  @inline(__always)
  private static func keeps(_ rule: AttentionKeepRule, _ flags: UnsafePointer<Float>?, _ i: Int, _ j: Int, _ keys: Int)
    -> Bool
  {
    if rule.causal && j > i { return false }
    if let flags, flags[i * keys + j] == 0 { return false }
    return true
  }

  /// The forward pass; every GEMM in `precision` (the softmax in float32).
  static func forward(
    _ layout: AttentionLayout, _ rule: AttentionKeepRule, _ buffers: AttentionBuffers, zeroMaskedRows: Bool,
    precision: MatMulPrecision = .float32
  ) {
    let (t, s, h, dk, dv) = (layout.queries, layout.keys, layout.heads, layout.keyDim, layout.valueDim)
    let hasDropout = buffers.dropout != nil
    forEachPair(layout) { b, head in
      let q = buffers.query + b * t * h * dk + head * dk
      let k = buffers.key + b * s * h * dk + head * dk
      let v = buffers.value + b * s * h * dv + head * dv
      let block = (b * h + head) * layout.block
      let p = buffers.weights + block
      GEMM.gemm(
        precision: precision, transposeA: false, transposeB: true, m: t, n: s, k: dk, alpha: layout.scale, a: q,
        lda: h * dk, b: k, ldb: h * dk, c: p, ldc: s)
      let flags = flags(rule, buffers, b, head)
      for i in 0..<t {
        let row = p + i * s
        var largest = -Float.infinity
        var seen = false
        for j in 0..<s where rule.isEmpty || keeps(rule, flags, i, j, s) {
          largest = Swift.max(largest, row[j])
          seen = true
        }
        guard seen else {
          // Every key masked: Keras' masked scores are all equal, so the softmax is uniform.
          let uniform: Float = zeroMaskedRows ? 0 : 1 / Float(s)
          for j in 0..<s { row[j] = uniform }
          continue
        }
        var sum: Float = 0
        for j in 0..<s {
          if rule.isEmpty || keeps(rule, flags, i, j, s) {
            let e = expf(row[j] - largest)
            row[j] = e
            sum += e
          } else {
            row[j] = 0
          }
        }
        let inverse = 1 / sum
        for j in 0..<s { row[j] *= inverse }
      }
      var weights = UnsafePointer(p)
      var dropped: UnsafeMutablePointer<Float>?
      if hasDropout {
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: layout.block)
        let d = buffers.dropout! + block
        for x in 0..<layout.block { scratch[x] = p[x] * d[x] }
        weights = UnsafePointer(scratch)
        dropped = scratch
      }
      GEMM.gemm(
        precision: precision, transposeA: false, transposeB: false, m: t, n: dv, k: s, a: weights, lda: s, b: v,
        ldb: h * dv, c: buffers.output + b * t * h * dv + head * dv, ldc: h * dv)
      dropped?.deallocate()
    }
  }

  /// The backward pass; every GEMM in `precision`.
  static func backward(
    _ layout: AttentionLayout, _ rule: AttentionKeepRule, _ buffers: AttentionBuffers, gradients: AttentionGradients,
    precision: MatMulPrecision = .float32
  ) {
    let (t, s, h, dk, dv) = (layout.queries, layout.keys, layout.heads, layout.keyDim, layout.valueDim)
    forEachPair(layout) { b, head in
      let q = buffers.query + b * t * h * dk + head * dk
      let k = buffers.key + b * s * h * dk + head * dk
      let v = buffers.value + b * s * h * dv + head * dv
      let g = buffers.output + b * t * h * dv + head * dv
      let block = (b * h + head) * layout.block
      let p = UnsafePointer(buffers.weights + block)
      let d = buffers.dropout.map { $0 + block }
      let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * layout.block)
      defer { scratch.deallocate() }
      let ds = scratch
      let used = scratch + layout.block
      // dV = (P·D)ᵀ g
      var weights = p
      if let d {
        for x in 0..<layout.block { used[x] = p[x] * d[x] }
        weights = UnsafePointer(used)
      }
      GEMM.gemm(
        precision: precision, transposeA: true, transposeB: false, m: s, n: dv, k: t, a: weights, lda: s, b: g,
        ldb: h * dv, c: gradients.value + b * s * h * dv + head * dv, ldc: h * dv)
      // dP = g Vᵀ (times the dropout mask); dS = P (dP - Σ dP·P) where kept, 0 where masked.
      GEMM.gemm(
        precision: precision, transposeA: false, transposeB: true, m: t, n: s, k: dv, a: g, lda: h * dv, b: v,
        ldb: h * dv, c: ds, ldc: s)
      let flags = flags(rule, buffers, b, head)
      for i in 0..<t {
        let row = ds + i * s
        let weightsRow = p + i * s
        if let d { for j in 0..<s { row[j] *= d[i * s + j] } }
        var dot: Float = 0
        for j in 0..<s { dot += row[j] * weightsRow[j] }
        for j in 0..<s {
          row[j] = rule.isEmpty || keeps(rule, flags, i, j, s) ? weightsRow[j] * (row[j] - dot) : 0
        }
      }
      // dQ = scale · dS K, dK = scale · dSᵀ Q
      GEMM.gemm(
        precision: precision, transposeA: false, transposeB: false, m: t, n: dk, k: s, alpha: layout.scale, a: ds,
        lda: s, b: k, ldb: h * dk, c: gradients.query + b * t * h * dk + head * dk, ldc: h * dk)
      GEMM.gemm(
        precision: precision, transposeA: true, transposeB: false, m: s, n: dk, k: t, alpha: layout.scale, a: ds,
        lda: s, b: q, ldb: h * dk, c: gradients.key + b * s * h * dk + head * dk, ldc: h * dk)
    }
  }
}
