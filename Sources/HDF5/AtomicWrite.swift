import CHDF5

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension HDF5File {
  /// Writes a new file at `path` atomically: `body` fills a fresh file
  /// created next to `path` under a temporary name, which is then closed,
  /// synced to disk and renamed over `path`.
  ///
  /// If `body` or any step throws, the temporary file is removed and an
  /// existing file at `path` is left untouched; the error is rethrown.
  /// Errors from inside `body` name `path`, not the temporary file. The
  /// `HDF5File` passed to `body` is closed when `write` returns.
  public static func write(to path: String, _ body: (HDF5File) throws -> Void) throws {
    let directory = parentDirectory(of: path)
    var status = stat()
    guard stat(directory, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
      throw ErrorSite(file: path, operation: "create file").error(
        .ioFailure, "no such directory '\(directory)'")
    }
    let temporaryPath = temporarySibling(of: path)
    let file = try withLibrary {
      HDF5File(
        fileID: try createID(at: temporaryPath, displayPath: path, overwrite: false),
        path: path, mode: .readWrite)
    }
    do {
      try body(file)
      try file.close()
      try syncToDisk(temporaryPath, displayPath: path)
      guard rename(temporaryPath, path) == 0 else {
        throw ErrorSite(file: path, operation: "replace file").error(
          .ioFailure, String(cString: strerror(errno)))
      }
      syncDirectory(of: path)
    } catch {
      try? file.close()
      unlink(temporaryPath)
      throw error
    }
  }

  /// `dir/.name.tmp-<pid>-<random>` beside `path`, so the rename stays
  /// within one file system.
  private static func temporarySibling(of path: String) -> String {
    let name = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    return
      "\(parentDirectory(of: path))/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
  }

  /// The directory holding `path`: `"."` for a bare name, `"/"` at the top.
  private static func parentDirectory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  private static func syncToDisk(_ path: String, displayPath: String) throws {
    let site = ErrorSite(file: displayPath, operation: "sync file")
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw site.error(.ioFailure, String(cString: strerror(errno))) }
    defer { closeDescriptor(descriptor) }
    guard fsync(descriptor) == 0 else {
      throw site.error(.ioFailure, String(cString: strerror(errno)))
    }
  }

  /// Makes the rename durable; best effort, as some file systems refuse
  /// to sync a directory.
  private static func syncDirectory(of path: String) {
    let descriptor = open(parentDirectory(of: path), O_RDONLY)
    guard descriptor >= 0 else { return }
    _ = fsync(descriptor)
    closeDescriptor(descriptor)
  }
}

/// `close(2)`, outside `HDF5File` whose `close()` would shadow it.
private func closeDescriptor(_ descriptor: Int32) {
  _ = close(descriptor)
}
