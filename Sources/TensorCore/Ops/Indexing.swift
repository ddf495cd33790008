extension Tensor {
  /// Slices of this tensor along `axis` picked by `indices` (`tf.gather`); the result
  /// shape is `shape[..<axis] + indices.shape + shape[(axis+1)...]`.
  ///
  /// With a `[V, D]` table and `[N, T]` ids this is an embedding lookup giving `[N, T, D]`.
  /// The gradient adds each output slice back into the row it came from.
  /// - Throws: when an index is outside `0..<shape[axis]`, naming the index and the shape.
  public func gathering(_ indices: IntTensor, axis: Int = 0) throws -> Tensor {
    let a = try Shape.normalize(axis: axis, rank: rank, shape: shape, operation: "gather")
    let n = shape[a]
    for (position, index) in indices.scalars.enumerated() where index < 0 || Int(index) >= n {
      throw TensorError.invalidArgument(
        operation: "gather", "index \(index) at position \(position) is out of range 0..<\(n) for axis \(axis) of shape \(shape)")
    }
    let outer = Shape.count(Array(shape[..<a]))
    let inner = Shape.count(Array(shape[(a + 1)...]))
    let outShape = Array(shape[..<a]) + indices.shape + Array(shape[(a + 1)...])
    let picks = indices.count
    let result = Tensor(shape: outShape) { out in
      withUnsafeBufferPointer { src in
        for o in 0..<outer {
          for (p, index) in indices.scalars.enumerated() {
            (out.baseAddress! + (o * picks + p) * inner).update(
              from: src.baseAddress! + (o * n + Int(index)) * inner, count: inner)
          }
        }
      }
    }
    let inputShape = shape
    // Gathering rows straight from a variable: keep the slices as well, as TensorFlow's
    // IndexedSlices, since optimizers square or clip them before they are summed.
    let leaf = a == 0 ? recordedLeaf : nil
    // The tape holds this pullback, so the pullback holds the tape only weakly.
    return result.recorded(from: self) { [weak tape = leaf?.tape, node = leaf?.node] g in
      if let tape, let node {
        tape.sparseRows[node, default: []].append(SparseRows(indices: indices, values: g, rowLength: inner))
      }
      var grad = Tensor.zeros(inputShape)
      grad.withUnsafeMutableBufferPointer { dst in
        g.withUnsafeBufferPointer { src in
          for o in 0..<outer {
            for (p, index) in indices.scalars.enumerated() {
              let from = (o * picks + p) * inner
              let to = (o * n + Int(index)) * inner
              for i in 0..<inner { dst[to + i] += src[from + i] }
            }
          }
        }
      }
      return grad
    }
  }

  /// One-hot rows for `indices`: shape `indices.shape + [depth]`, 1 at each index, 0
  /// elsewhere; an index outside `0..<depth` gives an all-zero row, as `tf.one_hot`.
  public static func oneHot(_ indices: IntTensor, depth: Int) throws -> Tensor {
    guard depth > 0 else { throw TensorError.invalidArgument(operation: "oneHot", "depth must be positive, got \(depth)") }
    var result = Tensor.zeros(indices.shape + [depth])
    result.withUnsafeMutableBufferPointer { out in
      for (p, index) in indices.scalars.enumerated() where index >= 0 && Int(index) < depth {
        out[p * depth + Int(index)] = 1
      }
    }
    return result
  }
}

extension Tensor {
  /// The identity of this tensor's buffer: equal for copies that share it (copy-on-write).
  package var storageIdentity: ObjectIdentifier { ObjectIdentifier(storage) }
}

/// Row slices of a gradient, as TensorFlow's `IndexedSlices`: slice `p` (`values[p·rowLength ..<
/// (p+1)·rowLength]`) belongs to row `indices[p]`; an index may repeat, and the dense gradient is
/// the sum of the slices of each row. Gathers from a variable (an Embedding lookup) produce them.
package struct SparseRows: @unchecked Sendable {
  /// The row of each slice, in lookup order.
  package let indices: IntTensor
  /// The slices back to back (the gather's output gradient).
  package let values: Tensor
  /// The length of one row of the variable.
  package let rowLength: Int
}
