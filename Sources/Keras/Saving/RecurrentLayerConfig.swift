/// The arguments SimpleRNN, LSTM and GRU share, read from a config in Keras' key order.
struct RecurrentLayerSettings {
  let units: Int
  let activation: ActivationFunction
  let useBias: Bool
  let kernelInitializer: Initializer
  let recurrentInitializer: Initializer
  let biasInitializer: Initializer
  let kernelRegularizer: Regularizer?
  let recurrentRegularizer: Regularizer?
  let biasRegularizer: Regularizer?
  let dropout: Float
  let recurrentDropout: Float
  let returnSequences: Bool
  let returnState: Bool
  let goBackwards: Bool
  let seed: UInt64?
}

extension LayerConfig {
  /// The shared recurrent arguments; refuses `stateful`, `unroll`, `time_major`, constraints
  /// and an activity regularizer.
  func recurrentSettings() throws -> RecurrentLayerSettings {
    try reader.require("stateful", in: [false], "SwiftKeras recurrent layers are not stateful")
    try reader.require("unroll", in: [false], "SwiftKeras runs one fused loop over time and does not unroll it")
    try reader.require("time_major", in: [false], "SwiftKeras takes batch-major sequences")
    try requireNoConstraints("kernel_constraint", "recurrent_constraint", "bias_constraint")
    try requireNoActivityRegularizer()
    let settings = RecurrentLayerSettings(
      units: try reader.positiveInt("units"), activation: try kernelActivation("activation", default: .tanh),
      useBias: try reader.bool("use_bias", default: true),
      kernelInitializer: try reader.initializer("kernel_initializer", default: .glorotUniform()),
      recurrentInitializer: try reader.initializer("recurrent_initializer", default: .orthogonal()),
      biasInitializer: try reader.initializer("bias_initializer", default: .zeros),
      kernelRegularizer: try reader.regularizer("kernel_regularizer"),
      recurrentRegularizer: try reader.regularizer("recurrent_regularizer"),
      biasRegularizer: try reader.regularizer("bias_regularizer"), dropout: try reader.fraction("dropout", default: 0),
      recurrentDropout: try reader.fraction("recurrent_dropout", default: 0),
      returnSequences: try reader.bool("return_sequences", default: false),
      returnState: try reader.bool("return_state", default: false),
      goBackwards: try reader.bool("go_backwards", default: false), seed: try reader.seed("seed"))
    try checkImplementation()
    return settings
  }

  /// Sets what every recurrent layer reads after its own arguments: `zero_output_for_mask`.
  func finish(_ layer: RecurrentLayer) throws -> RecurrentLayer {
    layer.zeroOutputForMask = try reader.bool("zero_output_for_mask", default: false)
    return layer
  }

  /// An activation the fused recurrent kernel can run.
  func kernelActivation(_ key: String, default defaultValue: ActivationFunction) throws -> ActivationFunction {
    let function = try reader.activation(key, default: defaultValue)
    guard RecurrentActivation(rawValue: function.rawValue) != nil else {
      throw reader.unsupported(
        key, .string(function.name),
        "the recurrent kernel runs " + RecurrentActivation.allCases.map(\.rawValue).joined(separator: ", "))
    }
    return function
  }

  /// Keras 2's `implementation` (1 or 2) chooses how the gates are computed, not what: the
  /// output is the same. In training, implementation 1 drew a dropout mask per gate; SwiftKeras
  /// draws one for all gates (as Keras 3, whose configs no longer record the choice).
  private func checkImplementation() throws {
    guard let value = reader.present("implementation") else { return }
    guard let implementation = ConfigReader.integer(value), implementation == 1 || implementation == 2 else {
      throw reader.invalid("implementation", expected: "1 or 2", got: value)
    }
  }
}
