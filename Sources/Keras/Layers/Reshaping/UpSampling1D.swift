/// Repeats every step of sequences (`keras.layers.UpSampling1D`).
///
/// Input `[N, L, C]`, output `[N, L·size, C]`.
public final class UpSampling1D: Layer, @unchecked Sendable {
  /// How many times each step is repeated.
  public let size: Int

  /// Upsampling by `size`, each step repeated in place.
  public init(size: Int = 2, inputShape: [Int]? = nil, name: String? = nil) {
    precondition(size > 0, "UpSampling1D: size must be positive, got \(size)")
    self.size = size
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: 3)
  }

  /// Every step repeated `size` times.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    guard size > 1 else { return input }
    let indices = (0..<input.shape[1] * size).map { Int32($0 / size) }
    return try input.gathering(IntTensor(shape: [indices.count], scalars: indices), axis: 1)
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    guard inputShape.count == 3 else {
      throw KerasError.incompatibleInput(layer: name, expected: "(None, steps, channels)", got: inputShape.map { $0 ?? -1 })
    }
    return [inputShape[0], inputShape[1].map { $0 * size }, inputShape[2]]
  }

  public override var layerConfig: [(String, ConfigValue)] { [("size", .int(size))] }
}

extension UpSampling1D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    UpSampling1D(size: try config.reader.positiveInt("size", default: 2), inputShape: config.inputShape, name: config.name)
  }
}
