import Testing

@testable import TensorCore

/// The AVX-512 kernels (attention_kernels.h) run unmasked float32 attention, forward and backward; a keep mask
/// of all ones sends the same sums down the general path (oneDNN products, Swift softmax), whose
/// results the Keras fixtures pin down. The two differ only in the order of float32 sums.
@Suite("Fused attention kernel", .enabled(if: FastMath.hasAVX512, "the CPU has no AVX-512"))
struct FusedAttentionTests {
  /// Sizes with row tails (blocks of 6 query rows) and masked column tails (16 lanes, 64-wide blocks).
  static let sizes: [(b: Int, t: Int, s: Int, h: Int, d: Int)] = [(2, 7, 21, 3, 5), (1, 13, 70, 2, 16)]

  static func inputs(_ size: (b: Int, t: Int, s: Int, h: Int, d: Int)) -> (Tensor, Tensor, Tensor) {
    (
      Tensor.randomUniform([size.b, size.t, size.h, size.d], min: -2, max: 2, seed: 31),
      Tensor.randomUniform([size.b, size.s, size.h, size.d], min: -2, max: 2, seed: 32),
      Tensor.randomUniform([size.b, size.s, size.h, size.d], min: -1, max: 1, seed: 33)
    )
  }

  @Test("output and weights equal the general path's (an all-ones keep mask)", arguments: 0..<2)
  func matchesGeneralPath(_ index: Int) throws {
    let size = Self.sizes[index]
    let (q, k, v) = Self.inputs(size)
    let (output, weights) = try Tensor.multiHeadAttention(query: q, key: k, value: v, scale: 0.45)
    let everywhere = AttentionMask(keep: Tensor.ones([1, 1, size.t, size.s]))
    let (expected, expectedWeights) = try Tensor.multiHeadAttention(
      query: q, key: k, value: v, mask: everywhere, scale: 0.45)
    #expect(mismatch(weights, expectedWeights, absolute: 1e-6, relative: 1e-5) == nil)
    #expect(mismatch(output, expected, absolute: 1e-6, relative: 1e-5) == nil)
  }

  @Test("gradients of query, key and value equal the general path's", arguments: 0..<2)
  func gradientsMatchGeneralPath(_ index: Int) throws {
    let size = Self.sizes[index]
    let (q, k, v) = Self.inputs(size)
    let probe = Tensor.randomUniform([size.b, size.t, size.h, size.d], min: -1, max: 1, seed: 34)
    func gradients(_ mask: AttentionMask) throws -> [Tensor] {
      try valueWithGradient(at: [q, k, v]) { x in
        try (Tensor.multiHeadAttention(query: x[0], key: x[1], value: x[2], mask: mask, scale: 0.45).output * probe)
          .sum()
      }.gradients
    }
    let everywhere = AttentionMask(keep: Tensor.ones([1, 1, size.t, size.s]))
    for (fused, general) in zip(try gradients(AttentionMask()), try gradients(everywhere)) {
      #expect(mismatch(fused, general, absolute: 1e-6, relative: 1e-4) == nil)
    }
  }

  @Test("without keepWeights no weights come back and the output is the same up to rounding")
  func weightsNotKept() throws {
    let (q, k, v) = Self.inputs(Self.sizes[0])
    let kept = try Tensor.multiHeadAttention(query: q, key: k, value: v, scale: 0.45)
    let dropped = try Tensor.multiHeadAttention(query: q, key: k, value: v, scale: 0.45, keepWeights: false)
    #expect(dropped.weights == nil)
    // The kernel then scales the output rows by the softmax's reciprocal sums, not the weights.
    #expect(mismatch(dropped.output, kept.output, absolute: 1e-6, relative: 1e-5) == nil)
    // A differentiated output keeps them for its backward pass.
    let (_, gradients) = try valueWithGradient(at: [q, k, v]) { x in
      let attended = try Tensor.multiHeadAttention(query: x[0], key: x[1], value: x[2], scale: 0.45, keepWeights: false)
      #expect(attended.weights != nil)
      return try (attended.output * attended.output).sum()
    }
    #expect(gradients.count == 3)
  }

  @Test("a masked softmax row stays on the general path: masked keys get weight 0")
  func maskedKeysGetZero() throws {
    let (q, k, v) = Self.inputs(Self.sizes[0])
    var flags = [Float](repeating: 1, count: 7 * 21)
    for i in 0..<7 { flags[i * 21 + 20] = 0 }
    let mask = AttentionMask(keep: try Tensor(shape: [1, 1, 7, 21], scalars: flags))
    let weights = try Tensor.multiHeadAttention(query: q, key: k, value: v, mask: mask, scale: 0.45).weights
    let scalars = weights.scalars
    #expect((0..<(2 * 3 * 7)).allSatisfy { scalars[$0 * 21 + 20] == 0 })
  }
}

/// `Σ probe · matmul(x, w, addingBias: b, relu:)` and `Σ probe · relu?(x·w + b)` with their
/// gradients with respect to `x`, `w` and `b`: the fused product against the separate operations.
func fusedAndSeparateBiasProducts(_ x: Tensor, _ w: Tensor, _ b: Tensor, probe: Tensor, relu: Bool) throws -> (
  fused: (value: Tensor, gradients: [Tensor]), separate: (value: Tensor, gradients: [Tensor])
) {
  let fused = try valueWithGradient(at: [x, w, b]) { v in
    try (v[0].matmul(v[1], addingBias: v[2], relu: relu) * probe).sum()
  }
  let separate = try valueWithGradient(at: [x, w, b]) { v in
    let sum = try v[0].matmul(v[1]) + v[2]
    return try ((relu ? sum.relu() : sum) * probe).sum()
  }
  return (fused, separate)
}

/// `matmul(_:addingBias:)` (each block's product, then the bias added) equals `matmul` then `+`,
/// and so do its gradients, up to float32 rounding.
@Suite("Matrix product adding a bias")
struct MatMulBiasTests {
  @Test("values and gradients equal matmul + bias")
  func matchesMatmulPlusBias() throws {
    let x = Tensor.randomUniform([2, 5, 7], min: -1, max: 1, seed: 41)
    let w = Tensor.randomUniform([7, 9], min: -1, max: 1, seed: 42)
    let b = Tensor.randomUniform([9], min: -1, max: 1, seed: 43)
    let probe = Tensor.randomUniform([2, 5, 9], min: -1, max: 1, seed: 44)
    let (fused, separate) = try fusedAndSeparateBiasProducts(x, w, b, probe: probe, relu: false)
    #expect(abs(fused.value.scalars[0] - separate.value.scalars[0]) < 1e-5)
    for (actual, expected) in zip(fused.gradients, separate.gradients) {
      #expect(mismatch(actual, expected, absolute: 1e-6, relative: 1e-5) == nil)
    }
    #expect(try x.matmul(w, addingBias: b).shape == [2, 5, 9])
  }

  @Test("shapes that disagree throw")
  func refusesBadShapes() {
    let x = Tensor.zeros([3, 4])
    #expect(throws: TensorError.self) { try x.matmul(Tensor.zeros([5, 2]), addingBias: Tensor.zeros([2])) }
    #expect(throws: TensorError.self) { try x.matmul(Tensor.zeros([4, 2]), addingBias: Tensor.zeros([3])) }
  }
}
