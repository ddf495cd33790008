#if canImport(Glibc)
  import Glibc
#endif

/// A fork-join region on OpenMP's own threads (GNU libgomp, which oneDNN already runs on):
/// what `#pragma omp parallel` compiles to, called from Swift.
///
/// libgomp keeps its threads warm between regions, so entering one costs about a microsecond
/// where waking a Dispatch worker costs about fifty, and oneDNN runs a GEMM called inside a
/// region on the calling thread only. The entry points are looked up at run time (the CDNNL
/// shim does not declare them); without them the parts run one after another.
enum OpenMPRegion {
  private typealias Body = @convention(c) (UnsafeMutableRawPointer?) -> Void
  private typealias Parallel = @convention(c) (Body, UnsafeMutableRawPointer?, UInt32, UInt32) -> Void
  private typealias ThreadQuery = @convention(c) () -> Int32

  private struct Runtime {
    let parallel: Parallel
    let threadNumber: ThreadQuery
    let threadCount: ThreadQuery
  }

  private static let runtime: Runtime? = {
    guard let library = dlopen("libgomp.so.1", RTLD_NOW),
      let parallel = dlsym(library, "GOMP_parallel"),
      let threadNumber = dlsym(library, "omp_get_thread_num"),
      let threadCount = dlsym(library, "omp_get_num_threads")
    else { return nil }
    return Runtime(
      parallel: unsafeBitCast(parallel, to: Parallel.self),
      threadNumber: unsafeBitCast(threadNumber, to: ThreadQuery.self),
      threadCount: unsafeBitCast(threadCount, to: ThreadQuery.self))
  }()

  /// The work of one region and what the team's threads need to share it out.
  private struct Work {
    let parts: Int
    let body: (Int) -> Void
    let runtime: Runtime
  }

  /// Runs `body(part)` for `part` in `0..<parts`, on up to `parts` threads, and returns when all are done.
  ///
  /// Each GEMM inside runs single-threaded; `body` must only write what its part owns. With
  /// OpenMP limited to one thread (`OMP_NUM_THREADS=1`) the parts run one after another on the
  /// calling thread, which is how a ThreadSanitizer pass keeps libgomp, which it cannot see, out.
  static func run(parts: Int, _ body: @Sendable (Int) -> Void) {
    guard parts > 1, let runtime, GEMM.threadCount > 1 else {
      for part in 0..<parts { body(part) }
      return
    }
    withoutActuallyEscaping(body) { body in
      var work = Work(parts: parts, body: body, runtime: runtime)
      withUnsafeMutablePointer(to: &work) { pointer in
        runtime.parallel(
          { context in
            let work = context!.assumingMemoryBound(to: Work.self).pointee
            let threads = GEMM.threadCount
            GEMM.setThreadCount(1)
            defer { GEMM.setThreadCount(threads) }
            let team = Int(work.runtime.threadCount())
            for part in stride(from: Int(work.runtime.threadNumber()), to: work.parts, by: Swift.max(team, 1)) {
              work.body(part)
            }
          }, pointer, UInt32(parts), 0)
      }
    }
  }
}
