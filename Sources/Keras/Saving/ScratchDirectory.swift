import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A private directory in the system's temporary directory for one save or load of a `.keras`
/// archive: `swift-keras-<purpose>-<pid>-<uuid>`. Removed when the work ends; one left behind
/// by a process that was killed is removed by the next one made with the same purpose.
enum ScratchDirectory {
  /// Runs `body` with a new scratch directory (created, empty), removing it afterwards.
  static func with<R>(_ purpose: String, _ body: (URL) throws -> R) throws -> R {
    let temporary = FileManager.default.temporaryDirectory
    let prefix = "swift-keras-\(purpose)-"
    removeStale(prefix: prefix, in: temporary)
    let directory = temporary.appendingPathComponent("\(prefix)\(getpid())-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
  }

  /// Removes the directories named `<prefix><pid>-<uuid>` whose process no longer runs.
  static func removeStale(prefix: String, in temporary: URL) {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: temporary.path) else { return }
    for name in names where name.hasPrefix(prefix) {
      let rest = name.dropFirst(prefix.count)
      guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]),
        UUID(uuidString: String(rest[rest.index(after: dash)...])) != nil
      else { continue }
      if processHasExited(pid) {
        try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
      }
    }
  }
}

/// Whether the process `pid` (not this one) no longer runs: the owner of a temporary file or
/// directory a killed save left behind.
func processHasExited(_ pid: Int32) -> Bool {
  pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
}
