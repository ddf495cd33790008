import Testing

@testable import Keras
@testable import TensorCore

/// A float32 `Dense(activation: .relu)` runs the relu inside its GEMM
/// (`matmul(_:addingBias:relu:)`); it must give what the linear layer followed by `.relu()` gives,
/// values and gradients.
@Suite("Dense with relu fused into the GEMM")
struct DenseReluFusionTests {
  @Test("equals a linear Dense with the same weights then relu, output and weight gradients")
  func matchesLinearThenRelu() throws {
    // 2 · 300 rows: the threads' blocks of the fused kernel.
    let x = Tensor.randomNormal([2, 300, 6], seed: 61)
    let fused = Dense(5, activation: .relu, biasInitializer: .randomNormal())
    let linear = Dense(5)
    _ = try fused(x)
    _ = try linear(x)
    try linear.setWeights(fused.weights.map(\.value))
    let probe = Tensor.randomUniform([2, 300, 5], min: -1, max: 1, seed: 62)
    let (fusedLoss, fusedGradients) = try valueWithGradient(for: fused.trainableWeights) {
      try (fused(x) * probe).sum()
    }
    let (loss, gradients) = try valueWithGradient(for: linear.trainableWeights) {
      try (linear(x).relu() * probe).sum()
    }
    #expect(abs(fusedLoss.scalars[0] - loss.scalars[0]) < 1e-3)
    for (a, b) in zip(fusedGradients, gradients) { #expect(a.isAlmostEqual(to: b, tolerance: 1e-3)) }
    #expect(try fused(x).isAlmostEqual(to: linear(x).relu(), tolerance: 1e-5))
  }
}
