import Testing

@testable import TensorCore

/// Values `k/8 + 2⁻¹⁰` for k in 8..<16: in [1, 2), where bfloat16's spacing is 2⁻⁷, so each rounds
/// to `k/8`; products and sums of those are exact in float32 whatever the order of the sums.
private func offGrid(_ shape: [Int], seed: Int) throws -> (value: Tensor, rounded: Tensor) {
  let ks = (0..<shape.reduce(1, *)).map { 8 + ($0 * 5 + seed) % 8 }
  let value = try Tensor(shape: shape, scalars: ks.map { Float($0) / 8 + 1.0 / 1024 })
  let rounded = try Tensor(shape: shape, scalars: ks.map { Float($0) / 8 })
  return (value, rounded)
}

@Suite("Matrix products in bfloat16")
struct MatMulPrecisionTests {
  @Test("matmul(precision: .bfloat16) multiplies the bfloat16-rounded operands, summing in float32")
  func forward() throws {
    let (a, ra) = try offGrid([2, 3, 4], seed: 1)
    let (b, rb) = try offGrid([4, 5], seed: 2)
    #expect(try a.matmul(b, precision: .bfloat16).scalars == ra.matmul(rb).scalars)
    #expect(try a.matmul(b).scalars != ra.matmul(rb).scalars)
    let (c, rc) = try offGrid([2, 5, 4], seed: 3)
    #expect(try a.matmul(c, transposeB: true, precision: .bfloat16).scalars == ra.matmul(rc, transposeB: true).scalars)
  }

  @Test("The gradient of a bfloat16 product multiplies in bfloat16 too")
  func gradientPrecision() throws {
    let (a, ra) = try offGrid([3, 4], seed: 4)
    let (b, rb) = try offGrid([4, 2], seed: 5)
    let (r, rr) = try offGrid([3, 2], seed: 6)
    let ga = try gradient(at: a) { a in try (a.matmul(b, precision: .bfloat16) * r).sum() }
    #expect(try ga.scalars == rr.matmul(rb, transposeB: true).scalars)
    let gb = try gradient(at: b) { b in try (a.matmul(b, precision: .bfloat16) * r).sum() }
    #expect(try gb.scalars == ra.matmul(rr, transposeA: true).scalars)
  }

  @Test("roundedToBFloat16 keeps bfloat16 values and rounds the others to the nearest, ties to even")
  func rounding() throws {
    // Ties (1 + 2⁻⁸, 1 + 3·2⁻⁸) go to the even neighbour; float32's largest is past bfloat16's.
    let values: [Float] = [1, 1 + 1.0 / 256, 1 + 3.0 / 256, 1 + 1.0 / 1024, -.greatestFiniteMagnitude, .infinity]
    let rounded = try Tensor(shape: [6], scalars: values).roundedToBFloat16().scalars
    let expected: [Float] = [1, 1, 1 + 4.0 / 256, 1, -.infinity, .infinity]
    #expect(rounded == expected)
  }
}
