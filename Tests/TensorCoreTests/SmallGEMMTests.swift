import CDNNL
import Testing

@testable import TensorCore

/// The AVX-512 per-step GEMM of small_gemm.h computes every element as its starting value (C, or
/// zero) followed by one fused multiply-add per `k` in increasing order. A scalar loop of `fma`
/// does the same arithmetic, so the two must agree bit for bit, for every block shape (row tails
/// of 1-5 rows, masked column tails) and across the `k` slices of 512, with B as it is or packed,
/// and so must its AVX2 twin (6×16 blocks). AVX-512 CPUs have AVX2, so one suite checks all three.
@Suite("AVX-512 small GEMM", .enabled(if: FastMath.hasAVX512, "the CPU has no AVX-512"))
struct SmallGEMMTests {
  /// Deterministic values in [-1, 1) with mixed magnitudes.
  static func values(_ count: Int, seed: Int) -> [Float] {
    (0..<count).map { k in Float((k * 7919 + seed * 104_729) % 2000 - 1000) / Float(1000 + (k % 7) * 300) }
  }

  /// `C (+)= A·B` by scalar fused multiply-adds in `k` order, the reference arithmetic.
  static func reference(
    m: Int, n: Int, k: Int, a: [Float], lda: Int, b: [Float], ldb: Int, c: [Float], ldc: Int, accumulate: Bool
  ) -> [Float] {
    var result = c
    for i in 0..<m {
      for j in 0..<n {
        var sum: Float = accumulate ? c[i * ldc + j] : 0
        // addingProduct rounds once: a fused multiply-add.
        for p in 0..<k { sum = sum.addingProduct(a[i * lda + p], b[p * ldb + j]) }
        result[i * ldc + j] = sum
      }
    }
    return result
  }

  @Test(
    "equals the scalar fused multiply-add chain bit for bit",
    arguments: [
      (1, 1, 1), (5, 17, 3), (6, 64, 50), (7, 65, 9), (13, 200, 50), (16, 50, 200), (11, 130, 600), (4, 16, 1025),
    ])
  func matchesScalarChain(shape: (Int, Int, Int)) {
    let (m, n, k) = shape
    // Leading dimensions wider than the matrices, as in the kernel's strided step rows.
    let (lda, ldb, ldc) = (k + 3, n + 5, n + 2)
    let a = Self.values(m * lda, seed: 1), b = Self.values(k * ldb, seed: 2), c = Self.values(m * ldc, seed: 3)
    // B in skgemm512_pack's panels, for skgemm512_packed.
    var packed = [Float](repeating: .nan, count: skgemm512_packed_count(k, n))
    b.withUnsafeBufferPointer { b in
      packed.withUnsafeMutableBufferPointer { skgemm512_pack(k, n, b.baseAddress, ldb, $0.baseAddress) }
    }
    for accumulate in [true, false] {
      var (out, outPacked) = (c, c)
      a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          out.withUnsafeMutableBufferPointer { out in
            skgemm512(m, n, accumulate ? 1 : 0, k, a.baseAddress, lda, b.baseAddress, ldb, out.baseAddress, ldc)
          }
        }
        packed.withUnsafeBufferPointer { packed in
          outPacked.withUnsafeMutableBufferPointer { out in
            skgemm512_packed(m, n, accumulate ? 1 : 0, k, a.baseAddress, lda, packed.baseAddress, out.baseAddress, ldc)
          }
        }
      }
      var outAVX2 = c
      a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          outAVX2.withUnsafeMutableBufferPointer { out in
            skgemm256(m, n, accumulate ? 1 : 0, k, a.baseAddress, lda, b.baseAddress, ldb, out.baseAddress, ldc)
          }
        }
      }
      let expected = Self.reference(
        m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
      #expect(out == expected, "\(m)×\(n)×\(k), accumulate \(accumulate)")
      #expect(outPacked == expected, "packed, \(m)×\(n)×\(k), accumulate \(accumulate)")
      #expect(outAVX2 == expected, "AVX2, \(m)×\(n)×\(k), accumulate \(accumulate)")
    }
  }

  @Test("writes only the m×n block and, without accumulate, ignores what C held (NaN included)")
  func leavesTheRestAlone() {
    let (m, n, k, ldc) = (7, 21, 5, 30)
    let a = Self.values(m * k, seed: 4), b = Self.values(k * n, seed: 5)
    for avx512 in [true, false] {
      var c = [Float](repeating: .nan, count: m * ldc)
      a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          c.withUnsafeMutableBufferPointer { c in
            if avx512 {
              skgemm512(m, n, 0, k, a.baseAddress, k, b.baseAddress, n, c.baseAddress, ldc)
            } else {
              skgemm256(m, n, 0, k, a.baseAddress, k, b.baseAddress, n, c.baseAddress, ldc)
            }
          }
        }
      }
      for i in 0..<m {
        for j in 0..<ldc {
          #expect(c[i * ldc + j].isNaN == (j >= n), "\(avx512 ? "AVX-512" : "AVX2"), row \(i), column \(j)")
        }
      }
    }
  }
}
