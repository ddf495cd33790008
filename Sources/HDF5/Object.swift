import CHDF5

/// A group or dataset: something with a path that can carry attributes
/// (see `Attribute.swift`). Not subclassable outside this module.
public class HDF5Object: @unchecked Sendable, CustomStringConvertible {
  let handle: ObjectHandle
  /// The absolute path inside the file, `"/"` for the root group.
  public let path: String

  init(handle: ObjectHandle, path: String) {
    self.handle = handle
    self.path = path
  }

  /// The file this object lives in.
  public var file: HDF5File { handle.file }

  /// The last component of `path`; `"/"` for the root group.
  public var name: String { ObjectPath.lastComponent(of: path) }

  /// Whether the object is still open (its file may have closed it).
  public var isOpen: Bool { handle.isOpen }

  /// `HDF5Group(/layers in model.h5)` and the like.
  public var description: String { "\(type(of: self))(\(path) in \(file.path))" }

  /// Closes the object now instead of when its last reference goes away.
  /// Later use throws `closed`.
  public func close() { handle.close() }

  /// An error site for `operation` on this object (or on its attribute).
  func site(_ operation: String, path: String? = nil, attribute: String? = nil) -> ErrorSite {
    ErrorSite(
      file: file.path, objectPath: path ?? self.path, attribute: attribute, operation: operation)
  }

  /// Runs `body` with the lock held and this object's open id.
  func withID<T>(_ site: ErrorSite, _ body: (hid_t) throws -> T) throws -> T {
    try withLibrary { try body(try handle.id(for: site)) }
  }
}
