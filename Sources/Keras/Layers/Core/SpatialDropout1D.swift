/// Dropout of whole channels: in training, each channel of each sequence is zeroed for every
/// step with probability `rate` and the rest scaled by `1 / (1 - rate)`; at inference the
/// identity (`keras.layers.SpatialDropout1D`, noise shape `[N, 1, C]`).
///
/// Input and output `[N, L, C]`.
public final class SpatialDropout1D: Layer, @unchecked Sendable {
  /// The fraction of channels dropped.
  public let rate: Float
  /// A seed for the drop mask, or nil for the global generator.
  public let seed: UInt64?
  var masks: DropoutMaskSource

  /// Channel dropout with `rate` in `[0, 1)`.
  public init(_ rate: Float, seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil) {
    precondition(rate >= 0 && rate < 1, "SpatialDropout1D: rate must be in [0, 1), got \(rate)")
    self.rate = rate
    self.seed = seed
    masks = DropoutMaskSource(seed: seed)
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: 3)
  }

  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    guard training, rate > 0 else { return input }
    return try input * masks.mask([input.shape[0], 1, input.shape[2]], rate: rate)
  }

  public override func computeMask(_ input: Tensor, mask: Tensor?) throws -> Tensor? { mask }

  /// Keras' config of this layer: `rate`, `seed`, `name` and `dtype` (a plain `"float32"`; no
  /// `trainable`, which its constructor does not take).
  public override var config: ConfigValue {
    .object([
      ("rate", .decimal(rate)), ("seed", seed.map { .int(Int(truncatingIfNeeded: $0)) } ?? .null),
      ("name", .string(name)), ("dtype", "float32"),
    ])
  }
}

extension SpatialDropout1D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    SpatialDropout1D(
      try config.reader.fraction("rate"), seed: try config.reader.seed("seed"), inputShape: config.inputShape,
      name: config.name)
  }
}
