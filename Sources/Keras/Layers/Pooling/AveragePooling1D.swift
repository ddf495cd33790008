/// Average pooling over time: the mean of each window, per channel (`keras.layers.AveragePooling1D`).
///
/// Input `[N, L, C]`, output `[N, L', C]` with `L' = ⌊(L - poolSize) / strides⌋ + 1` for
/// `valid` padding and `⌈L / strides⌉` for `same`, where, as in Keras, a window hanging over
/// the ends averages only the steps inside the sequence.
public final class AveragePooling1D: Layer, @unchecked Sendable {
  /// The steps per window.
  public let poolSize: Int
  /// The steps between window starts (Keras default: `poolSize`).
  public let strides: Int
  /// How the ends of the sequence are padded: `valid` or `same`.
  public let padding: Padding

  private var windows: SlidingWindows { SlidingWindows(size: poolSize, stride: strides, dilation: 1, padding: padding) }

  /// Average pooling with windows of `poolSize` steps, `strides` apart (`poolSize` when nil).
  public init(
    poolSize: Int, strides: Int? = nil, padding: Padding = .valid, inputShape: [Int]? = nil, name: String? = nil
  ) {
    precondition(poolSize > 0, "AveragePooling1D: poolSize must be positive, got \(poolSize)")
    precondition((strides ?? 1) > 0, "AveragePooling1D: strides must be positive, got \(strides ?? 0)")
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

  /// The mean of each window's steps inside the sequence: `[N, L, C]` → `[N, L', C]`.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` when the sequence is shorter than one window.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    let sums = try windows.gather(input, fill: 0, layer: name).sum(axis: 2)
    guard padding == .same else { return sums * (1 / Float(poolSize)) }
    let counts = try windows.gather(Tensor.ones([1, input.shape[1], 1]), fill: 0, layer: name).sum(axis: 2)
    return try sums / counts
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

extension AveragePooling1D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    try config.requireChannelsLast()
    let poolSize = try config.reader.positiveIntOrSingleList("pool_size", default: 2)
    return AveragePooling1D(
      poolSize: poolSize, strides: try config.reader.positiveIntOrSingleList("strides", default: poolSize),
      padding: try config.padding(allowed: [.valid, .same]), inputShape: config.inputShape, name: config.name)
  }
}
