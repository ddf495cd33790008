/// An n-dimensional array of 32-bit integers: token ids, class labels, argmax results.
///
/// Integer tensors carry no gradient. Convert with ``Tensor/init(_:)-(IntTensor)`` and ``init(_:)-(Tensor)``.
public struct IntTensor: Equatable, Sendable, CustomStringConvertible {
  /// The size of each dimension.
  public let shape: [Int]
  /// The elements in row-major order.
  public let scalars: [Int32]

  /// An integer tensor of `shape` holding `scalars`.
  ///
  /// - Throws: ``TensorError/countMismatch(operation:expected:got:shape:)``.
  public init(shape: [Int], scalars: [Int32]) throws {
    let n = Shape.count(shape)
    guard n == scalars.count, shape.allSatisfy({ $0 >= 0 }) else {
      throw TensorError.countMismatch(operation: "IntTensor(shape:scalars:)", expected: n, got: scalars.count, shape: shape)
    }
    self.shape = shape
    self.scalars = scalars
  }

  /// A rank-1 integer tensor.
  public init(_ scalars: [Int]) {
    self.shape = [scalars.count]
    self.scalars = scalars.map { Int32($0) }
  }

  /// A rank-2 integer tensor from rows of equal length.
  public init(_ rows: [[Int]]) {
    let columns = rows.first?.count ?? 0
    precondition(rows.allSatisfy { $0.count == columns }, "IntTensor([[Int]]): rows have different lengths")
    self.shape = [rows.count, columns]
    self.scalars = rows.flatMap { $0.map { Int32($0) } }
  }

  /// The elements of `tensor` truncated toward zero (as a cast to int32 in NumPy).
  ///
  /// - Throws: ``TensorError/invalidArgument(operation:_:)`` naming the first NaN, infinite or out-of-range element.
  public init(_ tensor: Tensor) throws {
    var values = [Int32]()
    values.reserveCapacity(tensor.count)
    for (i, v) in tensor.scalars.enumerated() {
      guard v.isFinite, v >= -2_147_483_648, v < 2_147_483_648 else {
        throw TensorError.invalidArgument(
          operation: "IntTensor(Tensor)", "element \(i) (\(v)) of a tensor of shape \(tensor.shape) is not a valid int32")
      }
      values.append(Int32(v))
    }
    try self.init(shape: tensor.shape, scalars: values)
  }

  /// The number of dimensions.
  public var rank: Int { shape.count }
  /// The number of elements.
  public var count: Int { scalars.count }

  /// This tensor with a new shape of the same element count (`-1` infers one dimension).
  public func reshaped(to newShape: [Int]) throws -> IntTensor {
    try IntTensor(shape: Shape.resolve(newShape, count: count, from: shape, operation: "IntTensor.reshaped"), scalars: scalars)
  }

  public var description: String {
    NumPyFormat.format(shape: shape, count: count) { Float(scalars[$0]) } element: { String(scalars[$0]) }
  }
}

extension Tensor {
  /// A float tensor holding the integers of `ints`.
  public init(_ ints: IntTensor) {
    self.init(shape: ints.shape) { buffer in
      for i in 0..<ints.count { buffer[i] = Float(ints.scalars[i]) }
    }
  }
}
