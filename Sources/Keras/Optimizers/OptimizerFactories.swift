/// The typed spelling of `compile(optimizer:)`: `optimizer: .adam(learningRate: 1e-3)`, with the
/// same arguments and Keras defaults as the classes they make (``Adam``, ``SGD``, ...).
extension Optimizer {
  /// ``SGD`` (`keras.optimizers.SGD`).
  public static func sgd(
    learningRate: LearningRate = 0.01, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float? = nil,
    clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil
  ) -> Optimizer {
    SGD(
      learningRate: learningRate, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay, clipnorm: clipnorm,
      clipvalue: clipvalue, globalClipnorm: globalClipnorm)
  }

  /// ``Adam`` (`keras.optimizers.Adam`).
  public static func adam(
    learningRate: LearningRate = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
    amsgrad: Bool = false, weightDecay: Float? = nil, clipnorm: Float? = nil, clipvalue: Float? = nil,
    globalClipnorm: Float? = nil
  ) -> Optimizer {
    Adam(
      learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad,
      weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
  }

  /// ``AdamW`` (`keras.optimizers.AdamW`).
  public static func adamW(
    learningRate: LearningRate = 0.001, weightDecay: Float = 0.004, beta1: Float = 0.9, beta2: Float = 0.999,
    epsilon: Float = 1e-7, amsgrad: Bool = false, clipnorm: Float? = nil, clipvalue: Float? = nil,
    globalClipnorm: Float? = nil
  ) -> Optimizer {
    AdamW(
      learningRate: learningRate, weightDecay: weightDecay, beta1: beta1, beta2: beta2, epsilon: epsilon,
      amsgrad: amsgrad, clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
  }

  /// ``RMSprop`` (`keras.optimizers.RMSprop`).
  public static func rmsprop(
    learningRate: LearningRate = 0.001, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7,
    centered: Bool = false, weightDecay: Float? = nil, clipnorm: Float? = nil, clipvalue: Float? = nil,
    globalClipnorm: Float? = nil
  ) -> Optimizer {
    RMSprop(
      learningRate: learningRate, rho: rho, momentum: momentum, epsilon: epsilon, centered: centered,
      weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
  }

  /// ``Adagrad`` (`keras.optimizers.Adagrad`).
  public static func adagrad(
    learningRate: LearningRate = 0.001, initialAccumulatorValue: Float = 0.1, epsilon: Float = 1e-7,
    weightDecay: Float? = nil, clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil
  ) -> Optimizer {
    Adagrad(
      learningRate: learningRate, initialAccumulatorValue: initialAccumulatorValue, epsilon: epsilon,
      weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
  }

  /// ``Adadelta`` (`keras.optimizers.Adadelta`).
  public static func adadelta(
    learningRate: LearningRate = 0.001, rho: Float = 0.95, epsilon: Float = 1e-7, weightDecay: Float? = nil,
    clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil
  ) -> Optimizer {
    Adadelta(
      learningRate: learningRate, rho: rho, epsilon: epsilon, weightDecay: weightDecay, clipnorm: clipnorm,
      clipvalue: clipvalue, globalClipnorm: globalClipnorm)
  }

  /// ``Adamax`` (`keras.optimizers.Adamax`).
  public static func adamax(
    learningRate: LearningRate = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
    weightDecay: Float? = nil, clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil
  ) -> Optimizer {
    Adamax(
      learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
      clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
  }

  /// ``Nadam`` (`keras.optimizers.Nadam`).
  public static func nadam(
    learningRate: LearningRate = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
    weightDecay: Float? = nil, clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil
  ) -> Optimizer {
    Nadam(
      learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
      clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
  }
}
