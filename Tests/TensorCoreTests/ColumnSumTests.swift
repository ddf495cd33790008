import Testing

@testable import TensorCore

@Suite("Sums over leading and middle axes (the sixteen-lane column sums)")
struct ColumnSumTests {
  /// The sums of `x` `[outer, reduced, inner]` over its middle axis, each added in order as the
  /// generic reduction loop adds them.
  private func sequentialSums(_ x: Tensor, outer: Int, reduced: Int, inner: Int) -> [Float] {
    let values = x.scalars
    var sums = [Float](repeating: 0, count: outer * inner)
    for o in 0..<outer {
      for r in 0..<reduced {
        for i in 0..<inner { sums[o * inner + i] += values[(o * reduced + r) * inner + i] }
      }
    }
    return sums
  }

  @Test("column sums of [37, 83] (64-, 16-column blocks and 3 left over) equal in-order sums to the bit")
  func columns() throws {
    let x = Tensor.randomUniform([37, 83], min: -3, max: 3, seed: 51)
    let sums = try x.sum(axes: [0])
    #expect(sums.shape == [83])
    #expect(sums.scalars == sequentialSums(x, outer: 1, reduced: 37, inner: 83))
  }

  @Test("a middle axis of [3, 5, 40] with keepDims, and a mean over time, equal in-order sums")
  func middleAxis() throws {
    let x = Tensor.randomUniform([3, 5, 40], min: -3, max: 3, seed: 52)
    let sums = try x.sum(axes: [1], keepDims: true)
    #expect(sums.shape == [3, 1, 40])
    let expected = sequentialSums(x, outer: 3, reduced: 5, inner: 40)
    #expect(sums.scalars == expected)
    // The mean divides the same sums (by multiplying by 1/5: within an ulp of the quotient).
    for (mean, sum) in zip(try x.mean(axes: [1]).scalars, expected) { #expect(abs(mean - sum / 5) <= 1e-6) }
  }

  @Test("the gradient of a column sum is ones")
  func gradient() throws {
    let x = Tensor.randomUniform([4, 20], min: -1, max: 1, seed: 53)
    let (_, gradients) = try valueWithGradient(at: [x]) { xs in try xs[0].sum(axes: [0]).sum() }
    #expect(gradients[0].scalars == [Float](repeating: 1, count: 80))
  }
}
