/// Adam with decoupled weight decay (`keras.optimizers.AdamW`): before each Adam step,
/// `w -= w · weightDecay · lr`. Same slots and config keys as ``Adam``.
public final class AdamW: Adam, @unchecked Sendable {
  /// AdamW with Keras' defaults (`weight_decay=0.004`).
  public init(
    learningRate: LearningRate = 0.001, weightDecay: Float = 0.004, beta1: Float = 0.9, beta2: Float = 0.999,
    epsilon: Float = 1e-7, amsgrad: Bool = false, clipnorm: Float? = nil, clipvalue: Float? = nil,
    globalClipnorm: Float? = nil, name: String? = nil
  ) {
    super.init(
      learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad,
      weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm, name: name)
  }
}

extension OptimizerClass {
  /// ``AdamW`` in the registry of optimizers.
  static let adamW = OptimizerClass(className: "AdamW", makeDefault: { AdamW() }) { config in
    AdamW(
      learningRate: config.learningRate, weightDecay: config.weightDecay ?? 0.004,
      beta1: try config.reader.float("beta_1", default: 0.9), beta2: try config.reader.float("beta_2", default: 0.999),
      epsilon: try config.reader.float("epsilon", default: 1e-7),
      amsgrad: try config.reader.bool("amsgrad", default: false), clipnorm: config.clipnorm,
      clipvalue: config.clipvalue, globalClipnorm: config.globalClipnorm, name: config.name)
  }
}
