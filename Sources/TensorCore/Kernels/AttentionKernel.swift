import CDNNL

#if canImport(Glibc)
  import Glibc
#endif

/// The loops of ``Tensor/multiHeadAttention(query:key:value:mask:scale:zeroMaskedRows:dropout:precision:)``:
/// per batch row and head, two GEMMs that read the heads in place (leading dimension `H·d`) and a
/// masked softmax over each row of scores, done where the scores were written.
///
/// Unmasked float32 attention without dropout on an AVX-512 CPU (a Transformer encoder's
/// self-attention) runs each pair on attention_kernels.h instead: the products on small_gemm.h's
/// block kernel rather than one oneDNN call each (whose per-call setup costs as much as a
/// 128 × 128 × 16 product), the softmax and its gradient in sixteen lanes.
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

  /// The key steps query step `i` may see: `0..<i+1` under the causal rule, all `keys` otherwise
  /// (the keep flags, if any, mask within that range).
  @inline(__always)
  private static func visible(_ rule: AttentionKeepRule, _ i: Int, _ keys: Int) -> Int {
    rule.causal ? Swift.min(i + 1, keys) : keys
  }

  /// The lanewise maximum (a compare and a select: the generic `pointwiseMax` goes lane by lane).
  @inline(__always)
  private static func larger(_ a: VectorExp.Vector, _ b: VectorExp.Vector) -> VectorExp.Vector {
    a.replacing(with: b, where: b .> a)
  }

  /// The softmax of one row of scores, in place: over `row[0..<count]` where `flags` (if any) are
  /// nonzero, 0 elsewhere up to `total`. A row with no key step seen gets `uniform` everywhere.
  /// Sixteen lanes at a time, masked steps taken out by selects rather than branches.
  @inline(__always)
  static func softmaxRow(
    _ row: UnsafeMutablePointer<Float>, count: Int, total: Int, flags: UnsafePointer<Float>?, uniform: Float
  ) {
    typealias V = VectorExp.Vector
    let width = VectorExp.width
    let full = count - count % width
    let tail = count - full
    let minusInfinity = V(repeating: -.infinity)
    // The largest score seen.
    var largestLanes = minusInfinity
    var seen = flags == nil && count > 0
    if let flags {
      var kept = SIMDMask<SIMD16<Int32>>(repeating: false)
      var j = 0
      while j < full {
        let keep = VectorExp.load(flags + j) .!= 0
        kept .|= keep
        largestLanes = larger(largestLanes, VectorExp.load(row + j).replacing(with: minusInfinity, where: .!keep))
        j += width
      }
      if tail > 0 {
        let keep = VectorExp.load(flags + full, count: tail, filler: 0) .!= 0
        kept .|= keep
        let x = VectorExp.load(row + full, count: tail, filler: -.infinity)
        largestLanes = larger(largestLanes, x.replacing(with: minusInfinity, where: .!keep))
      }
      seen = any(kept)
    } else {
      var j = 0
      while j < full {
        largestLanes = larger(largestLanes, VectorExp.load(row + j))
        j += width
      }
      if tail > 0 {
        largestLanes = larger(largestLanes, VectorExp.load(row + full, count: tail, filler: -.infinity))
      }
    }
    guard seen else {
      // Every key masked: Keras' masked scores are all equal, so the softmax is uniform.
      for j in 0..<total { row[j] = uniform }
      return
    }
    var largestScore = largestLanes[0]
    for lane in 1..<width { largestScore = Swift.max(largestScore, largestLanes[lane]) }
    let largest = V(repeating: largestScore)
    // e^(x - largest), 0 where masked, and their sum.
    var sumLanes = V()
    var j = 0
    while j < full {
      var e = VectorExp.exp(VectorExp.load(row + j) - largest)
      if let flags { e.replace(with: 0, where: VectorExp.load(flags + j) .== 0) }
      sumLanes += e
      VectorExp.store(e, row + j)
      j += width
    }
    if tail > 0 {
      var e = VectorExp.exp(VectorExp.load(row + full, count: tail, filler: -.infinity) - largest)
      if let flags { e.replace(with: 0, where: VectorExp.load(flags + full, count: tail, filler: 0) .== 0) }
      sumLanes += e
      VectorExp.store(e, row + full, count: tail)
    }
    let inverse = 1 / sumLanes.sum()
    for j in 0..<count { row[j] *= inverse }
    for j in count..<total { row[j] = 0 }
  }

  /// The softmax's gradient along one row, in place: `dS = P (dP - Σ dP·P)` over `row[0..<count]`
  /// where `flags` (if any) are nonzero, 0 elsewhere up to `total`.
  @inline(__always)
  static func softmaxGradientRow(
    _ row: UnsafeMutablePointer<Float>, weights: UnsafePointer<Float>, count: Int, total: Int,
    flags: UnsafePointer<Float>?
  ) {
    typealias V = VectorExp.Vector
    let width = VectorExp.width
    let wholeFull = total - total % width
    var dotLanes = V()
    var j = 0
    while j < wholeFull {
      dotLanes += VectorExp.load(row + j) * VectorExp.load(weights + j)
      j += width
    }
    var dot = dotLanes.sum()
    for j in wholeFull..<total { dot += row[j] * weights[j] }
    let full = count - count % width
    let dots = V(repeating: dot)
    j = 0
    while j < full {
      var d = VectorExp.load(weights + j) * (VectorExp.load(row + j) - dots)
      if let flags { d.replace(with: 0, where: VectorExp.load(flags + j) .== 0) }
      VectorExp.store(d, row + j)
      j += width
    }
    for j in full..<count {
      row[j] = flags.map { $0[j] == 0 } == true ? 0 : weights[j] * (row[j] - dot)
    }
    for j in count..<total { row[j] = 0 }
  }

  /// Whether the forward and backward passes run on the AVX-512 kernels of
  /// attention_kernels.h: float32, no keep flags, no causal rule, no dropout, on a CPU with AVX-512.
  static func runsFused(
    _ rule: AttentionKeepRule, _ buffers: AttentionBuffers, precision: MatMulPrecision
  ) -> Bool {
    precision == .float32 && buffers.flags == nil && !rule.causal && buffers.dropout == nil && FastMath.hasAVX512
  }

  /// The forward pass; every GEMM in `precision` (the softmax in float32). Without
  /// `buffers.weights` each pair's weights live in a scratch block of its own.
  static func forward(
    _ layout: AttentionLayout, _ rule: AttentionKeepRule, _ buffers: AttentionBuffers, zeroMaskedRows: Bool,
    precision: MatMulPrecision = .float32
  ) {
    let (t, s, h, dk, dv) = (layout.queries, layout.keys, layout.heads, layout.keyDim, layout.valueDim)
    let hasDropout = buffers.dropout != nil
    let fused = runsFused(rule, buffers, precision: precision)
    forEachPair(layout) { b, head in
      let q = buffers.query + b * t * h * dk + head * dk
      let k = buffers.key + b * s * h * dk + head * dk
      let v = buffers.value + b * s * h * dv + head * dv
      let o = buffers.output + b * t * h * dv + head * dv
      let block = (b * h + head) * layout.block
      let scratch = UnsafeMutablePointer<Float>.allocate(
        capacity: (buffers.weights == nil ? layout.block : 0) + (fused ? s * dk + t : 0)
          + (hasDropout ? layout.block : 0))
      defer { scratch.deallocate() }
      let p = buffers.weights.map { $0 + block } ?? scratch
      var spare = buffers.weights == nil ? scratch + layout.block : scratch
      if fused {
        skattn512_forward_pair(
          t, s, dk, dv, layout.scale, q, h * dk, k, h * dk, v, h * dv, p, o, h * dv, buffers.weights == nil ? 0 : 1,
          spare)
        return
      }
      GEMM.gemm(
        precision: precision, transposeA: false, transposeB: true, m: t, n: s, k: dk, alpha: layout.scale, a: q,
        lda: h * dk, b: k, ldb: h * dk, c: p, ldc: s)
      let flags = flags(rule, buffers, b, head)
      let uniform: Float = zeroMaskedRows ? 0 : 1 / Float(s)
      for i in 0..<t {
        softmaxRow(p + i * s, count: visible(rule, i, s), total: s, flags: flags.map { $0 + i * s }, uniform: uniform)
      }
      var weights = UnsafePointer(p)
      if let d = buffers.dropout.map({ $0 + block }) {
        for x in 0..<layout.block { spare[x] = p[x] * d[x] }
        weights = UnsafePointer(spare)
        spare += layout.block
      }
      GEMM.gemm(
        precision: precision, transposeA: false, transposeB: false, m: t, n: dv, k: s, a: weights, lda: s, b: v,
        ldb: h * dv, c: o, ldc: h * dv)
    }
  }

  /// The backward pass; every GEMM in `precision`.
  static func backward(
    _ layout: AttentionLayout, _ rule: AttentionKeepRule, _ buffers: AttentionBuffers, gradients: AttentionGradients,
    precision: MatMulPrecision = .float32
  ) {
    let (t, s, h, dk, dv) = (layout.queries, layout.keys, layout.heads, layout.keyDim, layout.valueDim)
    let fused = runsFused(rule, buffers, precision: precision)
    forEachPair(layout) { b, head in
      let q = buffers.query + b * t * h * dk + head * dk
      let k = buffers.key + b * s * h * dk + head * dk
      let v = buffers.value + b * s * h * dv + head * dv
      let g = buffers.output + b * t * h * dv + head * dv
      let block = (b * h + head) * layout.block
      let p = UnsafePointer(buffers.weights! + block)
      if fused {
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: layout.block + dv * s)
        defer { scratch.deallocate() }
        skattn512_backward_pair(
          t, s, dk, dv, layout.scale, q, h * dk, k, h * dk, v, h * dv, g, h * dv, p,
          gradients.query + b * t * h * dk + head * dk, gradients.key + b * s * h * dk + head * dk,
          gradients.value + b * s * h * dv + head * dv, scratch)
        return
      }
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
      if let d { for x in 0..<layout.block { ds[x] *= d[x] } }
      for i in 0..<t {
        softmaxGradientRow(
          ds + i * s, weights: p + i * s, count: visible(rule, i, s), total: s, flags: flags.map { $0 + i * s })
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
