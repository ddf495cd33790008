/// Work divided among the threads that matrix products use (``GEMM/threadCount``).
public enum ParallelParts {
  /// How many parts `rows` rows make: one per thread, with at least `minimumRows` rows each.
  public static func count(rows: Int, minimumRows: Int) -> Int {
    Swift.max(1, Swift.min(GEMM.threadCount, rows / Swift.max(1, minimumRows)))
  }

  /// Runs `body(part)` for `part` in `0..<parts`, on up to `parts` threads, and returns when all
  /// are done. Inside, matrix products and the recurrent kernels run single-threaded. `body`
  /// must write only what its part owns; a gradient being recorded on the calling thread is not
  /// recorded by the other threads (see ``isRecordingGradients``).
  public static func run(parts: Int, _ body: @Sendable (Int) -> Void) {
    OpenMPRegion.run(parts: parts, body)
  }

  /// Whether operations on this thread are being recorded for a gradient (inside
  /// ``valueWithGradient(at:of:)-(Tensor,_)`` and its kin).
  public static var isRecordingGradients: Bool { Tape.current != nil }
}
