import Testing

@testable import TensorCore

/// The fused layer normalization against the same formula built from single ops
/// (`(x - mean) · rsqrt(variance + ε) · γ + β` over the last axis), and its gradients against
/// finite differences.
@Suite("Fused layer normalization")
struct LayerNormKernelTests {
  static func composed(_ x: Tensor, _ gamma: Tensor?, _ beta: Tensor?, epsilon: Float) throws -> Tensor {
    let mean = try x.mean(axes: [x.rank - 1], keepDims: true)
    let variance = try (x - mean).square().mean(axes: [x.rank - 1], keepDims: true)
    var y = try (x - mean) * (variance + epsilon).rsqrt()
    if let gamma { y = try y * gamma }
    if let beta { y = try y + beta }
    return y
  }

  @Test("output and gradients equal the composed ops', with and without gamma and beta", arguments: [
    (true, true), (true, false), (false, true), (false, false),
  ])
  func matchesComposed(scale: Bool, center: Bool) throws {
    // 300 rows: split between the threads; 37 features: not a multiple of a vector.
    let x = Tensor.randomNormal([3, 100, 37], mean: 0.5, standardDeviation: 2, seed: 7)
    let gamma = scale ? Tensor.randomNormal([37], seed: 8) : nil
    let beta = center ? Tensor.randomNormal([37], seed: 9) : nil
    let inputs = [x] + [gamma, beta].compactMap { $0 }
    func split(_ xs: [Tensor]) -> (Tensor, Tensor?, Tensor?) {
      (xs[0], scale ? xs[1] : nil, center ? xs[scale ? 2 : 1] : nil)
    }
    let weights = Tensor.randomUniform(x.shape, min: -1, max: 1, seed: 10)
    let (fused, fusedGradients) = try valueWithGradient(at: inputs) { xs in
      let (x, g, b) = split(xs)
      return try (x.layerNormalized(gamma: g, beta: b, epsilon: 1e-3) * weights).sum()
    }
    let (reference, referenceGradients) = try valueWithGradient(at: inputs) { xs in
      let (x, g, b) = split(xs)
      return try (Self.composed(x, g, b, epsilon: 1e-3) * weights).sum()
    }
    #expect(fused.isAlmostEqual(to: reference, tolerance: 1e-3))
    let (x0, g0, b0) = split(inputs)
    #expect(
      try x0.layerNormalized(gamma: g0, beta: b0, epsilon: 1e-3).isAlmostEqual(
        to: Self.composed(x0, g0, b0, epsilon: 1e-3), tolerance: 1e-5))
    for (a, b) in zip(fusedGradients, referenceGradients) { #expect(a.isAlmostEqual(to: b, tolerance: 1e-4)) }
  }

  @Test("gradients match finite differences")
  func finiteDifferences() throws {
    let x = Tensor.randomNormal([4, 5], seed: 3)
    let gamma = Tensor.randomNormal([5], seed: 4)
    let beta = Tensor.randomNormal([5], seed: 5)
    try checkGradients("layerNormalized", [x, gamma, beta]) { xs in
      try xs[0].layerNormalized(gamma: xs[1], beta: xs[2], epsilon: 1e-3)
    }
  }

  @Test("gamma or beta of the wrong size is refused, naming both shapes")
  func wrongShape() {
    #expect(throws: TensorError.incompatibleShapes(operation: "layerNormalized", [2, 3], [4])) {
      try Tensor.ones([2, 3]).layerNormalized(gamma: Tensor.ones([4]), beta: nil, epsilon: 1e-3)
    }
  }
}
