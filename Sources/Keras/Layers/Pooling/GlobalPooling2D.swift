/// The mean over all pixels of each channel (`keras.layers.GlobalAveragePooling2D`).
///
/// Input `[N, H, W, C]`, output `[N, C]` (`[N, 1, 1, C]` with `keepDims`).
public final class GlobalAveragePooling2D: Layer, @unchecked Sendable {
  /// Whether the height and width axes are kept with length 1.
  public let keepDims: Bool

  /// Global average pooling over the height and width axes.
  public init(keepDims: Bool = false, inputShape: [Int]? = nil, name: String? = nil) {
    self.keepDims = keepDims
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: 4)
  }

  /// The mean over the pixels of `input` `[N, H, W, C]`.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    try input.mean(axes: [1, 2], keepDims: keepDims)
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    globalPooling2DOutputShape(inputShape, keepDims: keepDims)
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [("data_format", "channels_last"), ("keepdims", .bool(keepDims))]
  }
}

/// The maximum over all pixels of each channel (`keras.layers.GlobalMaxPooling2D`).
///
/// Input `[N, H, W, C]`, output `[N, C]` (`[N, 1, 1, C]` with `keepDims`).
public final class GlobalMaxPooling2D: Layer, @unchecked Sendable {
  /// Whether the height and width axes are kept with length 1.
  public let keepDims: Bool

  /// Global max pooling over the height and width axes.
  public init(keepDims: Bool = false, inputShape: [Int]? = nil, name: String? = nil) {
    self.keepDims = keepDims
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: 4)
  }

  /// The maximum over the pixels of `input` `[N, H, W, C]`.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    try input.max(axes: [1, 2], keepDims: keepDims)
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    globalPooling2DOutputShape(inputShape, keepDims: keepDims)
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [("data_format", "channels_last"), ("keepdims", .bool(keepDims))]
  }
}

/// `[N, C]`, or `[N, 1, 1, C]` with `keepDims`, for images `[N, H, W, C]`.
private func globalPooling2DOutputShape(_ inputShape: [Int?], keepDims: Bool) -> [Int?] {
  let (batch, channels) = (inputShape.first ?? nil, inputShape.last ?? nil)
  return keepDims ? [batch, 1, 1, channels] : [batch, channels]
}

extension GlobalAveragePooling2D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    try config.requireChannelsLast()
    return GlobalAveragePooling2D(
      keepDims: try config.reader.bool("keepdims", default: false), inputShape: config.inputShape, name: config.name)
  }
}

extension GlobalMaxPooling2D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    try config.requireChannelsLast()
    return GlobalMaxPooling2D(
      keepDims: try config.reader.bool("keepdims", default: false), inputShape: config.inputShape, name: config.name)
  }
}
