import AtomicFile
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
    do {
      try AtomicFile.write(to: path) { temporaryPath in
        let file = try withLibrary {
          HDF5File(
            fileID: try createID(at: temporaryPath, displayPath: path, overwrite: false),
            path: path, mode: .readWrite)
        }
        do {
          try body(file)
          try file.close()
        } catch {
          try? file.close()
          throw error
        }
      }
    } catch AtomicFile.Failure.missingDirectory(_, let directory) {
      throw ErrorSite(file: path, operation: "create file").error(.ioFailure, "no such directory '\(directory)'")
    } catch AtomicFile.Failure.replaceFailed(_, let reason) {
      throw ErrorSite(file: path, operation: "replace file").error(.ioFailure, reason)
    }
  }
}

