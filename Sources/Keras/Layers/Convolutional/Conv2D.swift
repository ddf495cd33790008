/// A 2-D convolution over images: `activation(windows(input) · kernel + bias)` (`keras.layers.Conv2D`).
///
/// Input `[N, H, W, C]` (channels last), output `[N, H', W', filters]` with `H'`, `W'` set by
/// ``padding``, ``strides`` and ``dilationRate``; kernel `[kh, kw, C / groups, filters]`, bias
/// `[filters]`. With ``groups`` above 1 the channels split into equal groups, each convolved with
/// its share of the filters. As Keras, a stride and a dilation above 1 cannot be combined.
public final class Conv2D: Layer, @unchecked Sendable {
  /// The number of output channels.
  public let filters: Int
  /// The taps per window along height and width.
  public let kernelSize: Size2D
  /// The pixels between window starts.
  public let strides: Size2D
  /// How the borders are padded: `valid` or `same`.
  public let padding: Padding
  /// The pixels between taps.
  public let dilationRate: Size2D
  /// The number of channel groups, dividing both the input channels and ``filters``.
  public let groups: Int
  /// Applied to the result.
  public let activation: ActivationFunction
  /// Whether a bias is added.
  public let useBias: Bool
  /// Draws the kernel (Keras default: Glorot uniform).
  public let kernelInitializer: Initializer
  /// Draws the bias (Keras default: zeros).
  public let biasInitializer: Initializer
  /// Penalty on the kernel.
  public let kernelRegularizer: Regularizer?
  /// Penalty on the bias.
  public let biasRegularizer: Regularizer?

  /// The kernel `[kh, kw, C / groups, filters]`, once built.
  public private(set) var kernel: Variable?
  /// The bias `[filters]`, once built.
  public private(set) var bias: Variable?

  private var windows: ImageWindows {
    ImageWindows(size: kernelSize, strides: strides, dilation: dilationRate, padding: padding)
  }

  /// A convolution of `filters` output channels with windows of `kernelSize` pixels (`3` or `[3, 5]`).
  public init(
    _ filters: Int, kernelSize: Size2D, strides: Size2D = 1, padding: Padding = .valid, dilationRate: Size2D = 1,
    groups: Int = 1, activation: ActivationFunction = .linear, useBias: Bool = true,
    kernelInitializer: Initializer = .glorotUniform(), biasInitializer: Initializer = .zeros,
    kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
    inputShape: [Int]? = nil, name: String? = nil
  ) {
    precondition(filters > 0, "Conv2D: filters must be positive, got \(filters)")
    precondition(kernelSize.isPositive, "Conv2D: kernelSize must be positive, got \(kernelSize)")
    precondition(strides.isPositive, "Conv2D: strides must be positive, got \(strides)")
    precondition(dilationRate.isPositive, "Conv2D: dilationRate must be positive, got \(dilationRate)")
    precondition(groups > 0, "Conv2D: groups must be positive, got \(groups)")
    self.filters = filters
    self.kernelSize = kernelSize
    self.strides = strides
    self.padding = padding
    self.dilationRate = dilationRate
    self.groups = groups
    self.activation = activation
    self.useBias = useBias
    self.kernelInitializer = kernelInitializer
    self.biasInitializer = biasInitializer
    self.kernelRegularizer = kernelRegularizer
    self.biasRegularizer = biasRegularizer
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: 4)
  }

  /// Creates the kernel and bias for inputs `[N, H, W, C]`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for `causal` padding, for both `strides` and
  ///   `dilationRate` above 1, and when `groups` does not divide `C` and `filters`;
  ///   ``KerasError/incompatibleInput(layer:expected:got:)`` when the channel count is unknown.
  public override func build(inputShape: [Int?]) throws {
    try windows.validate(layer: name)
    guard inputShape.count == 4, let channels = inputShape[3] else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "(None, rows, cols, channels)", got: inputShape.map { $0 ?? -1 })
    }
    guard channels % groups == 0, filters % groups == 0 else {
      throw KerasError.invalidArgument(
        "Layer '\(name)': groups (\(groups)) must divide the input channels (\(channels)) and filters (\(filters))")
    }
    kernel = try addWeight(
      "kernel", shape: [kernelSize.height, kernelSize.width, channels / groups, filters],
      initializer: kernelInitializer, regularizer: kernelRegularizer)
    if useBias {
      bias = try addWeight("bias", shape: [filters], initializer: biasInitializer, regularizer: biasRegularizer)
    }
    inputSpec = InputSpec(rank: 4, axes: [-1: channels])
  }

  /// Convolves `input` `[N, H, W, C]` into `[N, H', W', filters]`.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` when the image is smaller than one window.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    let window = try windows.window(for: input, layer: name)
    let relu = activation == .relu
    // Under mixed_bfloat16 the convolution reads bfloat16 and writes its output rounded to bfloat16
    // (Keras' bfloat16 Conv2D), so the call's cast of the output has nothing left to do.
    let y = try input.convolved2D(
      kernel: computeValue(kernel!), bias: bias.map(computeValue), window: window, groups: groups, relu: relu,
      precision: matMulPrecision)
    return relu ? y : try activation(y)
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    try windows.outputShape(for: inputShape, channels: filters, layer: name)
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("filters", .int(filters)), ("kernel_size", kernelSize.config), ("strides", strides.config),
      ("padding", .string(padding.rawValue)), ("data_format", "channels_last"), ("dilation_rate", dilationRate.config),
      ("groups", .int(groups)), ("activation", .string(activation.name)), ("use_bias", .bool(useBias)),
      ("kernel_initializer", kernelInitializer.config), ("bias_initializer", biasInitializer.config),
      ("kernel_regularizer", kernelRegularizer?.config ?? .null),
      ("bias_regularizer", biasRegularizer?.config ?? .null),
      ("activity_regularizer", .null), ("kernel_constraint", .null), ("bias_constraint", .null),
    ]
  }
}

extension Conv2D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    let reader = config.reader
    try config.requireChannelsLast()
    try config.requireNoConstraints("kernel_constraint", "bias_constraint")
    try config.requireNoActivityRegularizer()
    let (strides, dilation) = try config.imageStridesAndDilation()
    return Conv2D(
      try reader.positiveInt("filters"), kernelSize: try reader.positiveIntPair("kernel_size"), strides: strides,
      padding: try config.padding(allowed: [.valid, .same]), dilationRate: dilation,
      groups: try reader.positiveInt("groups", default: 1),
      activation: try reader.activation("activation", default: .linear),
      useBias: try reader.bool("use_bias", default: true),
      kernelInitializer: try reader.initializer("kernel_initializer", default: .glorotUniform()),
      biasInitializer: try reader.initializer("bias_initializer", default: .zeros),
      kernelRegularizer: try reader.regularizer("kernel_regularizer"),
      biasRegularizer: try reader.regularizer("bias_regularizer"), inputShape: config.inputShape, name: config.name)
  }
}
