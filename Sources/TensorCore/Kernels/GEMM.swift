import CDNNL

/// Single-precision matrix multiplication through oneDNN's `dnnl_sgemm` (row-major).
///
/// oneDNN detects the CPU itself (unlike OpenBLAS, whose speed here depends on
/// `OPENBLAS_CORETYPE`), and threads with GNU OpenMP.
public enum GEMM {
  /// `C = alpha · op(A) · op(B) + beta · C`, row-major, where `op` transposes when asked.
  ///
  /// `A` is `M×K` (or `K×M` when transposed) with leading dimension `lda`; likewise `B` and `C`.
  @inlinable
  public static func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    guard m > 0 && n > 0 else { return }
    if k == 0 {
      for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
      return
    }
    let status = dnnl_sgemm(
      transposeA ? 84 : 78, transposeB ? 84 : 78, Int64(m), Int64(n), Int64(k),
      alpha, a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))
    precondition(status == dnnl_success, "dnnl_sgemm failed with status \(status.rawValue) for m=\(m) n=\(n) k=\(k)")
  }

  /// Sets the number of threads GEMM (and oneDNN generally) uses.
  public static func setThreadCount(_ count: Int) {
    omp_set_num_threads(Int32(Swift.max(1, count)))
  }

  /// The number of threads GEMM uses.
  public static var threadCount: Int { Int(omp_get_max_threads()) }
}
