import Foundation

/// The one error the HDF5 module throws.
///
/// Its `description` names the operation, the path inside the file and the
/// file itself, e.g.
/// `HDF5: cannot open dataset '/layers/dense/vars/0' in 'model.weights.h5': not found`.
public struct HDF5Error: Error, Equatable, Sendable, CustomStringConvertible {
  /// What went wrong, for code that branches on the failure.
  public enum Kind: String, Equatable, Sendable {
    /// No file exists at the given path.
    case fileNotFound
    /// The file exists but does not start with the HDF5 signature.
    case notHDF5
    /// The file has an HDF5 signature but is truncated or damaged.
    case corruptFile
    /// A group, dataset or attribute does not exist.
    case notFound
    /// A group, dataset or file to be created already exists.
    case alreadyExists
    /// The object or value has another type than asked for (a group for a
    /// dataset, strings for numbers, ...).
    case typeMismatch
    /// A value count does not match a shape, or a scalar was asked of an
    /// array.
    case shapeMismatch
    /// Reading would allocate more than the defensive limits allow.
    case limitExceeded
    /// A name, shape or value cannot be stored (empty name, negative
    /// dimension, string with a NUL byte, ...).
    case invalidArgument
    /// The file, or the object used, has been closed.
    case closed
    /// The operating system failed to sync, rename or remove a file.
    case ioFailure
    /// libhdf5 reported a failure not covered by another kind.
    case libraryFailure
  }

  /// What went wrong.
  public var kind: Kind
  /// The failed operation as a verb phrase, e.g. `"open dataset"`.
  public var operation: String
  /// The file as the caller named it.
  public var file: String
  /// The absolute path inside the file (`"/layers/dense"`), or `nil` when
  /// the error is about the file as a whole.
  public var objectPath: String?
  /// The attribute involved, if any.
  public var attribute: String?
  /// Why it failed, e.g. `"not found"`; may quote libhdf5's own message.
  public var reason: String

  /// Creates an error; the HDF5 module throws these, tests may compare them.
  public init(
    _ kind: Kind, operation: String, file: String, objectPath: String? = nil,
    attribute: String? = nil, reason: String
  ) {
    self.kind = kind
    self.operation = operation
    self.file = file
    self.objectPath = objectPath
    self.attribute = attribute
    self.reason = reason
  }

  /// `HDF5: cannot <operation> ['<attribute>' of] '<objectPath>' in '<file>': <reason>`.
  public var description: String {
    let subject: String
    switch (objectPath, attribute) {
    case (let path?, let attribute?): subject = "'\(attribute)' of '\(path)' in '\(file)'"
    case (let path?, nil): subject = "'\(path)' in '\(file)'"
    case (nil, let attribute?): subject = "'\(attribute)' in '\(file)'"
    case (nil, nil): subject = "'\(file)'"
    }
    return "HDF5: cannot \(operation) \(subject): \(reason)"
  }
}

/// Where an operation happens, so every thrown error names file, object and
/// attribute the same way.
struct ErrorSite {
  let file: String
  var objectPath: String?
  var attribute: String?
  let operation: String

  func error(_ kind: HDF5Error.Kind, _ reason: String) -> HDF5Error {
    HDF5Error(
      kind, operation: operation, file: file, objectPath: objectPath, attribute: attribute,
      reason: reason)
  }

  /// An error for a libhdf5 call that failed, quoting libhdf5's innermost
  /// message (and clearing its error stack).
  func libraryError(_ kind: HDF5Error.Kind = .libraryFailure, _ reason: String) -> HDF5Error {
    guard let message = takeLibraryErrorMessage() else { return error(kind, reason) }
    return error(kind, "\(reason) (libhdf5: \(message))")
  }
}

extension HDF5Error: LocalizedError {
  /// The message of `description`, so that `error.localizedDescription` shows it too (Foundation
  /// would otherwise print "The operation could not be completed").
  public var errorDescription: String? { description }
}
