/// A densely connected layer: `activation(input · kernel + bias)` over the last axis.
///
/// Input `[N, ..., D]`, output `[N, ..., units]`; kernel `[D, units]`, bias `[units]`.
public final class Dense: Layer, @unchecked Sendable {
  /// The output size (Keras' `units`): the last axis of the output.
  public let units: Int
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

  /// The kernel `[D, units]`, once built.
  public private(set) var kernel: Variable?
  /// The bias `[units]`, once built.
  public private(set) var bias: Variable?

  /// A dense layer of `units` outputs.
  public init(
    _ units: Int, activation: ActivationFunction = .linear, useBias: Bool = true,
    kernelInitializer: Initializer = .glorotUniform(), biasInitializer: Initializer = .zeros,
    kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
    inputShape: [Int]? = nil, name: String? = nil
  ) {
    precondition(units > 0, "Dense: units must be positive, got \(units)")
    self.units = units
    self.activation = activation
    self.useBias = useBias
    self.kernelInitializer = kernelInitializer
    self.biasInitializer = biasInitializer
    self.kernelRegularizer = kernelRegularizer
    self.biasRegularizer = biasRegularizer
    super.init(name: name, inputShape: inputShape)
  }

  public override func build(inputShape: [Int?]) throws {
    guard inputShape.count >= 2, let inputDim = inputShape.last! else {
      throw KerasError.incompatibleInput(layer: name, expected: "(None, ..., features)", got: inputShape.map { $0 ?? -1 })
    }
    kernel = try addWeight("kernel", shape: [inputDim, units], initializer: kernelInitializer, regularizer: kernelRegularizer)
    if useBias { bias = try addWeight("bias", shape: [units], initializer: biasInitializer, regularizer: biasRegularizer) }
    inputSpec = InputSpec(minimumRank: 2, axes: [-1: inputDim])
  }

  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    if let y = try fusedBFloat16ReLU(input) ?? fusedFloat32ReLU(input) { return y }
    return try activation(preActivation(input))
  }

  /// Under `"mixed_bfloat16"`, a ReLU Dense's rounded bias add and ReLU in one pass (nil otherwise).
  private func fusedBFloat16ReLU(_ input: Tensor) throws -> Tensor? {
    guard castsToBFloat16, activation == .relu, let bias else { return nil }
    return try input.matmul(computeValue(kernel!), precision: matMulPrecision)
      .addingBiasInBFloat16(computeValue(bias), relu: true)
  }

  /// In float32, a ReLU Dense's relu applied by the GEMM's loop with the bias (no pass of its
  /// own; nil otherwise).
  private func fusedFloat32ReLU(_ input: Tensor) throws -> Tensor? {
    guard activation == .relu, let bias, matMulPrecision == .float32, !castsToBFloat16 else { return nil }
    return try input.matmul(computeValue(kernel!), addingBias: computeValue(bias), relu: true)
  }

  /// The input's mask, unchanged: each step's output comes from that step alone (Keras' Dense
  /// supports masking, so `Embedding(maskZero: true) -> Dense -> LSTM` skips the padded steps).
  public override func computeMask(_ input: Tensor, mask: Tensor?) throws -> Tensor? { mask }

  /// `input · kernel + bias`; under `"mixed_bfloat16"` the product and the sum are rounded to
  /// bfloat16, as Keras' bfloat16 ops round each result (the logits a loss reads too).
  func preActivation(_ input: Tensor) throws -> Tensor {
    if let bias, matMulPrecision == .float32, !castsToBFloat16 {
      // float32: the GEMM adds the bias (no pass of its own).
      return try input.matmul(computeValue(kernel!), addingBias: computeValue(bias))
    }
    let y = try input.matmul(computeValue(kernel!), precision: matMulPrecision)
    guard castsToBFloat16 else { return try bias.map { try y + computeValue($0) } ?? y }
    // Both roundings in one pass (Tensor.addingBiasInBFloat16).
    return try bias.map { try y.addingBiasInBFloat16(computeValue($0)) } ?? y.roundedToBFloat16()
  }

  public override func callReturningLogits(_ input: Tensor, mask: Tensor?, training: Bool) throws -> (Tensor, OutputLogits?) {
    if let y = try fusedBFloat16ReLU(input) ?? fusedFloat32ReLU(input) { return (y, nil) }
    let z = try preActivation(input)
    return (try activation(z), activation.producesLogits ? OutputLogits(activation: activation, values: z) : nil)
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] { inputShape.dropLast() + [units] }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("units", .int(units)), ("activation", .string(activation.name)), ("use_bias", .bool(useBias)),
      ("kernel_initializer", kernelInitializer.config), ("bias_initializer", biasInitializer.config),
      ("kernel_regularizer", kernelRegularizer?.config ?? .null), ("bias_regularizer", biasRegularizer?.config ?? .null),
      ("kernel_constraint", .null), ("bias_constraint", .null),
    ]
  }
}

extension Dense: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    try config.requireNoConstraints("kernel_constraint", "bias_constraint")
    try config.requireNoActivityRegularizer()
    try config.requireUnquantized()
    let reader = config.reader
    return Dense(
      try reader.positiveInt("units"), activation: try reader.activation("activation", default: .linear),
      useBias: try reader.bool("use_bias", default: true),
      kernelInitializer: try reader.initializer("kernel_initializer", default: .glorotUniform()),
      biasInitializer: try reader.initializer("bias_initializer", default: .zeros),
      kernelRegularizer: try reader.regularizer("kernel_regularizer"),
      biasRegularizer: try reader.regularizer("bias_regularizer"), inputShape: config.inputShape, name: config.name)
  }
}
