/// A depthwise convolution followed by a 1×1 convolution mixing the channels:
/// `activation(pointwise(depthwise(input)) + bias)` (`keras.layers.SeparableConv2D`).
///
/// Input `[N, H, W, C]`, output `[N, H', W', filters]`; depthwise kernel `[kh, kw, C, depthMultiplier]`,
/// pointwise kernel `[1, 1, C·depthMultiplier, filters]`, bias `[filters]`.
public final class SeparableConv2D: Layer, @unchecked Sendable {
  /// The number of output channels.
  public let filters: Int
  /// The taps per window along height and width.
  public let kernelSize: Size2D
  /// The pixels between window starts.
  public let strides: Size2D
  /// How the borders are padded: `valid` or `same`.
  public let padding: Padding
  /// The depthwise output channels per input channel.
  public let depthMultiplier: Int
  /// The pixels between taps.
  public let dilationRate: Size2D
  /// Applied to the result.
  public let activation: ActivationFunction
  /// Whether a bias is added.
  public let useBias: Bool
  /// Draws the depthwise kernel (Keras default: Glorot uniform).
  public let depthwiseInitializer: Initializer
  /// Draws the pointwise kernel (Keras default: Glorot uniform).
  public let pointwiseInitializer: Initializer
  /// Draws the bias (Keras default: zeros).
  public let biasInitializer: Initializer
  /// Penalty on the depthwise kernel.
  public let depthwiseRegularizer: Regularizer?
  /// Penalty on the pointwise kernel.
  public let pointwiseRegularizer: Regularizer?
  /// Penalty on the bias.
  public let biasRegularizer: Regularizer?

  /// The depthwise kernel `[kh, kw, C, depthMultiplier]`, once built.
  public private(set) var depthwiseKernel: Variable?
  /// The pointwise kernel `[1, 1, C·depthMultiplier, filters]`, once built.
  public private(set) var pointwiseKernel: Variable?
  /// The bias `[filters]`, once built.
  public private(set) var bias: Variable?

  private var windows: ImageWindows {
    ImageWindows(size: kernelSize, strides: strides, dilation: dilationRate, padding: padding)
  }

  /// A separable convolution of `filters` output channels with windows of `kernelSize` pixels (`3` or `[3, 5]`).
  public init(
    _ filters: Int, kernelSize: Size2D, strides: Size2D = 1, padding: Padding = .valid, depthMultiplier: Int = 1,
    dilationRate: Size2D = 1, activation: ActivationFunction = .linear, useBias: Bool = true,
    depthwiseInitializer: Initializer = .glorotUniform(), pointwiseInitializer: Initializer = .glorotUniform(),
    biasInitializer: Initializer = .zeros, depthwiseRegularizer: Regularizer? = nil,
    pointwiseRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
    inputShape: [Int]? = nil, name: String? = nil
  ) {
    precondition(filters > 0, "SeparableConv2D: filters must be positive, got \(filters)")
    precondition(kernelSize.isPositive, "SeparableConv2D: kernelSize must be positive, got \(kernelSize)")
    precondition(strides.isPositive, "SeparableConv2D: strides must be positive, got \(strides)")
    precondition(dilationRate.isPositive, "SeparableConv2D: dilationRate must be positive, got \(dilationRate)")
    precondition(depthMultiplier > 0, "SeparableConv2D: depthMultiplier must be positive, got \(depthMultiplier)")
    self.filters = filters
    self.kernelSize = kernelSize
    self.strides = strides
    self.padding = padding
    self.depthMultiplier = depthMultiplier
    self.dilationRate = dilationRate
    self.activation = activation
    self.useBias = useBias
    self.depthwiseInitializer = depthwiseInitializer
    self.pointwiseInitializer = pointwiseInitializer
    self.biasInitializer = biasInitializer
    self.depthwiseRegularizer = depthwiseRegularizer
    self.pointwiseRegularizer = pointwiseRegularizer
    self.biasRegularizer = biasRegularizer
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: 4)
  }

  /// Creates both kernels and the bias for inputs `[N, H, W, C]`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for `causal` padding and for both `strides` and
  ///   `dilationRate` above 1; ``KerasError/incompatibleInput(layer:expected:got:)`` when `C` is unknown.
  public override func build(inputShape: [Int?]) throws {
    try windows.validate(layer: name)
    guard inputShape.count == 4, let channels = inputShape[3] else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "(None, rows, cols, channels)", got: inputShape.map { $0 ?? -1 })
    }
    depthwiseKernel = try addWeight(
      "depthwise_kernel", shape: [kernelSize.height, kernelSize.width, channels, depthMultiplier],
      initializer: depthwiseInitializer, regularizer: depthwiseRegularizer)
    pointwiseKernel = try addWeight(
      "pointwise_kernel", shape: [1, 1, channels * depthMultiplier, filters], initializer: pointwiseInitializer,
      regularizer: pointwiseRegularizer)
    if useBias {
      bias = try addWeight("bias", shape: [filters], initializer: biasInitializer, regularizer: biasRegularizer)
    }
    inputSpec = InputSpec(rank: 4, axes: [-1: channels])
  }

  /// Convolves `input` `[N, H, W, C]` into `[N, H', W', filters]`.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` when the image is smaller than one window.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    // Under mixed_bfloat16 the depthwise result is rounded before the pointwise product, as
    // Keras' bfloat16 depthwise op returns it.
    let depthwise = castOutput(
      try depthwiseConvolved(input, kernel: computeValue(depthwiseKernel!), bias: nil, windows: windows, layer: name))
    let pointwise = Window2D(
      input: [depthwise.shape[1], depthwise.shape[2]], kernel: [1, 1], strides: [1, 1], samePadding: false)
    let y = try depthwise.convolved2D(
      kernel: computeValue(pointwiseKernel!), bias: bias.map(computeValue), window: pointwise, precision: matMulPrecision)
    return try activation(y)
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    try windows.outputShape(for: inputShape, channels: filters, layer: name)
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("depth_multiplier", .int(depthMultiplier)), ("filters", .int(filters)), ("kernel_size", kernelSize.config),
      ("strides", strides.config), ("padding", .string(padding.rawValue)), ("data_format", "channels_last"),
      ("dilation_rate", dilationRate.config), ("activation", .string(activation.name)), ("use_bias", .bool(useBias)),
      ("depthwise_initializer", depthwiseInitializer.config), ("pointwise_initializer", pointwiseInitializer.config),
      ("bias_initializer", biasInitializer.config), ("depthwise_regularizer", depthwiseRegularizer?.config ?? .null),
      ("pointwise_regularizer", pointwiseRegularizer?.config ?? .null),
      ("bias_regularizer", biasRegularizer?.config ?? .null), ("activity_regularizer", .null),
      ("depthwise_constraint", .null), ("pointwise_constraint", .null), ("bias_constraint", .null),
    ]
  }
}

extension SeparableConv2D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    let reader = config.reader
    try config.requireChannelsLast()
    try config.readTFKerasConvolutionLeftovers()
    try config.requireNoConstraints("depthwise_constraint", "pointwise_constraint", "bias_constraint")
    try config.requireNoActivityRegularizer()
    let (strides, dilation) = try config.imageStridesAndDilation()
    return SeparableConv2D(
      try reader.positiveInt("filters"), kernelSize: try reader.positiveIntPair("kernel_size"), strides: strides,
      padding: try config.padding(allowed: [.valid, .same]),
      depthMultiplier: try reader.positiveInt("depth_multiplier", default: 1),
      dilationRate: dilation, activation: try reader.activation("activation", default: .linear),
      useBias: try reader.bool("use_bias", default: true),
      depthwiseInitializer: try reader.initializer("depthwise_initializer", default: .glorotUniform()),
      pointwiseInitializer: try reader.initializer("pointwise_initializer", default: .glorotUniform()),
      biasInitializer: try reader.initializer("bias_initializer", default: .zeros),
      depthwiseRegularizer: try reader.regularizer("depthwise_regularizer"),
      pointwiseRegularizer: try reader.regularizer("pointwise_regularizer"),
      biasRegularizer: try reader.regularizer("bias_regularizer"), inputShape: config.inputShape, name: config.name)
  }
}
