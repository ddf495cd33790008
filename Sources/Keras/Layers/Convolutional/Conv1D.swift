/// A 1-D convolution over time: `activation(windows(input) · kernel + bias)` (`keras.layers.Conv1D`).
///
/// Input `[N, L, C]` (channels last), output `[N, L', filters]` with `L'` set by
/// ``padding``, ``strides`` and ``dilationRate``; kernel `[kernelSize, C / groups, filters]`,
/// bias `[filters]`. With `groups` above 1 the channels and filters split into that many groups,
/// each group of filters seeing its group of channels alone. As Keras, a stride and a dilation
/// above 1 cannot be combined.
public final class Conv1D: Layer, @unchecked Sendable {
  /// The number of output channels.
  public let filters: Int
  /// The taps per window.
  public let kernelSize: Int
  /// The steps between window starts.
  public let strides: Int
  /// How the ends of the sequence are padded.
  public let padding: Padding
  /// The steps between taps.
  public let dilationRate: Int
  /// The number of channel groups, dividing both the input channels and `filters`.
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

  /// The kernel `[kernelSize, C / groups, filters]`, once built.
  public private(set) var kernel: Variable?
  /// The bias `[filters]`, once built.
  public private(set) var bias: Variable?

  private var windows: SlidingWindows {
    SlidingWindows(size: kernelSize, stride: strides, dilation: dilationRate, padding: padding)
  }

  /// A convolution of `filters` output channels with windows of `kernelSize` taps.
  public init(
    _ filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid, dilationRate: Int = 1,
    groups: Int = 1, activation: ActivationFunction = .linear, useBias: Bool = true,
    kernelInitializer: Initializer = .glorotUniform(), biasInitializer: Initializer = .zeros,
    kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
    inputShape: [Int]? = nil, name: String? = nil
  ) {
    precondition(filters > 0, "Conv1D: filters must be positive, got \(filters)")
    precondition(kernelSize > 0, "Conv1D: kernelSize must be positive, got \(kernelSize)")
    precondition(strides > 0, "Conv1D: strides must be positive, got \(strides)")
    precondition(dilationRate > 0, "Conv1D: dilationRate must be positive, got \(dilationRate)")
    precondition(groups > 0 && filters % groups == 0, "Conv1D: groups must divide filters (\(filters)), got \(groups)")
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
    inputSpec = InputSpec(rank: 3)
  }

  /// Creates the kernel and bias for inputs `[N, L, C]`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when both `strides` and `dilationRate` exceed 1;
  ///   ``KerasError/incompatibleInput(layer:expected:got:)`` when the channel count is unknown.
  public override func build(inputShape: [Int?]) throws {
    guard strides == 1 || dilationRate == 1 else {
      throw KerasError.invalidArgument(
        "Layer '\(name)': strides > 1 cannot be combined with dilationRate > 1 "
          + "(strides=\(strides), dilationRate=\(dilationRate))")
    }
    guard inputShape.count == 3, let channels = inputShape[2] else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "(None, steps, channels)", got: inputShape.map { $0 ?? -1 })
    }
    guard channels % groups == 0 else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "(None, steps, channels) with channels divisible by groups (\(groups))",
        got: inputShape.map { $0 ?? -1 })
    }
    kernel = try addWeight(
      "kernel", shape: [kernelSize, channels / groups, filters], initializer: kernelInitializer, regularizer: kernelRegularizer)
    if useBias {
      bias = try addWeight("bias", shape: [filters], initializer: biasInitializer, regularizer: biasRegularizer)
    }
    inputSpec = InputSpec(rank: 3, axes: [-1: channels])
  }

  /// Convolves `input` `[N, L, C]` into `[N, L', filters]`: all windows gathered, then one matmul.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` when the sequence is shorter than one window.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    let kernel = computeValue(kernel!)
    let taps = try windows.gather(input, fill: 0, layer: name)
    let (batch, steps, channels) = (taps.shape[0], taps.shape[1], input.shape[2] / groups)
    var y: Tensor
    if groups == 1 {
      let rows = try taps.reshaped(to: [batch, steps, kernelSize * channels])
      y = try rows.matmul(kernel.reshaped(to: [kernelSize * channels, filters]), precision: matMulPrecision)
    } else {
      // One product per group: its channels of every tap against its filters.
      let perGroup = filters / groups
      y = try Tensor.concatenate(
        (0..<groups).map { g in
          let rows = try taps.slice(axis: 3, (g * channels)..<((g + 1) * channels))
            .reshaped(to: [batch, steps, kernelSize * channels])
          let weights = try kernel.slice(axis: 2, (g * perGroup)..<((g + 1) * perGroup))
            .reshaped(to: [kernelSize * channels, perGroup])
          return try rows.matmul(weights, precision: matMulPrecision)
        }, axis: 2)
    }
    if let bias { y = try castOutput(y) + computeValue(bias) }
    return try activation(castOutput(y))
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    try windows.outputShape(for: inputShape, channels: filters, layer: name)
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("filters", .int(filters)), ("kernel_size", .array([.int(kernelSize)])), ("strides", .array([.int(strides)])),
      ("padding", .string(padding.rawValue)), ("data_format", "channels_last"),
      ("dilation_rate", .array([.int(dilationRate)])),
      ("groups", .int(groups)), ("activation", .string(activation.name)), ("use_bias", .bool(useBias)),
      ("kernel_initializer", kernelInitializer.config), ("bias_initializer", biasInitializer.config),
      ("kernel_regularizer", kernelRegularizer?.config ?? .null),
      ("bias_regularizer", biasRegularizer?.config ?? .null),
      ("activity_regularizer", .null), ("kernel_constraint", .null), ("bias_constraint", .null),
    ]
  }
}

extension Conv1D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    let reader = config.reader
    try config.requireChannelsLast()
    try config.requireNoConstraints("kernel_constraint", "bias_constraint")
    try config.requireNoActivityRegularizer()
    let strides = try reader.positiveIntOrSingleList("strides", default: 1)
    let dilationRate = try reader.positiveIntOrSingleList("dilation_rate", default: 1)
    guard strides == 1 || dilationRate == 1 else {
      throw reader.unsupported(
        "dilation_rate", .int(dilationRate), "strides > 1 cannot be combined with dilation_rate > 1, as in Keras")
    }
    let filters = try reader.positiveInt("filters")
    let groups = try reader.positiveInt("groups", default: 1)
    guard filters % groups == 0 else {
      throw reader.invalid("groups", expected: "a divisor of filters (\(filters))", got: .int(groups))
    }
    return Conv1D(
      filters, kernelSize: try reader.positiveIntOrSingleList("kernel_size"),
      strides: strides, padding: try config.padding(allowed: Padding.allCases), dilationRate: dilationRate, groups: groups,
      activation: try reader.activation("activation", default: .linear),
      useBias: try reader.bool("use_bias", default: true),
      kernelInitializer: try reader.initializer("kernel_initializer", default: .glorotUniform()),
      biasInitializer: try reader.initializer("bias_initializer", default: .zeros),
      kernelRegularizer: try reader.regularizer("kernel_regularizer"),
      biasRegularizer: try reader.regularizer("bias_regularizer"), inputShape: config.inputShape, name: config.name)
  }
}
