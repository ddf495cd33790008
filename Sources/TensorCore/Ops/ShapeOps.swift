extension Shape {
  /// `shape` with one `-1` replaced so it holds `count` elements.
  static func resolve(_ shape: [Int], count: Int, from original: [Int], operation: String) throws -> [Int] {
    let unknown = shape.indices.filter { shape[$0] == -1 }
    guard unknown.count <= 1, shape.allSatisfy({ $0 >= -1 }) else {
      throw TensorError.invalidArgument(operation: operation, "invalid target shape \(shape) for shape \(original)")
    }
    var result = shape
    if let u = unknown.first {
      let known = Shape.count(shape.filter { $0 != -1 })
      guard known > 0, count % known == 0 else {
        throw TensorError.incompatibleShapes(operation: operation, original, shape)
      }
      result[u] = count / known
    }
    guard Shape.count(result) == count else { throw TensorError.incompatibleShapes(operation: operation, original, shape) }
    return result
  }
}

extension Tensor {
  /// The same elements in a new shape; one dimension may be `-1` to be inferred. No copy is made.
  ///
  /// - Throws: ``TensorError/incompatibleShapes(operation:_:_:)`` when the element counts differ.
  public func reshaped(to newShape: [Int]) throws -> Tensor {
    let target = try Shape.resolve(newShape, count: count, from: shape, operation: "reshape")
    let original = shape
    return sharingStorage(shape: target).recorded(from: self) { try $0.reshaped(to: original) }
  }

  /// This tensor flattened to rank 1.
  public func flattened() -> Tensor { try! reshaped(to: [-1]) }

  /// The axes reordered: result axis `i` is input axis `axes[i]` (NumPy's `transpose(axes)`).
  ///
  /// - Throws: when `axes` is not a permutation of `0..<rank`.
  public func permuted(_ axes: [Int]) throws -> Tensor {
    let normalized = try axes.map { try Shape.normalize(axis: $0, rank: rank, shape: shape, operation: "permute") }
    guard normalized.count == rank, Set(normalized).count == rank else {
      throw TensorError.invalidArgument(operation: "permute", "\(axes) is not a permutation of the axes of shape \(shape)")
    }
    if normalized == Array(0..<rank) { return self }
    let outShape = normalized.map { shape[$0] }
    let inStrides = Shape.strides(shape)
    let permutedStrides = normalized.map { inStrides[$0] }
    let result = Tensor(shape: outShape) { out in
      withUnsafeBufferPointer { src in
        ElementwiseKernels.broadcastLoop(shape: outShape, outShape, outShape) { o, _, _, n, _, _ in
          // Recover the source offset of this output row from its multi-index.
          var rest = o
          var offset = 0
          for axis in stride(from: outShape.count - 1, through: 0, by: -1) {
            let d = outShape[axis]
            offset += (rest % d) * permutedStrides[axis]
            rest /= d
          }
          let step = permutedStrides[outShape.count - 1]
          for j in 0..<n { out[o + j] = src[offset + j * step] }
        }
      }
    }
    var inverse = [Int](repeating: 0, count: rank)
    for (i, a) in normalized.enumerated() { inverse[a] = i }
    return result.recorded(from: self) { try $0.permuted(inverse) }
  }

  /// The axes in reverse order (the matrix transpose for rank 2).
  public func transposed() -> Tensor { try! permuted(Array((0..<rank).reversed())) }

  /// A new axis of size 1 inserted at `axis` (`-1` appends).
  public func expandingDims(at axis: Int) throws -> Tensor {
    let a = try Shape.normalize(axis: axis, rank: rank + 1, shape: shape, operation: "expandDims")
    var newShape = shape
    newShape.insert(1, at: a)
    return try reshaped(to: newShape)
  }

  /// Size-1 axes removed: the given ones, or all when `axes` is nil.
  ///
  /// - Throws: when a named axis is not of size 1.
  public func squeezing(axes: [Int]? = nil) throws -> Tensor {
    let remove: [Int]
    if let axes {
      remove = try Shape.normalize(axes: axes, shape: shape, operation: "squeeze")
      for a in remove where shape[a] != 1 {
        throw TensorError.invalidArgument(operation: "squeeze", "axis \(a) of shape \(shape) has size \(shape[a]), not 1")
      }
    } else {
      remove = shape.indices.filter { shape[$0] == 1 }
    }
    return try reshaped(to: shape.indices.filter { !remove.contains($0) }.map { shape[$0] })
  }

  /// The elements `range` along `axis` (a view copied out).
  ///
  /// - Throws: when the axis or range is out of bounds.
  public func slice(axis: Int, _ range: Range<Int>) throws -> Tensor {
    let a = try Shape.normalize(axis: axis, rank: rank, shape: shape, operation: "slice")
    guard range.lowerBound >= 0, range.upperBound <= shape[a] else {
      throw TensorError.invalidArgument(
        operation: "slice", "range \(range) is out of bounds for axis \(axis) of shape \(shape)")
    }
    let outer = Shape.count(Array(shape[..<a]))
    let inner = Shape.count(Array(shape[(a + 1)...]))
    let n = shape[a]
    var outShape = shape
    outShape[a] = range.count
    let result = Tensor(shape: outShape) { out in
      withUnsafeBufferPointer { src in
        let block = range.count * inner
        for o in 0..<outer {
          (out.baseAddress! + o * block).update(from: src.baseAddress! + (o * n + range.lowerBound) * inner, count: block)
        }
      }
    }
    let inputShape = shape
    return result.recorded(from: self) { g in
      var grad = Tensor.zeros(inputShape)
      grad.withUnsafeMutableBufferPointer { dst in
        g.withUnsafeBufferPointer { src in
          let block = range.count * inner
          for o in 0..<outer {
            (dst.baseAddress! + (o * n + range.lowerBound) * inner).update(from: src.baseAddress! + o * block, count: block)
          }
        }
      }
      return grad
    }
  }

  /// Tensors joined along an existing `axis`; all other dimensions must agree.
  ///
  /// - Throws: naming the first shape that does not fit.
  public static func concatenate(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
    guard let first = tensors.first else {
      throw TensorError.invalidArgument(operation: "concatenate", "no tensors given")
    }
    let a = try Shape.normalize(axis: axis, rank: first.rank, shape: first.shape, operation: "concatenate")
    for t in tensors.dropFirst() {
      var x = t.shape
      var y = first.shape
      guard x.count == y.count else { throw TensorError.incompatibleShapes(operation: "concatenate", first.shape, t.shape) }
      x[a] = 0
      y[a] = 0
      guard x == y else { throw TensorError.incompatibleShapes(operation: "concatenate", first.shape, t.shape) }
    }
    let sizes = tensors.map { $0.shape[a] }
    var outShape = first.shape
    outShape[a] = sizes.reduce(0, +)
    let outer = Shape.count(Array(first.shape[..<a]))
    let inner = Shape.count(Array(first.shape[(a + 1)...]))
    let result = Tensor(shape: outShape) { out in
      var offset = 0
      for o in 0..<outer {
        for t in tensors {
          let block = t.shape[a] * inner
          t.withUnsafeBufferPointer { src in
            (out.baseAddress! + offset).update(from: src.baseAddress! + o * block, count: block)
          }
          offset += block
        }
      }
    }
    return result.recorded(from: tensors) { g in
      var start = 0
      return try sizes.map { size in
        defer { start += size }
        return try g.slice(axis: a, start..<(start + size))
      }
    }
  }

  /// Tensors of equal shape stacked along a new `axis`.
  public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
    guard let first = tensors.first else { throw TensorError.invalidArgument(operation: "stack", "no tensors given") }
    for t in tensors where t.shape != first.shape {
      throw TensorError.incompatibleShapes(operation: "stack", first.shape, t.shape)
    }
    let a = try Shape.normalize(axis: axis, rank: first.rank + 1, shape: first.shape, operation: "stack")
    return try concatenate(tensors.map { try $0.expandingDims(at: a) }, axis: a)
  }

  /// This tensor split along `axis` into pieces of the given sizes.
  ///
  /// - Throws: when the sizes do not add up to the axis length.
  public func split(sizes: [Int], axis: Int = 0) throws -> [Tensor] {
    let a = try Shape.normalize(axis: axis, rank: rank, shape: shape, operation: "split")
    guard sizes.reduce(0, +) == shape[a], sizes.allSatisfy({ $0 >= 0 }) else {
      throw TensorError.invalidArgument(operation: "split", "sizes \(sizes) do not add up to axis \(axis) of shape \(shape)")
    }
    var start = 0
    return try sizes.map { size in
      defer { start += size }
      return try slice(axis: a, start..<(start + size))
    }
  }

  /// This tensor split along `axis` into `count` equal pieces.
  public func split(count: Int, axis: Int = 0) throws -> [Tensor] {
    let a = try Shape.normalize(axis: axis, rank: rank, shape: shape, operation: "split")
    guard count > 0, shape[a] % count == 0 else {
      throw TensorError.invalidArgument(operation: "split", "axis \(axis) of shape \(shape) does not split into \(count) equal parts")
    }
    return try split(sizes: Array(repeating: shape[a] / count, count: count), axis: a)
  }
}
