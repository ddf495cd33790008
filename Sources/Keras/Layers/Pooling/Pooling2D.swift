/// The pooling of each channel of images over windows, shared by ``MaxPooling2D`` and ``AveragePooling2D``.
///
/// Input `[N, H, W, C]`, output `[N, H', W', C]` with `H' = ⌊(H - poolHeight) / strideHeight⌋ + 1`
/// for `valid` padding and `⌈H / strideHeight⌉` for `same` (likewise `W'`); padded pixels never count.
public class Pooling2D: Layer, @unchecked Sendable {
  /// The pixels per window along height and width.
  public let poolSize: Size2D
  /// The pixels between window starts (Keras default: ``poolSize``).
  public let strides: Size2D
  /// How the borders are padded: `valid` or `same`.
  public let padding: Padding
  private let mode: PoolingMode

  private var windows: ImageWindows { ImageWindows(size: poolSize, strides: strides, dilation: 1, padding: padding) }

  init(
    mode: PoolingMode, poolSize: Size2D, strides: Size2D?, padding: Padding, inputShape: [Int]?, name: String?
  ) {
    precondition(poolSize.isPositive, "\(Self.className): poolSize must be positive, got \(poolSize)")
    precondition(strides?.isPositive ?? true, "\(Self.className): strides must be positive, got \(strides!)")
    self.mode = mode
    self.poolSize = poolSize
    self.strides = strides ?? poolSize
    self.padding = padding
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: 4)
  }

  /// Checks the padding; there are no weights.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for `causal` padding.
  public override func build(inputShape: [Int?]) throws {
    try windows.validate(layer: name)
  }

  /// The pooled windows: `[N, H, W, C]` → `[N, H', W', C]`.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` when the image is smaller than one window.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    try input.pooled2D(mode, window: windows.window(for: input, layer: name))
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    try windows.outputShape(for: inputShape, channels: inputShape.last ?? nil, layer: name)
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("pool_size", poolSize.config), ("padding", .string(padding.rawValue)), ("strides", strides.config),
      ("data_format", "channels_last"),
    ]
  }
}

/// Max pooling over images: the largest pixel of each window, per channel (`keras.layers.MaxPooling2D`).
///
/// Input `[N, H, W, C]`, output `[N, H', W', C]` (see ``Pooling2D``).
public final class MaxPooling2D: Pooling2D, @unchecked Sendable {
  /// Max pooling over windows of `poolSize` pixels (`2` or `[2, 3]`), `strides` apart (`poolSize` when nil).
  public init(
    poolSize: Size2D = 2, strides: Size2D? = nil, padding: Padding = .valid, inputShape: [Int]? = nil,
    name: String? = nil
  ) {
    super.init(mode: .max, poolSize: poolSize, strides: strides, padding: padding, inputShape: inputShape, name: name)
  }
}

/// Average pooling over images: the mean pixel of each window, per channel (`keras.layers.AveragePooling2D`).
///
/// Input `[N, H, W, C]`, output `[N, H', W', C]` (see ``Pooling2D``); with `same` padding a
/// border window averages only its pixels inside the image, as Keras.
public final class AveragePooling2D: Pooling2D, @unchecked Sendable {
  /// Average pooling over windows of `poolSize` pixels (`2` or `[2, 3]`), `strides` apart (`poolSize` when nil).
  public init(
    poolSize: Size2D = 2, strides: Size2D? = nil, padding: Padding = .valid, inputShape: [Int]? = nil,
    name: String? = nil
  ) {
    super.init(
      mode: .average, poolSize: poolSize, strides: strides, padding: padding, inputShape: inputShape, name: name)
  }
}

extension LayerConfig {
  /// The pool size, strides and padding of a 2-D pooling layer.
  func pooling2DSettings() throws -> (poolSize: Size2D, strides: Size2D, padding: Padding) {
    try requireChannelsLast()
    let poolSize = try reader.positiveIntPair("pool_size", default: 2)
    return (poolSize, try reader.positiveIntPair("strides", default: poolSize), try padding(allowed: [.valid, .same]))
  }
}

extension MaxPooling2D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    let settings = try config.pooling2DSettings()
    return MaxPooling2D(
      poolSize: settings.poolSize, strides: settings.strides, padding: settings.padding,
      inputShape: config.inputShape, name: config.name)
  }
}

extension AveragePooling2D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    let settings = try config.pooling2DSettings()
    return AveragePooling2D(
      poolSize: settings.poolSize, strides: settings.strides, padding: settings.padding,
      inputShape: config.inputShape, name: config.name)
  }
}
