/// An n-dimensional array of `Float` in row-major order, with value semantics.
///
/// Copies share storage until one of them is written (copy-on-write). Operations
/// on tensors are recorded for reverse-mode differentiation while a gradient is
/// being taken (see ``valueWithGradient(at:of:)-(Tensor,_)``); outside of that they cost nothing extra.
///
/// ```swift
/// let x = Tensor([[1, 2], [3, 4]])      // shape [2, 2]
/// let y = try x.matmul(x) + 1
/// print(y)                               // [[ 8. 11.]
///                                        //  [16. 23.]]
/// ```
public struct Tensor: @unchecked Sendable {
  /// The size of each dimension; `[]` for a scalar.
  public private(set) var shape: [Int]
  @usableFromInline var storage: TensorStorage
  /// The tape this tensor was recorded on (0 = none) and its node there.
  @usableFromInline var tapeID: Int = 0
  @usableFromInline var tapeNode: Int = -1

  @usableFromInline
  init(shape: [Int], storage: TensorStorage) {
    self.shape = shape
    self.storage = storage
  }

  /// A tensor of `shape` whose elements are written by `body` (which must write all of them).
  @inlinable
  public init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
    let storage = TensorStorage(uninitializedCount: Shape.count(shape))
    try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    self.init(shape: shape, storage: storage)
  }

  /// A tensor of `shape` holding `scalars` in row-major order.
  ///
  /// - Throws: ``TensorError/countMismatch(operation:expected:got:shape:)`` when the count differs.
  public init(shape: [Int], scalars: [Float]) throws {
    guard shape.allSatisfy({ $0 >= 0 }) else {
      throw TensorError.invalidArgument(operation: "Tensor(shape:scalars:)", "negative dimension in shape \(shape)")
    }
    let n = Shape.count(shape)
    guard n == scalars.count else {
      throw TensorError.countMismatch(operation: "Tensor(shape:scalars:)", expected: n, got: scalars.count, shape: shape)
    }
    self.init(shape: shape) { buffer in
      scalars.withUnsafeBufferPointer { buffer.baseAddress!.update(from: $0.baseAddress!, count: n) }
    }
  }

  /// A rank-0 tensor holding `value`.
  public init(_ value: Float) {
    self.init(shape: []) { $0[0] = value }
  }

  /// A rank-1 tensor holding `scalars`.
  public init(_ scalars: [Float]) {
    self.init(shape: [scalars.count]) { buffer in
      for i in 0..<scalars.count { buffer[i] = scalars[i] }
    }
  }

  /// A rank-2 tensor from rows of equal length; an empty row list gives shape `[0, 0]`.
  ///
  /// Ragged rows are a programmer error and stop the program with both lengths named.
  public init(_ rows: [[Float]]) {
    let columns = rows.first?.count ?? 0
    for (i, row) in rows.enumerated() {
      precondition(row.count == columns, "Tensor([[Float]]): row \(i) has \(row.count) elements, row 0 has \(columns)")
    }
    self.init(shape: [rows.count, columns]) { buffer in
      var k = 0
      for row in rows { for v in row { buffer[k] = v; k += 1 } }
    }
  }

  /// A rank-3 tensor from nested arrays of equal lengths.
  public init(_ blocks: [[[Float]]]) {
    let inner = blocks.map { Tensor($0) }
    let rowShape = inner.first?.shape ?? [0, 0]
    for (i, block) in inner.enumerated() {
      precondition(block.shape == rowShape, "Tensor([[[Float]]]): block \(i) has shape \(block.shape), block 0 has \(rowShape)")
    }
    self.init(shape: [blocks.count] + rowShape) { buffer in
      var k = 0
      for block in inner { for v in block.scalars { buffer[k] = v; k += 1 } }
    }
  }

  /// A tensor of `shape` filled with `value`.
  public init(repeating value: Float, shape: [Int]) {
    self.init(shape: shape, storage: TensorStorage(repeating: value, count: Shape.count(shape)))
  }

  /// A tensor of zeros.
  public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }
  /// A tensor of ones.
  public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }
  /// A tensor filled with `value`.
  public static func full(_ shape: [Int], _ value: Float) -> Tensor { Tensor(repeating: value, shape: shape) }
  /// A tensor of zeros with the shape of `other`.
  public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }
  /// A tensor of ones with the shape of `other`.
  public static func ones(like other: Tensor) -> Tensor { ones(other.shape) }

  /// `[start, start + step, ...]` up to but excluding `end`, as NumPy's `arange`.
  public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) throws -> Tensor {
    guard step != 0 else { throw TensorError.invalidArgument(operation: "arange", "step must not be 0") }
    let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
    return Tensor(shape: [n]) { buffer in
      for i in 0..<n { buffer[i] = start + Float(i) * step }
    }
  }

  /// The identity matrix of size `n`.
  public static func eye(_ n: Int) -> Tensor {
    var t = zeros([n, n])
    t.withUnsafeMutableBufferPointer { for i in 0..<n { $0[i * n + i] = 1 } }
    return t
  }

  /// The number of dimensions.
  @inlinable public var rank: Int { shape.count }
  /// The number of elements.
  @inlinable public var count: Int { storage.count }
  /// The elements in row-major order.
  public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: storage.count)) }
  /// The single element of a one-element tensor.
  public var scalar: Float {
    precondition(count == 1, "Tensor.scalar: the tensor has shape \(shape), not one element")
    return storage.pointer[0]
  }

  /// Reads the elements without copying.
  @inlinable
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
    try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
  }

  /// Writes the elements in place, copying the storage first if it is shared.
  @inlinable
  public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows
    -> R
  {
    if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    storage.holdsBFloat16 = false
    tapeID = 0
    tapeNode = -1
    return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
  }

  /// The element at a full multi-index (negative indices count from the end).
  public subscript(indices: Int...) -> Float {
    get { storage.pointer[flatIndex(indices)] }
    set {
      let i = flatIndex(indices)
      withUnsafeMutableBufferPointer { $0[i] = newValue }
    }
  }

  private func flatIndex(_ indices: [Int]) -> Int {
    precondition(
      indices.count == rank,
      "Tensor subscript \(indices): \(indices.count) integers for shape \(shape)"
        + (indices.count < rank ? "; for a sub-tensor write `try x\("\(indices)".dropLast()), .ellipsis]`" : ""))
    var flat = 0
    for (axis, index) in indices.enumerated() {
      let i = index < 0 ? index + shape[axis] : index
      precondition(i >= 0 && i < shape[axis], "Tensor subscript: index \(index) out of range for axis \(axis) of shape \(shape)")
      flat = flat * shape[axis] + i
    }
    return flat
  }

  /// Whether both tensors have the same shape and every element differs by at most `tolerance`.
  public func isAlmostEqual(to other: Tensor, tolerance: Float = 1e-5) -> Bool {
    guard shape == other.shape else { return false }
    for i in 0..<count where !(Swift.abs(storage.pointer[i] - other.storage.pointer[i]) <= tolerance) { return false }
    return true
  }

  /// This tensor with a new shape that shares the storage (no copy, not recorded on the tape).
  @usableFromInline
  func sharingStorage(shape newShape: [Int]) -> Tensor {
    Tensor(shape: newShape, storage: storage)
  }
}

extension Tensor: Equatable {
  /// Equal shapes and elements (NaN is never equal).
  public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
    guard lhs.shape == rhs.shape else { return false }
    if lhs.storage === rhs.storage { return !lhs.scalars.contains { $0.isNaN } }
    for i in 0..<lhs.count where lhs.storage.pointer[i] != rhs.storage.pointer[i] { return false }
    return true
  }
}

