/// Shape arithmetic shared by the operations: element counts, strides, axis normalisation, broadcasting.
@usableFromInline
enum Shape {
  /// The number of elements in a tensor of `shape` (1 for a scalar).
  @inlinable
  static func count(_ shape: [Int]) -> Int {
    var n = 1
    for d in shape { n *= d }
    return n
  }

  /// Row-major strides of `shape`, in elements.
  static func strides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var s = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
      strides[i] = s
      s *= shape[i]
    }
    return strides
  }

  /// `axis` mapped into `0..<rank`, accepting negative axes as NumPy does.
  static func normalize(axis: Int, rank: Int, shape: [Int], operation: String) throws -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0 && a < rank else { throw TensorError.invalidAxis(operation: operation, axis: axis, shape: shape) }
    return a
  }

  /// Distinct normalised axes, sorted; `nil` means every axis.
  static func normalize(axes: [Int]?, shape: [Int], operation: String) throws -> [Int] {
    guard let axes else { return Array(0..<shape.count) }
    var result: [Int] = []
    for axis in axes {
      let a = try normalize(axis: axis, rank: shape.count, shape: shape, operation: operation)
      guard !result.contains(a) else {
        throw TensorError.invalidArgument(operation: operation, "axis \(axis) is repeated in \(axes)")
      }
      result.append(a)
    }
    return result.sorted()
  }

  /// The NumPy broadcast of two shapes, or an error naming both.
  static func broadcast(_ a: [Int], _ b: [Int], operation: String) throws -> [Int] {
    if a == b { return a }
    let rank = max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
      let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
      let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
      if da == db || db == 1 {
        result[i] = da
      } else if da == 1 {
        result[i] = db
      } else {
        throw TensorError.incompatibleShapes(operation: operation, a, b)
      }
    }
    return result
  }

  /// Strides that read a tensor of `shape` as if broadcast to `target` (0 along broadcast axes).
  static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let own = strides(shape)
    let offset = target.count - shape.count
    var result = [Int](repeating: 0, count: target.count)
    for i in 0..<shape.count where shape[i] != 1 || target[i + offset] == 1 {
      result[i + offset] = shape[i] == 1 ? 0 : own[i]
    }
    return result
  }
}
