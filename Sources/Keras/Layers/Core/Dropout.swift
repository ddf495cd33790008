/// Inverted dropout: in training, zeroes each element with probability `rate` and scales
/// the rest by `1 / (1 - rate)`; at inference it is the identity (`keras.layers.Dropout`).
///
/// `noiseShape` shares one draw along axes of size 1 (e.g. `[nil, 1, nil]` drops whole
/// features for all time steps). Draws come from the global generator unless `seed` is set.
public final class Dropout: Layer, @unchecked Sendable {
  /// The fraction of elements dropped.
  public let rate: Float
  /// The shape of the drop mask (nil entries take the input's size).
  public let noiseShape: [Int?]?
  /// A seed for the drop mask, or nil for the global generator.
  public let seed: UInt64?
  var masks: DropoutMaskSource

  /// Dropout with `rate` in `[0, 1)`.
  public init(_ rate: Float, noiseShape: [Int?]? = nil, seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil) {
    precondition(rate >= 0 && rate < 1, "Dropout: rate must be in [0, 1), got \(rate)")
    self.rate = rate
    self.noiseShape = noiseShape
    self.seed = seed
    self.masks = DropoutMaskSource(seed: seed)
    super.init(name: name, inputShape: inputShape)
  }

  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    guard training, rate > 0 else { return input }
    let maskShape = noiseShape.map { dims in zip(dims, input.shape).map { $0 ?? $1 } } ?? input.shape
    let mask = masks.mask(maskShape, rate: rate)
    return try input * mask
  }

  public override func computeMask(_ input: Tensor, mask: Tensor?) throws -> Tensor? { mask }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("rate", .decimal(rate)), ("seed", seed.map { .int(Int(truncatingIfNeeded: $0)) } ?? .null),
      ("noise_shape", noiseShape.map { ConfigValue.shape($0) } ?? .null),
    ]
  }
}

extension Dropout: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    let reader = config.reader
    return Dropout(
      try reader.fraction("rate"), noiseShape: try reader.shape("noise_shape"), seed: try reader.seed("seed"),
      inputShape: config.inputShape, name: config.name)
  }
}
