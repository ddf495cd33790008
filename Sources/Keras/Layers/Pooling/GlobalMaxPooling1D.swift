/// The maximum over time of each channel (`keras.layers.GlobalMaxPooling1D`).
///
/// Input `[N, L, C]`, output `[N, C]` (`[N, 1, C]` with `keepDims`). As in Keras, a mask is ignored.
public final class GlobalMaxPooling1D: GlobalPooling, @unchecked Sendable {
  /// Global max pooling over the time axis.
  public init(keepDims: Bool = false, inputShape: [Int]? = nil, name: String? = nil) {
    super.init(poolDimensions: 1, keepDims: keepDims, inputShape: inputShape, name: name)
  }

  /// The maximum over time of `input` `[N, L, C]`.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    try input.max(axis: 1, keepDims: keepDims)
  }
}

extension GlobalMaxPooling1D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    GlobalMaxPooling1D(keepDims: try config.globalPoolingKeepDims(), inputShape: config.inputShape, name: config.name)
  }
}
