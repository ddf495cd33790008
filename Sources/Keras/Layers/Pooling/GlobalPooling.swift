/// The pooling of each channel over all steps or pixels, shared by ``GlobalAveragePooling1D``,
/// ``GlobalMaxPooling1D``, ``GlobalAveragePooling2D`` and ``GlobalMaxPooling2D`` (Keras'
/// `BaseGlobalPooling`).
///
/// Input `[N, ..., C]` with one or two pooled axes, output `[N, C]` (with `keepDims`, the pooled
/// axes kept with length 1: `[N, 1, C]`, `[N, 1, 1, C]`).
public class GlobalPooling: Layer, @unchecked Sendable {
  /// Whether the pooled axes are kept with length 1.
  public let keepDims: Bool
  /// The pooled axes: 1 for sequences, 2 for images.
  private let poolDimensions: Int

  init(poolDimensions: Int, keepDims: Bool, inputShape: [Int]?, name: String?) {
    self.poolDimensions = poolDimensions
    self.keepDims = keepDims
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: poolDimensions + 2)
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    let (batch, channels) = (inputShape.first ?? nil, inputShape.last ?? nil)
    return [batch] + (keepDims ? Array(repeating: 1, count: poolDimensions) : []) + [channels]
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [("data_format", "channels_last"), ("keepdims", .bool(keepDims))]
  }
}

extension LayerConfig {
  /// The `keepdims` of a global pooling layer.
  func globalPoolingKeepDims() throws -> Bool {
    try requireChannelsLast()
    return try reader.bool("keepdims", default: false)
  }
}
