/// Loops behind the elementwise operations: a plain loop for equal shapes and
/// scalars, and a strided odometer over the outer axes for general broadcasting.
///
/// The generic loops (`map`, `map3`, `zip`) run on the calling thread: their closure is inlined
/// into the loop only while the loop stays on this thread. Loops written out for one operation
/// (``add(_:_:)``) split large tensors between the threads with ``forEachSpan(_:_:)``.
enum ElementwiseKernels {
  /// The fewest elements a thread is given: below about this many, entering a parallel region
  /// costs more than the second thread saves.
  static let minimumElementsPerThread = 1 << 15

  /// Runs `body(span)` over `0..<count` cut into one contiguous span per thread (a single span,
  /// on the calling thread, when `count` is small). `body` must write only its span's elements;
  /// it is called through a pointer, so it should hold a whole loop rather than call a closure
  /// per element.
  static func forEachSpan(_ count: Int, _ body: (Range<Int>) -> Void) {
    let parts = ParallelParts.count(rows: count, minimumRows: minimumElementsPerThread)
    guard parts > 1 else {
      body(0..<count)
      return
    }
    withoutActuallyEscaping(body) { body in
      let shared = SpanBody(body: body)
      ParallelParts.run(parts: parts) { part in
        shared.body((count * part / parts)..<(count * (part + 1) / parts))
      }
    }
  }

  /// `a + b` for equally shaped `a` and `b`, split between the threads when large (the residual
  /// connections of a Transformer add two `[N, T, C]` tensors).
  static func add(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.shape == b.shape, "ElementwiseKernels.add takes equal shapes, got \(a.shape) and \(b.shape)")
    return Tensor(shape: a.shape) { out in
      a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          guard !out.isEmpty else { return }
          let (o, x, y) = (out.baseAddress!, pa.baseAddress!, pb.baseAddress!)
          forEachSpan(out.count) { span in
            for i in span { o[i] = x[i] + y[i] }
          }
        }
      }
    }
  }

  /// `g · (y > 0 ? 1 : 0)` for equally shaped `g` and `y`: the gradient through a relu whose
  /// output is `y` (as ``Tensor/relu()`` takes it), split between the threads when large.
  static func reluGradient(_ g: Tensor, output y: Tensor) -> Tensor {
    precondition(
      g.shape == y.shape, "ElementwiseKernels.reluGradient takes equal shapes, got \(g.shape) and \(y.shape)")
    return Tensor(shape: g.shape) { out in
      g.withUnsafeBufferPointer { pg in
        y.withUnsafeBufferPointer { py in
          guard !out.isEmpty else { return }
          let (o, u, v) = (out.baseAddress!, pg.baseAddress!, py.baseAddress!)
          forEachSpan(out.count) { span in
            for i in span { o[i] = u[i] * (v[i] > 0 ? 1 : 0) }
          }
        }
      }
    }
  }

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

/// The body of ``ElementwiseKernels/forEachSpan(_:_:)``, handed to the other threads; it writes
/// only the elements of the span it is given.
private struct SpanBody: @unchecked Sendable {
  let body: (Range<Int>) -> Void
}
