import Foundation

/// Writes `text` as UTF-8 to `url` atomically: the bytes go to a temporary file beside `url`, which
/// is then renamed over it, so a reader never sees half a file and a failed write keeps the old one.
///
/// - Throws: ``ReportError/writeFailed(file:reason:)`` naming `url`'s path.
func writeTextAtomically(_ text: String, to url: URL) throws {
  let path = url.path
  let directory = url.deletingLastPathComponent()
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
  else {
    throw ReportError.writeFailed(file: path, reason: "no such directory '\(directory.path)'")
  }
  let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
  do {
    try Data(text.utf8).write(to: temporary)
  } catch {
    try? FileManager.default.removeItem(at: temporary)
    throw ReportError.writeFailed(
      file: path, reason: "cannot write in '\(directory.path)': \(error.localizedDescription)")
  }
  guard rename(temporary.path, path) == 0 else {
    let reason = errnoText()
    try? FileManager.default.removeItem(at: temporary)
    throw ReportError.writeFailed(file: path, reason: "cannot move the file into place: \(reason)")
  }
}

/// The C library's message for the current `errno`.
private func errnoText() -> String { String(cString: strerror(errno)) }
