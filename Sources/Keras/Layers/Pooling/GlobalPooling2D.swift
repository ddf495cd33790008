/// The mean over all pixels of each channel (`keras.layers.GlobalAveragePooling2D`).
///
/// Input `[N, H, W, C]`, output `[N, C]` (`[N, 1, 1, C]` with `keepDims`).
public final class GlobalAveragePooling2D: GlobalPooling, @unchecked Sendable {
  /// Global average pooling over the height and width axes.
  public init(keepDims: Bool = false, inputShape: [Int]? = nil, name: String? = nil) {
    super.init(poolDimensions: 2, keepDims: keepDims, inputShape: inputShape, name: name)
  }

  /// The mean over the pixels of `input` `[N, H, W, C]`.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    try input.mean(axes: [1, 2], keepDims: keepDims)
  }
}

/// The maximum over all pixels of each channel (`keras.layers.GlobalMaxPooling2D`).
///
/// Input `[N, H, W, C]`, output `[N, C]` (`[N, 1, 1, C]` with `keepDims`).
public final class GlobalMaxPooling2D: GlobalPooling, @unchecked Sendable {
  /// Global max pooling over the height and width axes.
  public init(keepDims: Bool = false, inputShape: [Int]? = nil, name: String? = nil) {
    super.init(poolDimensions: 2, keepDims: keepDims, inputShape: inputShape, name: name)
  }

  /// The maximum over the pixels of `input` `[N, H, W, C]`.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    try input.max(axes: [1, 2], keepDims: keepDims)
  }
}

extension GlobalAveragePooling2D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    GlobalAveragePooling2D(
      keepDims: try config.globalPoolingKeepDims(), inputShape: config.inputShape, name: config.name)
  }
}

extension GlobalMaxPooling2D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    GlobalMaxPooling2D(keepDims: try config.globalPoolingKeepDims(), inputShape: config.inputShape, name: config.name)
  }
}
