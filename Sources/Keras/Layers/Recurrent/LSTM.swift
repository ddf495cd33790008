/// Long short-term memory over a sequence (`keras.layers.LSTM`), gates i, f, c, o.
///
/// Input `[N, T, F]`, output `[N, T, units]` with `returnSequences`, else `[N, units]`.
/// Weights `kernel` `[F, 4·units]`, `recurrent_kernel` `[units, 4·units]`, `bias` `[4·units]`
/// (forget-gate part initialised to 1 with `unitForgetBias`, as Keras).
///
/// ```swift
/// LSTM(50, returnSequences: true, inputShape: [60, 1])
/// ```
public final class LSTM: RecurrentLayer, @unchecked Sendable {
  /// Whether the forget gate's bias starts at 1.
  public let unitForgetBias: Bool

  /// An LSTM of `units` units, with Keras' defaults.
  public init(
    _ units: Int, activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid,
    useBias: Bool = true, kernelInitializer: Initializer = .glorotUniform(),
    recurrentInitializer: Initializer = .orthogonal(), biasInitializer: Initializer = .zeros, unitForgetBias: Bool = true,
    kernelRegularizer: Regularizer? = nil, recurrentRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
    dropout: Float = 0, recurrentDropout: Float = 0, returnSequences: Bool = false, returnState: Bool = false,
    goBackwards: Bool = false, seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil
  ) {
    self.unitForgetBias = unitForgetBias
    super.init(
      units: units, activation: activation, recurrentActivation: recurrentActivation, useBias: useBias,
      kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer,
      kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer,
      dropout: dropout, recurrentDropout: recurrentDropout, returnSequences: returnSequences, returnState: returnState,
      goBackwards: goBackwards, seed: seed, inputShape: inputShape, name: name)
  }

  override var cell: RecurrentCell {
    .lstm(
      units: units, activation: try! RecurrentLayer.kernelActivation(activation, layer: name, argument: "activation"),
      recurrentActivation: try! RecurrentLayer.kernelActivation(
        recurrentActivation, layer: name, argument: "recurrentActivation"))
  }

  override func initialBias(shape: [Int]) throws -> Tensor {
    guard unitForgetBias else { return try biasInitializer(shape) }
    return try Tensor.concatenate([biasInitializer([units]), .ones([units]), biasInitializer([2 * units])])
  }

  override func copy(name: String, goBackwards: Bool) -> RecurrentLayer {
    LSTM(
      units, activation: activation, recurrentActivation: recurrentActivation, useBias: useBias,
      kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer,
      unitForgetBias: unitForgetBias, kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer,
      biasRegularizer: biasRegularizer, dropout: dropout, recurrentDropout: recurrentDropout,
      returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards, seed: seed, name: name)
  }

  public override var layerConfig: [(String, ConfigValue)] {
    sequenceConfig + [
      ("units", .int(units)), ("activation", .string(activation.name)),
      ("recurrent_activation", .string(recurrentActivation.name)), ("use_bias", .bool(useBias)),
    ] + weightConfig(unitForgetBias: unitForgetBias) + [("seed", seedConfig)]
  }
}

extension LSTM: KerasDeserializable {
  /// Keras 2's `CuDNNLSTM` is an LSTM with tanh, sigmoid gates and a bias; its weights are
  /// converted on load (``LegacyWeightConversion``).
  static var legacyClassNames: [String] { ["CuDNNLSTM"] }

  static func make(from config: LayerConfig) throws -> Layer {
    let settings = try config.recurrentSettings()
    return try config.finish(
      LSTM(
        settings.units, activation: settings.activation,
        recurrentActivation: try config.kernelActivation("recurrent_activation", default: .sigmoid),
        useBias: settings.useBias, kernelInitializer: settings.kernelInitializer,
        recurrentInitializer: settings.recurrentInitializer,
        biasInitializer: settings.biasInitializer,
        unitForgetBias: try config.reader.bool("unit_forget_bias", default: true),
        kernelRegularizer: settings.kernelRegularizer, recurrentRegularizer: settings.recurrentRegularizer,
        biasRegularizer: settings.biasRegularizer, dropout: settings.dropout,
        recurrentDropout: settings.recurrentDropout,
        returnSequences: settings.returnSequences, returnState: settings.returnState, goBackwards: settings.goBackwards,
        seed: settings.seed,
        inputShape: config.inputShape, name: config.name))
  }
}
