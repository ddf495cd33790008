/// The maximum over time of each channel (`keras.layers.GlobalMaxPooling1D`).
///
/// Input `[N, L, C]`, output `[N, C]` (`[N, 1, C]` with `keepDims`). As in Keras, a mask is ignored.
public final class GlobalMaxPooling1D: Layer, @unchecked Sendable {
  /// Whether the time axis is kept with length 1.
  public let keepDims: Bool

  /// Global max pooling over the time axis.
  public init(keepDims: Bool = false, inputShape: [Int]? = nil, name: String? = nil) {
    self.keepDims = keepDims
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: 3)
  }

  /// The maximum over time of `input` `[N, L, C]`.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    try input.max(axis: 1, keepDims: keepDims)
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    keepDims
      ? [inputShape.first ?? nil, 1, inputShape.last ?? nil] : [inputShape.first ?? nil, inputShape.last ?? nil]
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [("data_format", "channels_last"), ("keepdims", .bool(keepDims))]
  }
}

extension GlobalMaxPooling1D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    try config.requireChannelsLast()
    return GlobalMaxPooling1D(
      keepDims: try config.reader.bool("keepdims", default: false), inputShape: config.inputShape, name: config.name)
  }
}
