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

extension DropoutMaskSource {
  /// The state of the layer's own generator, nil when it draws from the current one.
  var generatorState: [UInt64]? {
    get { generator?.state }
    set {
      if let newValue, generator != nil { generator?.state = newValue }
    }
  }
}

extension Layer {
  /// The generator state of each dropout mask source of this layer and the layers it wraps, in
  /// order, nil for a source drawing from the current generator (``BackupAndRestore`` saves them).
  var dropoutGeneratorStates: [[UInt64]?] {
    get {
      switch self {
      case let dropout as Dropout: return [dropout.masks.generatorState]
      case let recurrent as RecurrentLayer: return [recurrent.masks.generatorState]
      case let bidirectional as Bidirectional:
        return bidirectional.forwardLayer.dropoutGeneratorStates + bidirectional.backwardLayer.dropoutGeneratorStates
      case let wrapper as TimeDistributed: return wrapper.layer.dropoutGeneratorStates
      default: return []
      }
    }
    set {
      switch self {
      case let dropout as Dropout: dropout.masks.generatorState = newValue.first ?? nil
      case let recurrent as RecurrentLayer: recurrent.masks.generatorState = newValue.first ?? nil
      case let bidirectional as Bidirectional:
        bidirectional.forwardLayer.dropoutGeneratorStates = [newValue.first ?? nil]
        bidirectional.backwardLayer.dropoutGeneratorStates = [newValue.dropFirst().first ?? nil]
      case let wrapper as TimeDistributed: wrapper.layer.dropoutGeneratorStates = newValue
      default: break
      }
    }
  }
}
