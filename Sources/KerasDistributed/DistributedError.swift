/// An error of data-parallel training, with a readable ``description``.
public enum DistributedError: Error, CustomStringConvertible, Equatable {
  /// MPI could not start or failed.
  case mpi(String)
  /// An argument that data-parallel training cannot take, named.
  case invalidArgument(String)
  /// A `fit` feature data-parallel training does not support yet, named.
  case unsupported(String)

  /// The message, naming what was wrong.
  public var description: String {
    switch self {
    case .mpi(let message): return "MPI: \(message)"
    case .invalidArgument(let message): return "invalid argument: \(message)"
    case .unsupported(let message): return "not supported by DataParallel: \(message)"
    }
  }
}
