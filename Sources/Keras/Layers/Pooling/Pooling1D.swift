/// The pooling of each channel of sequences over windows of steps, shared by ``MaxPooling1D`` and
/// ``AveragePooling1D`` (Keras' `BasePooling` with one pooled axis).
///
/// Input `[N, L, C]`, output `[N, L', C]` with `L' = ⌊(L - poolSize) / strides⌋ + 1` for
/// `valid` padding and `⌈L / strides⌉` for `same`.
public class Pooling1D: Layer, @unchecked Sendable {
  /// The steps per window.
  public let poolSize: Int
  /// The steps between window starts (Keras default: `poolSize`).
  public let strides: Int
  /// How the ends of the sequence are padded: `valid` or `same`.
  public let padding: Padding

  /// The windows the subclass pools over.
  var windows: SlidingWindows { SlidingWindows(size: poolSize, stride: strides, dilation: 1, padding: padding) }

  init(poolSize: Int, strides: Int?, padding: Padding, inputShape: [Int]?, name: String?) {
    precondition(poolSize > 0, "\(Self.className): poolSize must be positive, got \(poolSize)")
    precondition((strides ?? 1) > 0, "\(Self.className): strides must be positive, got \(strides ?? 0)")
    self.poolSize = poolSize
    self.strides = strides ?? poolSize
    self.padding = padding
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: 3)
  }

  /// Checks the padding; there are no weights.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for `causal` padding, which only ``Conv1D`` takes.
  public override func build(inputShape: [Int?]) throws {
    guard padding != .causal else {
      throw KerasError.invalidArgument("Layer '\(name)': pooling padding must be 'valid' or 'same', got 'causal'")
    }
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    try windows.outputShape(for: inputShape, channels: inputShape.last ?? nil, layer: name)
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("pool_size", .array([.int(poolSize)])), ("padding", .string(padding.rawValue)),
      ("strides", .array([.int(strides)])), ("data_format", "channels_last"),
    ]
  }
}

extension LayerConfig {
  /// The pool size, strides and padding of a 1-D pooling layer.
  func pooling1DSettings() throws -> (poolSize: Int, strides: Int, padding: Padding) {
    try requireChannelsLast()
    let poolSize = try reader.positiveIntOrSingleList("pool_size", default: 2)
    return (
      poolSize, try reader.positiveIntOrSingleList("strides", default: poolSize), try padding(allowed: [.valid, .same])
    )
  }
}
