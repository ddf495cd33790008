/// Reduction loops. Reduced axes are first made one contiguous block (by a
/// permutation when they are not), so every reduction is over `(outer, reduced, inner)`.
enum ReductionKernels {
  /// The shape with reduced axes removed or kept as 1.
  static func resultShape(_ shape: [Int], axes: [Int], keepDims: Bool) -> [Int] {
    var result: [Int] = []
    for (i, d) in shape.enumerated() {
      if axes.contains(i) {
        if keepDims { result.append(1) }
      } else {
        result.append(d)
      }
    }
    return result
  }

  /// Reduces `x` over `axes` (normalised, sorted) with `initial` and `combine`, then `finish(acc, n)`.
  @inline(__always)
  static func reduce(
    _ x: Tensor, axes: [Int], keepDims: Bool, initial: Float,
    _ combine: (Float, Float) -> Float, finish: (Float, Int) -> Float = { a, _ in a }
  ) -> Tensor {
    let outShape = resultShape(x.shape, axes: axes, keepDims: keepDims)
    let source: Tensor
    let (outer, reduced, inner): (Int, Int, Int)
    if let first = axes.first, axes.last! - first + 1 == axes.count {
      source = x
      outer = Shape.count(Array(x.shape[..<first]))
      reduced = Shape.count(axes.map { x.shape[$0] })
      inner = Shape.count(Array(x.shape[(axes.last! + 1)...]))
    } else if axes.isEmpty {
      source = x
      (outer, reduced, inner) = (x.count, 1, 1)
    } else {
      let kept = (0..<x.rank).filter { !axes.contains($0) }
      source = try! x.detached().permuted(kept + axes)
      outer = Shape.count(kept.map { x.shape[$0] })
      reduced = Shape.count(axes.map { x.shape[$0] })
      inner = 1
    }
    return Tensor(shape: outShape) { out in
      source.withUnsafeBufferPointer { src in
        for o in 0..<outer {
          let base = o * reduced * inner
          if inner == 1 {
            var acc = initial
            for r in 0..<reduced { acc = combine(acc, src[base + r]) }
            out[o] = finish(acc, reduced)
          } else {
            for i in 0..<inner { out[o * inner + i] = initial }
            for r in 0..<reduced {
              let row = base + r * inner
              for i in 0..<inner { out[o * inner + i] = combine(out[o * inner + i], src[row + i]) }
            }
            for i in 0..<inner { out[o * inner + i] = finish(out[o * inner + i], reduced) }
          }
        }
      }
    }
  }
}
