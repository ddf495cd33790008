/// Loops behind the elementwise operations: a plain loop for equal shapes and
/// scalars, and a strided odometer over the outer axes for general broadcasting.
enum ElementwiseKernels {
  /// `f` applied to every element.
  @inline(__always)
  static func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
    Tensor(shape: x.shape) { out in
      x.withUnsafeBufferPointer { src in
        for i in 0..<out.count { out[i] = f(src[i]) }
      }
    }
  }

  /// `f(a, b, c)` over three equally shaped tensors (used by pullbacks).
  @inline(__always)
  static func map3(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ f: (Float, Float, Float) -> Float) -> Tensor {
    Tensor(shape: a.shape) { out in
      a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          c.withUnsafeBufferPointer { pc in
            for i in 0..<out.count { out[i] = f(pa[i], pb[i], pc[i]) }
          }
        }
      }
    }
  }

  /// `f(a, b)` with NumPy broadcasting.
  ///
  /// - Throws: ``TensorError/incompatibleShapes(operation:_:_:)`` naming `operation` and both shapes.
  @inline(__always)
  static func zip(_ a: Tensor, _ b: Tensor, operation: String, _ f: (Float, Float) -> Float) throws -> Tensor {
    let shape = try Shape.broadcast(a.shape, b.shape, operation: operation)
    return Tensor(shape: shape) { out in
      a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          if a.shape == b.shape {
            for i in 0..<out.count { out[i] = f(pa[i], pb[i]) }
          } else if b.count == 1 {
            let s = pb[0]
            for i in 0..<out.count { out[i] = f(pa[i], s) }
          } else if a.count == 1 {
            let s = pa[0]
            for i in 0..<out.count { out[i] = f(s, pb[i]) }
          } else {
            broadcastLoop(shape: shape, a.shape, b.shape) { o, ia, ib, n, sa, sb in
              var ia = ia
              var ib = ib
              for j in 0..<n {
                out[o + j] = f(pa[ia], pb[ib])
                ia += sa
                ib += sb
              }
            }
          }
        }
      }
    }
  }

  /// Walks `shape` row by row (the last axis is the row), calling `row(outputOffset,
  /// aOffset, bOffset, rowLength, aStride, bStride)` with offsets into operands of
  /// shapes `aShape` and `bShape` broadcast to `shape`.
  @inline(__always)
  static func broadcastLoop(
    shape: [Int], _ aShape: [Int], _ bShape: [Int], row: (Int, Int, Int, Int, Int, Int) -> Void
  ) {
    let rank = shape.count
    let count = Shape.count(shape)
    guard count > 0 else { return }
    guard rank > 0 else {
      row(0, 0, 0, 1, 0, 0)
      return
    }
    let sa = Shape.broadcastStrides(aShape, to: shape)
    let sb = Shape.broadcastStrides(bShape, to: shape)
    let n = shape[rank - 1]
    var index = [Int](repeating: 0, count: rank)
    var ia = 0
    var ib = 0
    var o = 0
    while o < count {
      row(o, ia, ib, n, sa[rank - 1], sb[rank - 1])
      o += n
      var axis = rank - 2
      while axis >= 0 {
        index[axis] += 1
        ia += sa[axis]
        ib += sb[axis]
        if index[axis] < shape[axis] { break }
        ia -= sa[axis] * shape[axis]
        ib -= sb[axis] * shape[axis]
        index[axis] = 0
        axis -= 1
      }
    }
  }
}
