/// A fully connected recurrent layer: `h' = activation(x·W + b + h·U)` (`keras.layers.SimpleRNN`).
///
/// Input `[N, T, F]`, output `[N, T, units]` with `returnSequences`, else `[N, units]`.
/// Weights `kernel` `[F, units]`, `recurrent_kernel` `[units, units]`, `bias` `[units]`.
public final class SimpleRNN: RecurrentLayer, @unchecked Sendable {
  /// A SimpleRNN of `units` units, with Keras' defaults.
  public init(
    _ units: Int, activation: ActivationFunction = .tanh, useBias: Bool = true,
    kernelInitializer: Initializer = .glorotUniform(), recurrentInitializer: Initializer = .orthogonal(),
    biasInitializer: Initializer = .zeros, kernelRegularizer: Regularizer? = nil,
    recurrentRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil, dropout: Float = 0,
    recurrentDropout: Float = 0, returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false,
    seed: UInt64? = nil, inputShape: [Int]? = nil, name: String? = nil
  ) {
    super.init(
      units: units, activation: activation, recurrentActivation: .sigmoid, useBias: useBias,
      kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer,
      kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer,
      dropout: dropout, recurrentDropout: recurrentDropout, returnSequences: returnSequences, returnState: returnState,
      goBackwards: goBackwards, seed: seed, inputShape: inputShape, name: name)
  }

  public override class var className: String { "SimpleRNN" }

  override var cell: RecurrentCell {
    .simpleRNN(units: units, activation: try! RecurrentLayer.kernelActivation(activation, layer: name, argument: "activation"))
  }

  override func copy(name: String, goBackwards: Bool) -> RecurrentLayer {
    SimpleRNN(
      units, activation: activation, useBias: useBias, kernelInitializer: kernelInitializer,
      recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer,
      recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer, dropout: dropout,
      recurrentDropout: recurrentDropout, returnSequences: returnSequences, returnState: returnState,
      goBackwards: goBackwards, seed: seed, name: name)
  }

  public override var layerConfig: [(String, ConfigValue)] {
    sequenceConfig + [("units", .int(units)), ("activation", .string(activation.name)), ("use_bias", .bool(useBias))]
      + weightConfig(unitForgetBias: nil)
  }
}

extension SimpleRNN: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    let settings = try config.recurrentSettings()
    return try config.finish(
      SimpleRNN(
        settings.units, activation: settings.activation, useBias: settings.useBias,
        kernelInitializer: settings.kernelInitializer,
        recurrentInitializer: settings.recurrentInitializer, biasInitializer: settings.biasInitializer,
        kernelRegularizer: settings.kernelRegularizer, recurrentRegularizer: settings.recurrentRegularizer,
        biasRegularizer: settings.biasRegularizer, dropout: settings.dropout,
        recurrentDropout: settings.recurrentDropout,
        returnSequences: settings.returnSequences, returnState: settings.returnState, goBackwards: settings.goBackwards,
        seed: settings.seed,
        inputShape: config.inputShape, name: config.name))
  }
}
