/// A 2-D convolution of each channel on its own: `activation(depthwise(input) + bias)`
/// (`keras.layers.DepthwiseConv2D`).
///
/// Input `[N, H, W, C]`, output `[N, H', W', C·depthMultiplier]`, output channel `c·depthMultiplier + m`
/// from input channel `c`; kernel `[kh, kw, C, depthMultiplier]`, bias `[C·depthMultiplier]`.
public final class DepthwiseConv2D: Layer, @unchecked Sendable {
  /// The taps per window along height and width.
  public let kernelSize: Size2D
  /// The pixels between window starts.
  public let strides: Size2D
  /// How the borders are padded: `valid` or `same`.
  public let padding: Padding
  /// The output channels per input channel.
  public let depthMultiplier: Int
  /// The pixels between taps.
  public let dilationRate: Size2D
  /// Applied to the result.
  public let activation: ActivationFunction
  /// Whether a bias is added.
  public let useBias: Bool
  /// Draws the kernel (Keras default: Glorot uniform).
  public let depthwiseInitializer: Initializer
  /// Draws the bias (Keras default: zeros).
  public let biasInitializer: Initializer
  /// Penalty on the kernel.
  public let depthwiseRegularizer: Regularizer?
  /// Penalty on the bias.
  public let biasRegularizer: Regularizer?

  /// The kernel `[kh, kw, C, depthMultiplier]`, once built.
  public private(set) var kernel: Variable?
  /// The bias `[C·depthMultiplier]`, once built.
  public private(set) var bias: Variable?

  private var windows: ImageWindows {
    ImageWindows(size: kernelSize, strides: strides, dilation: dilationRate, padding: padding)
  }

  /// A depthwise convolution with windows of `kernelSize` pixels (`3` or `[3, 5]`).
  public init(
    kernelSize: Size2D, strides: Size2D = 1, padding: Padding = .valid, depthMultiplier: Int = 1,
    dilationRate: Size2D = 1, activation: ActivationFunction = .linear, useBias: Bool = true,
    depthwiseInitializer: Initializer = .glorotUniform(), biasInitializer: Initializer = .zeros,
    depthwiseRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
    inputShape: [Int]? = nil, name: String? = nil
  ) {
    precondition(kernelSize.isPositive, "DepthwiseConv2D: kernelSize must be positive, got \(kernelSize)")
    precondition(strides.isPositive, "DepthwiseConv2D: strides must be positive, got \(strides)")
    precondition(dilationRate.isPositive, "DepthwiseConv2D: dilationRate must be positive, got \(dilationRate)")
    precondition(depthMultiplier > 0, "DepthwiseConv2D: depthMultiplier must be positive, got \(depthMultiplier)")
    self.kernelSize = kernelSize
    self.strides = strides
    self.padding = padding
    self.depthMultiplier = depthMultiplier
    self.dilationRate = dilationRate
    self.activation = activation
    self.useBias = useBias
    self.depthwiseInitializer = depthwiseInitializer
    self.biasInitializer = biasInitializer
    self.depthwiseRegularizer = depthwiseRegularizer
    self.biasRegularizer = biasRegularizer
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: 4)
  }

  /// Creates the kernel and bias for inputs `[N, H, W, C]`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for `causal` padding and for both `strides` and
  ///   `dilationRate` above 1; ``KerasError/incompatibleInput(layer:expected:got:)`` when `C` is unknown.
  public override func build(inputShape: [Int?]) throws {
    try windows.validate(layer: name)
    guard inputShape.count == 4, let channels = inputShape[3] else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "(None, rows, cols, channels)", got: inputShape.map { $0 ?? -1 })
    }
    kernel = try addWeight(
      "kernel", shape: [kernelSize.height, kernelSize.width, channels, depthMultiplier],
      initializer: depthwiseInitializer, regularizer: depthwiseRegularizer)
    if useBias {
      bias = try addWeight(
        "bias", shape: [channels * depthMultiplier], initializer: biasInitializer, regularizer: biasRegularizer)
    }
    inputSpec = InputSpec(rank: 4, axes: [-1: channels])
  }

  /// Convolves each channel of `input` `[N, H, W, C]` into `[N, H', W', C·depthMultiplier]`.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` when the image is smaller than one window.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    let y = try depthwiseConvolved(
      input, kernel: computeValue(kernel!), bias: bias.map(computeValue), windows: windows, layer: name)
    return try activation(y)
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    try windows.outputShape(
      for: inputShape, channels: inputShape.last.flatMap { $0.map { $0 * depthMultiplier } }, layer: name)
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("depth_multiplier", .int(depthMultiplier)), ("kernel_size", kernelSize.config), ("strides", strides.config),
      ("padding", .string(padding.rawValue)), ("data_format", "channels_last"), ("dilation_rate", dilationRate.config),
      ("activation", .string(activation.name)), ("use_bias", .bool(useBias)),
      ("depthwise_initializer", depthwiseInitializer.config), ("bias_initializer", biasInitializer.config),
      ("depthwise_regularizer", depthwiseRegularizer?.config ?? .null),
      ("bias_regularizer", biasRegularizer?.config ?? .null), ("activity_regularizer", .null),
      ("depthwise_constraint", .null), ("bias_constraint", .null),
    ]
  }
}

/// Each channel of `input` `[N, H, W, C]` convolved with its own filters of `kernel`
/// `[kh, kw, C, M]`: a grouped convolution with one group per channel, whose kernel
/// `[kh, kw, 1, C·M]` is the same memory.
func depthwiseConvolved(_ input: Tensor, kernel: Tensor, bias: Tensor?, windows: ImageWindows, layer: String) throws
  -> Tensor
{
  let window = try windows.window(for: input, layer: layer)
  let channels = kernel.shape[2]
  let grouped = try kernel.reshaped(to: [kernel.shape[0], kernel.shape[1], 1, channels * kernel.shape[3]])
  return try input.convolved2D(kernel: grouped, bias: bias, window: window, groups: channels)
}

extension DepthwiseConv2D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    let reader = config.reader
    try config.requireChannelsLast()
    try config.readTFKerasConvolutionLeftovers()
    try config.requireNoConstraints("depthwise_constraint", "bias_constraint")
    try config.requireNoActivityRegularizer()
    let (strides, dilation) = try config.imageStridesAndDilation()
    return DepthwiseConv2D(
      kernelSize: try reader.positiveIntPair("kernel_size"), strides: strides,
      padding: try config.padding(allowed: [.valid, .same]),
      depthMultiplier: try reader.positiveInt("depth_multiplier", default: 1),
      dilationRate: dilation, activation: try reader.activation("activation", default: .linear),
      useBias: try reader.bool("use_bias", default: true),
      depthwiseInitializer: try reader.initializer("depthwise_initializer", default: .glorotUniform()),
      biasInitializer: try reader.initializer("bias_initializer", default: .zeros),
      depthwiseRegularizer: try reader.regularizer("depthwise_regularizer"),
      biasRegularizer: try reader.regularizer("bias_regularizer"), inputShape: config.inputShape, name: config.name)
  }
}
