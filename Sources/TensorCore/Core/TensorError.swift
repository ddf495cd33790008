import Foundation

/// An error thrown by a tensor operation on bad input: it names the operation and the shapes involved.
public enum TensorError: Error, Equatable, CustomStringConvertible, Sendable {
  /// Two shapes that cannot be combined, e.g. by broadcasting or matrix multiplication.
  case incompatibleShapes(operation: String, [Int], [Int])
  /// An axis outside `-rank..<rank` for a tensor of the given shape.
  case invalidAxis(operation: String, axis: Int, shape: [Int])
  /// A requested shape whose element count differs from the data given.
  case countMismatch(operation: String, expected: Int, got: Int, shape: [Int])
  /// An argument outside its valid range, with the reason.
  case invalidArgument(operation: String, String)
  /// A file that could not be read or written, with the reason.
  case file(path: String, String)

  public var description: String {
    switch self {
    case .incompatibleShapes(let operation, let a, let b):
      return "\(operation): incompatible shapes \(a) and \(b)"
    case .invalidAxis(let operation, let axis, let shape):
      return "\(operation): axis \(axis) is out of range for a tensor of shape \(shape) (rank \(shape.count))"
    case .countMismatch(let operation, let expected, let got, let shape):
      return "\(operation): shape \(shape) needs \(expected) elements but \(got) were given"
    case .invalidArgument(let operation, let reason):
      return "\(operation): \(reason)"
    case .file(let path, let reason):
      return "\(path): \(reason)"
    }
  }
}

extension TensorError: LocalizedError {
  /// The message of `description`, so that `error.localizedDescription` shows it too (Foundation
  /// would otherwise print "The operation could not be completed").
  public var errorDescription: String? { description }
}
