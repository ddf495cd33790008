import Foundation

// The file-taking entry points with a file `URL` instead of a path.
extension HDF5File {
  /// Opens the existing file at `url`; see `init(path:mode:)`.
  ///
  /// Throws `HDF5Error` of kind `invalidArgument` for a URL that is not a file URL, or as
  /// `init(path:mode:)`.
  public convenience init(url: URL, mode: AccessMode = .readOnly) throws {
    try self.init(path: try Self.filePath(url, operation: "open file"), mode: mode)
  }

  /// Creates a new, empty file at `url`; see `create(path:overwrite:)`.
  public static func create(url: URL, overwrite: Bool = false) throws -> HDF5File {
    try create(path: try filePath(url, operation: "create file"), overwrite: overwrite)
  }

  /// Writes a new file at `url` atomically; see `write(to:_:)` with a path.
  public static func write(to url: URL, _ body: (HDF5File) throws -> Void) throws {
    try write(to: try filePath(url, operation: "create file"), body)
  }

  /// The path of a file URL.
  private static func filePath(_ url: URL, operation: String) throws -> String {
    guard url.isFileURL else {
      throw ErrorSite(file: url.absoluteString, operation: operation).error(
        .invalidArgument, "not a file URL; pass a path, or URL(fileURLWithPath:)")
    }
    return url.path
  }
}
