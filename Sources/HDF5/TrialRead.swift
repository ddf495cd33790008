import CHDF5

/// A trial read of a whole file in a forked child process, before libhdf5 reads it in this one
/// (see `Sources/CHDF5/probe.h`).
///
/// libhdf5 1.10 crashes, loops or allocates gigabytes on some deliberately damaged files,
/// whatever ``MetadataCheck`` looks at first. The child does every read the module's readers
/// do (link and attribute names by creation order and by name, objects opened by name, every
/// number and string attribute and dataset within ``ReadLimits``) with a bounded address space
/// and a time limit. If it dies, hangs or runs out of memory, the file is refused here; if it
/// finishes, the same reads take the same paths through libhdf5 here and finish too.
enum TrialRead {
  /// Address space the child may use beyond the process's own: 1 GiB plus twice the file.
  static func memoryAllowance(fileSize: Int) -> UInt64 { (1 << 30) + 2 * UInt64(max(fileSize, 0)) }

  /// Wall time the child may take: 20 s plus 1 s per 20 MiB of file.
  static func seconds(fileSize: Int) -> UInt32 { 20 + UInt32(clamping: max(fileSize, 0) / (20 << 20)) }

  /// Throws `corruptFile` when the trial read of `path` crashed or hung, `limitExceeded` when
  /// it ran out of memory. Call with the libhdf5 lock held (no other thread may be inside
  /// libhdf5 while the process forks).
  static func check(path: String, fileSize: Int, _ site: ErrorSite) throws {
    var signalNumber: Int32 = 0
    let allowance = memoryAllowance(fileSize: fileSize)
    let limit = seconds(fileSize: fileSize)
    let outcome = Int(shim_probe_file(path, Int64(fileSize), allowance, limit, &signalNumber))
    switch outcome {
    case Int(SHIM_PROBE_OUT_OF_MEMORY):
      throw site.error(
        .limitExceeded,
        "reading it needs more than \(allowance >> 20) MiB of memory: a damaged length makes libhdf5 allocate it "
          + "(found by a trial read in a separate process)")
    case Int(SHIM_PROBE_CRASHED):
      throw site.error(
        .corruptFile,
        "damaged metadata: libhdf5 crashed reading it (signal \(signalNumber), in a trial read in a separate process)")
    case Int(SHIM_PROBE_TIMED_OUT):
      throw site.error(
        .corruptFile,
        "damaged metadata: libhdf5 did not finish reading it in \(limit) s (a trial read in a separate process); "
          + "it loops on a damaged structure")
    default:
      return  // finished, or the trial could not run: the read itself goes ahead
    }
  }
}
