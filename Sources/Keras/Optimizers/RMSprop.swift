/// RMSprop (`keras.optimizers.RMSprop`): `v = ρ·v + (1-ρ)·g²`, step `lr · g / √(v + ε)`; `centered`
/// also keeps `a = ρ·a + (1-ρ)·g` and divides by `√(v - a² + ε)`; with `momentum` the step
/// accumulates as `μ = momentum·μ + step` and `w -= μ`. Slots: `velocity`, then `momentum` when
/// `momentum > 0`, then `average_gradient` when `centered`.
public final class RMSprop: Optimizer, @unchecked Sendable {
  /// The decay of the squared-gradient average.
  public let rho: Float
  /// The momentum factor (0 for none).
  public let momentum: Float
  /// The constant added under the square root.
  public let epsilon: Float
  /// Whether to normalise by the variance rather than the second moment.
  public let centered: Bool

  /// RMSprop with Keras' defaults.
  public init(
    learningRate: LearningRate = 0.001, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7,
    centered: Bool = false, weightDecay: Float? = nil, clipnorm: Float? = nil, clipvalue: Float? = nil,
    globalClipnorm: Float? = nil, name: String? = nil
  ) {
    self.rho = rho
    self.momentum = momentum
    self.epsilon = epsilon
    self.centered = centered
    super.init(
      learningRate: learningRate, weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue,
      globalClipnorm: globalClipnorm, name: name)
  }

  /// `velocity`, then `momentum` when `momentum > 0`, then `average_gradient` when `centered`.
  public override var slotGroups: [[OptimizerSlot]] {
    [[OptimizerSlot("velocity")]] + (momentum > 0 ? [[OptimizerSlot("momentum")]] : [])
      + (centered ? [[OptimizerSlot("average_gradient")]] : [])
  }

  /// Keras' RMSprop step.
  /// Keras on TensorFlow squares a sparse (Embedding) gradient slice by slice.
  public override var sparseGradientStatistic: SparseGradientStatistic { .sumOfSquares }

  public override func update(
    _ variable: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>, slots: SlotBuffers,
    learningRate lr: Float, step: Int
  ) {
    let oneMinusRho = Float(1 - rho.pythonFloat)
    let velocity = slots[0]
    let velocityMomentum = momentum > 0 ? slots[1] : nil
    let averageGradient = centered ? slots[momentum > 0 ? 2 : 1] : nil
    let squares = slots.sparseStatistic
    for i in variable.indices {
      let g = gradient[i]
      velocity[i] = rho * velocity[i] + oneMinusRho * (squares?[i] ?? g * g)
      var denominator = velocity[i] + epsilon
      if let averageGradient {
        averageGradient[i] = rho * averageGradient[i] + oneMinusRho * g
        denominator = velocity[i] - averageGradient[i] * averageGradient[i] + epsilon
      }
      let increment = lr * g / denominator.squareRoot()
      if let velocityMomentum {
        velocityMomentum[i] = momentum * velocityMomentum[i] + increment
        variable[i] -= velocityMomentum[i]
      } else {
        variable[i] -= increment
      }
    }
  }

  /// `rho`, `momentum`, `epsilon`, `centered`.
  public override var optimizerConfig: [(String, ConfigValue)] {
    [
      ("rho", .decimal(rho)), ("momentum", .decimal(momentum)), ("epsilon", .decimal(epsilon)),
      ("centered", .bool(centered)),
    ]
  }
}

extension OptimizerClass {
  /// ``RMSprop`` in the registry of optimizers.
  static let rmsprop = OptimizerClass(className: "RMSprop", makeDefault: { RMSprop() }) { config in
    RMSprop(
      learningRate: config.learningRate, rho: try config.reader.float("rho", default: 0.9),
      momentum: try config.reader.float("momentum", default: 0),
      epsilon: try config.reader.float("epsilon", default: 1e-7),
      centered: try config.reader.bool("centered", default: false), weightDecay: config.weightDecay,
      clipnorm: config.clipnorm, clipvalue: config.clipvalue, globalClipnorm: config.globalClipnorm,
      name: config.name)
  }
}
