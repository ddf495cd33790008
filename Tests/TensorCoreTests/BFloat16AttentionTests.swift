import Testing

@testable import TensorCore

/// `multiHeadAttention(precision: .bfloat16)`: the scores multiply bfloat16-rounded `q` and `k`,
/// so the weights equal float32 attention on pre-rounded `q`, `k` (up to float32 summation
/// order); the output multiplies the rounded weights by the rounded `v`, which the test computes
/// itself from the returned weights.
@Suite("Attention in bfloat16")
struct BFloat16AttentionTests {
  static func rounded(_ x: Tensor) throws -> Tensor {
    try Tensor(shape: x.shape, scalars: x.scalars.map(BFloat16.round))
  }

  @Test("weights and output equal their bfloat16-rounded references", arguments: [false, true])
  func matchesReference(_ causal: Bool) throws {
    let (b, t, s, h, d) = (2, 5, 7, 3, 4)
    let q = Tensor.randomUniform([b, t, h, d], min: -1, max: 1, seed: 11)
    let k = Tensor.randomUniform([b, s, h, d], min: -1, max: 1, seed: 12)
    let v = Tensor.randomUniform([b, s, h, d], min: -1, max: 1, seed: 13)
    let mask = AttentionMask(causal: causal)
    let (output, weights) = try Tensor.multiHeadAttention(
      query: q, key: k, value: v, mask: mask, scale: 0.5, precision: .bfloat16)
    let (_, expectedWeights) = try Tensor.multiHeadAttention(
      query: Self.rounded(q), key: Self.rounded(k), value: v, mask: mask, scale: 0.5)
    #expect(mismatch(weights, expectedWeights, absolute: 1e-6, relative: 1e-5) == nil)
    let (p, values) = (weights.scalars.map(BFloat16.round), v.scalars.map(BFloat16.round))
    var expected = [Float](repeating: 0, count: b * t * h * d)
    for row in 0..<b {
      for head in 0..<h {
        for i in 0..<t {
          for c in 0..<d {
            var sum: Float = 0
            for j in 0..<s { sum += p[((row * h + head) * t + i) * s + j] * values[((row * s + j) * h + head) * d + c] }
            expected[((row * t + i) * h + head) * d + c] = sum
          }
        }
      }
    }
    #expect(mismatch(output, try Tensor(shape: output.shape, scalars: expected), absolute: 1e-6, relative: 1e-5) == nil)
    let (float32, _) = try Tensor.multiHeadAttention(query: q, key: k, value: v, mask: mask, scale: 0.5)
    #expect(mismatch(output, float32, absolute: 1e-4) != nil, "bfloat16 attention should differ from float32")
  }

  @Test("gradients agree with float32's within bfloat16 precision")
  func gradients() throws {
    let q = Tensor.randomUniform([2, 4, 2, 3], min: -1, max: 1, seed: 21)
    let k = Tensor.randomUniform([2, 6, 2, 3], min: -1, max: 1, seed: 22)
    let v = Tensor.randomUniform([2, 6, 2, 3], min: -1, max: 1, seed: 23)
    let weights = Tensor.randomUniform([2, 4, 2, 3], min: -1, max: 1, seed: 24)
    func gradients(_ precision: MatMulPrecision) throws -> [Tensor] {
      try valueWithGradient(at: [q, k, v]) { x in
        try
          (Tensor.multiHeadAttention(query: x[0], key: x[1], value: x[2], scale: 0.6, precision: precision).output
          * weights).sum()
      }.gradients
    }
    for (fast, exact) in zip(try gradients(.bfloat16), try gradients(.float32)) {
      #expect(mismatch(fast, exact, absolute: 2e-2, relative: 2e-2) == nil)
    }
  }
}
