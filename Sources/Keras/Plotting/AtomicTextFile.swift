import AtomicFile
import Foundation

/// Writes `text` as UTF-8 to `url` atomically (``AtomicFile``): a reader never sees half a
/// file and a failed write keeps the old one.
///
/// - Throws: ``ReportError/writeFailed(file:reason:)`` naming `url`'s path.
func writeTextAtomically(_ text: String, to url: URL) throws {
  let path = url.path
  do {
    try AtomicFile.write(Array(text.utf8), to: path)
  } catch AtomicFile.Failure.missingDirectory(_, let directory) {
    throw ReportError.writeFailed(file: path, reason: "no such directory '\(directory)'")
  } catch {
    throw ReportError.writeFailed(file: path, reason: "\(error)")
  }
}
