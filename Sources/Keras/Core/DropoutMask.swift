/// Draws inverted-dropout masks for layers: each element `1 / (1 - rate)` with probability
/// `1 - rate`, else 0. Shared by ``Dropout`` and the recurrent layers' `dropout`/`recurrentDropout`.
struct DropoutMaskSource {
  /// The layer's own generator when it was given a seed; otherwise the global one is used.
  private var generator: RandomGenerator?

  init(seed: UInt64?) { generator = seed.map { RandomGenerator(seed: $0) } }

  /// A mask of `shape` dropping a fraction `rate` of the elements.
  mutating func mask(_ shape: [Int], rate: Float) -> Tensor {
    let uniform: Tensor
    if generator != nil {
      uniform = Tensor.randomUniform(shape, using: &generator!)
    } else {
      uniform = Tensor.randomUniform(shape)
    }
    let scale = 1 / (1 - rate)
    return Tensor(shape: shape) { out in
      uniform.withUnsafeBufferPointer { u in for i in 0..<out.count { out[i] = u[i] >= rate ? scale : 0 } }
    }
  }
}
