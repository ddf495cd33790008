/// Gated recurrent unit over a sequence (`keras.layers.GRU`), gates z, r, h.
///
/// Input `[N, T, F]`, output `[N, T, units]` with `returnSequences`, else `[N, units]`.
/// Weights `kernel` `[F, 3·units]`, `recurrent_kernel` `[units, 3·units]`, `bias` `[2, 3·units]`
/// with `resetAfter` (Keras 3's default: input bias row, recurrent bias row), else `[3·units]`.
public final class GRU: RecurrentLayer, @unchecked Sendable {
  /// Whether the reset gate applies after the recurrent product (Keras default true).
  public let resetAfter: Bool

  /// A GRU of `units` units, with Keras' defaults.
  public init(
    _ units: Int, activation: ActivationFunction = .tanh, recurrentActivation: ActivationFunction = .sigmoid,
    useBias: Bool = true, kernelInitializer: Initializer = .glorotUniform(),
    recurrentInitializer: Initializer = .orthogonal(), biasInitializer: Initializer = .zeros,
    kernelRegularizer: Regularizer? = nil, recurrentRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
    dropout: Float = 0, recurrentDropout: Float = 0, returnSequences: Bool = false, returnState: Bool = false,
    goBackwards: Bool = false, resetAfter: Bool = true, seed: UInt64? = nil, inputShape: [Int]? = nil,
    name: String? = nil
  ) {
    self.resetAfter = resetAfter
    super.init(
      units: units, activation: activation, recurrentActivation: recurrentActivation, useBias: useBias,
      kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer,
      kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer,
      dropout: dropout, recurrentDropout: recurrentDropout, returnSequences: returnSequences, returnState: returnState,
      goBackwards: goBackwards, seed: seed, inputShape: inputShape, name: name)
  }

  override var cell: RecurrentCell {
    .gru(
      units: units, resetAfter: resetAfter,
      activation: try! RecurrentLayer.kernelActivation(activation, layer: name, argument: "activation"),
      recurrentActivation: try! RecurrentLayer.kernelActivation(
        recurrentActivation, layer: name, argument: "recurrentActivation"))
  }

  override func copy(name: String, goBackwards: Bool) -> RecurrentLayer {
    GRU(
      units, activation: activation, recurrentActivation: recurrentActivation, useBias: useBias,
      kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer,
      kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer,
      dropout: dropout, recurrentDropout: recurrentDropout, returnSequences: returnSequences, returnState: returnState,
      goBackwards: goBackwards, resetAfter: resetAfter, seed: seed, name: name)
  }

  public override var layerConfig: [(String, ConfigValue)] {
    sequenceConfig + [
      ("units", .int(units)), ("activation", .string(activation.name)),
      ("recurrent_activation", .string(recurrentActivation.name)), ("use_bias", .bool(useBias)),
    ] + weightConfig(unitForgetBias: nil) + [("reset_after", .bool(resetAfter)), ("seed", seedConfig)]
  }
}

extension GRU: KerasDeserializable {
  /// Keras 2's `CuDNNGRU` is a GRU with `reset_after=True`; its weights are converted on load
  /// (``LegacyWeightConversion``).
  static var legacyClassNames: [String] { ["CuDNNGRU"] }

  static func make(from config: LayerConfig) throws -> Layer {
    let settings = try config.recurrentSettings()
    return try config.finish(
      GRU(
        settings.units, activation: settings.activation,
        recurrentActivation: try config.kernelActivation("recurrent_activation", default: .sigmoid),
        useBias: settings.useBias, kernelInitializer: settings.kernelInitializer,
        recurrentInitializer: settings.recurrentInitializer,
        biasInitializer: settings.biasInitializer, kernelRegularizer: settings.kernelRegularizer,
        recurrentRegularizer: settings.recurrentRegularizer, biasRegularizer: settings.biasRegularizer,
        dropout: settings.dropout,
        recurrentDropout: settings.recurrentDropout, returnSequences: settings.returnSequences,
        returnState: settings.returnState,
        goBackwards: settings.goBackwards, resetAfter: try config.reader.bool("reset_after", default: true),
        seed: settings.seed,
        inputShape: config.inputShape, name: config.name))
  }
}
