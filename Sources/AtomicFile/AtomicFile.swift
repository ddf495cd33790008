#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The one way SwiftKeras writes a file, whatever its format (HDF5, `.keras` zip, `.npy`,
/// `.npz`, CSV, SVG): the content goes to a temporary file beside the destination, which is
/// synced to disk and renamed over it, so a reader never sees half a file and a failed or
/// interrupted write keeps the previous file.
public enum AtomicFile {
  /// Why a file could not be written.
  public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The destination's directory does not exist.
    case missingDirectory(file: String, directory: String)
    /// The temporary file could not be synced or moved into place.
    case replaceFailed(file: String, reason: String)

    /// The message, naming the file and, for a missing directory, the directory to create.
    public var description: String {
      switch self {
      case .missingDirectory(_, let directory):
        return "the directory '\(directory)' does not exist; create it first"
      case .replaceFailed(_, let reason): return "cannot move the file into place: \(reason)"
      }
    }
  }

  /// Writes `path`: `body` creates the file at the temporary path it is given (a sibling of
  /// `path`, so the rename stays within one file system); the file is then synced and renamed
  /// over `path`, and the directory synced (best effort).
  ///
  /// If `body` or any step throws, the temporary file is removed and an existing file at `path`
  /// is left as it was; the error of `body` is rethrown.
  /// - Throws: ``Failure/missingDirectory(file:directory:)`` before `body` runs;
  ///   ``Failure/replaceFailed(file:reason:)``; what `body` throws.
  public static func write<Result>(to path: String, _ body: (_ temporaryPath: String) throws -> Result) throws -> Result {
    let directory = parentDirectory(of: path)
    var status = stat()
    guard stat(directory, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
      throw Failure.missingDirectory(file: path, directory: directory)
    }
    let temporary = temporarySibling(of: path)
    do {
      let result = try body(temporary)
      try syncToDisk(temporary, path: path)
      guard rename(temporary, path) == 0 else {
        throw Failure.replaceFailed(file: path, reason: String(cString: strerror(errno)))
      }
      syncDirectory(directory)
      return result
    } catch {
      unlink(temporary)
      throw error
    }
  }

  /// Writes `bytes` to `path` atomically.
  public static func write(_ bytes: [UInt8], to path: String) throws {
    try write(to: path) { temporary in
      let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
      guard descriptor >= 0 else {
        throw Failure.replaceFailed(file: path, reason: "cannot create a file in the directory: " + String(cString: strerror(errno)))
      }
      defer { _ = close(descriptor) }
      var offset = 0
      while offset < bytes.count {
        let written = bytes.withUnsafeBytes { buffer in
          Glibc.write(descriptor, buffer.baseAddress! + offset, bytes.count - offset)
        }
        guard written > 0 else {
          throw Failure.replaceFailed(file: path, reason: "cannot write: " + String(cString: strerror(errno)))
        }
        offset += written
      }
    }
  }

  /// `dir/.name.tmp-<pid>-<random>` beside `path`.
  static func temporarySibling(of path: String) -> String {
    let name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    return "\(parentDirectory(of: path))/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
  }

  /// The directory holding `path`: `"."` for a bare name, `"/"` at the top.
  public static func parentDirectory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  private static func syncToDisk(_ temporary: String, path: String) throws {
    let descriptor = open(temporary, O_RDONLY)
    guard descriptor >= 0 else { throw Failure.replaceFailed(file: path, reason: String(cString: strerror(errno))) }
    defer { _ = close(descriptor) }
    guard fsync(descriptor) == 0 else { throw Failure.replaceFailed(file: path, reason: String(cString: strerror(errno))) }
  }

  /// Makes the rename durable; best effort, as some file systems refuse to sync a directory.
  private static func syncDirectory(_ directory: String) {
    let descriptor = open(directory, O_RDONLY)
    guard descriptor >= 0 else { return }
    _ = fsync(descriptor)
    _ = close(descriptor)
  }
}
