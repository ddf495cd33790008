import Testing

@testable import TensorCore

/// `GEMM.gemm(precision: .bfloat16)` against its reference path (bfloat16-rounded float32 copies
/// multiplied by sgemm). A product of two bfloat16 values is exact in float32 (8 + 8 significant
/// bits), so both paths sum the same products and differ only in the order of their float32 sums:
/// each element may differ by at most `k · 2⁻²³ · Σ|aᵢ·bᵢ|` (the bound of any summation order), the
/// tolerance used here (plus `|beta·c|`'s share when beta is 1).
@Suite("bfloat16 GEMM")
struct BFloat16GEMMTests {
  /// Deterministic values in about [-2, 2] with mixed magnitudes, none subnormal.
  static func values(_ count: Int, seed: Int) -> [Float] {
    (0..<count).map { k in Float((k * 7919 + seed * 104_729) % 2001 - 1000) / Float(500 + (k % 5) * 173) }
  }

  struct Case {
    let m: Int, n: Int, k: Int
    let transposeA: Bool, transposeB: Bool
    let padding: Int  // lda, ldb, ldc beyond the columns
    let alpha: Float, beta: Float
  }

  /// Runs `gemm(precision: .bfloat16)` and the reference on the same operands; returns both results
  /// and each element's tolerance.
  static func run(_ c: Case) -> (fast: [Float], reference: [Float], tolerance: [Float]) {
    let (aRows, aColumns) = c.transposeA ? (c.k, c.m) : (c.m, c.k)
    let (bRows, bColumns) = c.transposeB ? (c.n, c.k) : (c.k, c.n)
    let (lda, ldb, ldc) = (aColumns + c.padding, bColumns + c.padding, c.n + c.padding)
    let a = values(Swift.max(aRows * lda, 1), seed: 1)
    let b = values(Swift.max(bRows * ldb, 1), seed: 2)
    let start = values(c.m * ldc, seed: 3)
    var fast = start
    var reference = start
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        fast.withUnsafeMutableBufferPointer { out in
          GEMM.gemm(
            precision: .bfloat16, transposeA: c.transposeA, transposeB: c.transposeB, m: c.m, n: c.n, k: c.k,
            alpha: c.alpha, a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb, beta: c.beta,
            c: out.baseAddress!, ldc: ldc)
        }
        reference.withUnsafeMutableBufferPointer { out in
          GEMM.referenceBFloat16(
            transposeA: c.transposeA, transposeB: c.transposeB, m: c.m, n: c.n, k: c.k, alpha: c.alpha,
            a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb, beta: c.beta, c: out.baseAddress!, ldc: ldc)
        }
      }
    }
    var tolerance = [Float](repeating: 0, count: c.m * ldc)
    for i in 0..<c.m {
      for j in 0..<c.n {
        var magnitude: Float = abs(c.beta * start[i * ldc + j])
        for p in 0..<c.k {
          let x = c.transposeA ? a[p * lda + i] : a[i * lda + p]
          let y = c.transposeB ? b[j * ldb + p] : b[p * ldb + j]
          magnitude += abs(c.alpha * BFloat16.round(x) * BFloat16.round(y))
        }
        tolerance[i * ldc + j] = Float(c.k + 2) * 0x1p-23 * magnitude
      }
    }
    return (fast, reference, tolerance)
  }

  static let cases: [Case] = {
    var cases: [Case] = []
    for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
      for (m, n, k) in [(7, 13, 19), (37, 65, 129), (1, 33, 5)] {
        for (padding, beta) in [(0, Float(0)), (3, 0), (3, 1)] {
          cases.append(
            Case(
              m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, padding: padding, alpha: 1, beta: beta))
        }
      }
    }
    cases.append(Case(m: 9, n: 17, k: 31, transposeA: false, transposeB: true, padding: 2, alpha: 0.5, beta: 1))
    cases.append(Case(m: 9, n: 17, k: 31, transposeA: true, transposeB: false, padding: 0, alpha: -2, beta: 0.25))
    return cases
  }()

  @Test("equals the reference path up to float32 summation order", arguments: cases.indices)
  func matchesReference(_ index: Int) {
    let c = Self.cases[index]
    let (fast, reference, tolerance) = Self.run(c)
    let ldc = c.n + c.padding
    for i in 0..<c.m {
      for j in 0..<ldc {
        let at = i * ldc + j
        if j >= c.n {
          #expect(fast[at] == reference[at], "padding column \(j) of row \(i) was written")
        } else {
          #expect(abs(fast[at] - reference[at]) <= tolerance[at], "C[\(i), \(j)] of \(c)")
        }
      }
    }
  }

  @Test("k = 0 gives beta · C", arguments: [Float(0), 1, 0.5])
  func emptyProduct(_ beta: Float) {
    var c: [Float] = [1, 2, 3, 4, 5, 6]
    let a: [Float] = [0]
    GEMM.gemm(
      precision: .bfloat16, transposeA: false, transposeB: false, m: 2, n: 3, k: 0, a: a, lda: 1, b: a, ldb: 3,
      beta: beta, c: &c, ldc: 3)
    #expect(c == [1, 2, 3, 4, 5, 6].map { beta * $0 })
  }

  @Test("NaN and infinity propagate")
  func nonFinite() {
    let (m, n, k) = (4, 40, 24)
    var a = Self.values(m * k, seed: 4)
    var b = Self.values(k * n, seed: 5)
    a[0] = .nan  // row 0 of C
    for i in 0..<m { a[i * k + 1] = 1 }  // column 1 of A positive...
    b[1 * n + 2] = .infinity  // ... times +inf: column 2 of C
    var c = [Float](repeating: .nan, count: m * n)  // beta 0: C is not read
    GEMM.gemm(
      precision: .bfloat16, transposeA: false, transposeB: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n,
      c: &c, ldc: n)
    for j in 0..<n { #expect(c[j].isNaN) }
    for i in 1..<m {
      #expect(c[i * n + 2] == .infinity)
      for j in 0..<n where j != 2 { #expect(c[i * n + j].isFinite) }
    }
  }

  @Test("runs on oneDNN's native bfloat16 kernel where the CPU has one", .enabled(if: BFloat16Matmul.multipliesNatively))
  func nativeKernel() throws {
    let plan = try #require(
      BFloat16Matmul.plan(
        .init(
          m: 64, n: 256, k: 128, ldc: 256, transposeA: false, transposeB: false, alpha: 1, beta: 0, packedWeights: false
        )
      ))
    #expect(!plan.implementation.contains("ref"), "oneDNN chose \(plan.implementation)")
  }

  @Test("float32 → bfloat16 conversion rounds to nearest even, as BFloat16.round does")
  func conversion() {
    var source: [Float] = Self.values(1000, seed: 6)
    source += [0, -0, .infinity, -.infinity, .nan, Float.greatestFiniteMagnitude, 1 + 0x1p-8, 1 + 0x1p-7 + 0x1p-8]
    source += [Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000), Float(bitPattern: 0x3F80_8001)]
    let converted = source.withUnsafeBufferPointer {
      BFloat16Matmul.convert($0.baseAddress!, ld: source.count, rows: 1, columns: source.count)
    }
    for (i, x) in source.enumerated() {
      let bits = UInt32(converted.pointer[i]) << 16
      let expected = BFloat16.round(x)
      if x.isNaN {
        #expect(Float(bitPattern: bits).isNaN)
      } else {
        #expect(bits == expected.bitPattern, "element \(i): \(x)")
      }
    }
  }
}

/// Several threads multiplying at once share the cached primitives.
@Suite("bfloat16 GEMM on several threads")
struct BFloat16GEMMThreadTests {
  @Test("concurrent calls give the single-threaded results")
  func concurrent() async {
    let (m, n, k) = (33, 70, 45)
    let a = BFloat16GEMMTests.values(m * k, seed: 7)
    let b = BFloat16GEMMTests.values(k * n, seed: 8)
    func product(_ beta: Float) -> [Float] {
      var c = BFloat16GEMMTests.values(m * n, seed: 9)
      GEMM.gemm(
        precision: .bfloat16, transposeA: false, transposeB: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n,
        beta: beta, c: &c, ldc: n)
      return c
    }
    let expected = [product(0), product(1)]
    let results = await withTaskGroup(of: (Int, [Float]).self) { group in
      for task in 0..<8 { group.addTask { (task % 2, product(Float(task % 2))) } }
      return await group.reduce(into: []) { $0.append($1) }
    }
    for (kind, result) in results { #expect(result == expected[kind]) }
  }
}
