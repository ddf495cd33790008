import Foundation

/// Nadam (`keras.optimizers.Nadam`), Adam with Nesterov momentum and Keras' momentum schedule
/// `u_t = β1 · (1 - ½ · 0.96^t)`. Slots: `momentum`, `velocity`; the running product of the `u_t`
/// is optimizer-wide state, saved after the slots under Keras' name `variable`.
public final class Nadam: Optimizer, @unchecked Sendable {
  /// The decay of the first-moment estimate (`beta_1`).
  public let beta1: Float
  /// The decay of the second-moment estimate (`beta_2`).
  public let beta2: Float
  /// The constant added to `√v̂`.
  public let epsilon: Float
  /// The product `u_1 · … · u_t` of the momentum schedule up to the current step (Keras' `_u_product`).
  public private(set) var uProduct: Float = 1

  /// Nadam with Keras' defaults.
  public init(
    learningRate: LearningRate = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
    weightDecay: Float? = nil, clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil,
    name: String? = nil
  ) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    super.init(
      learningRate: learningRate, weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue,
      globalClipnorm: globalClipnorm, name: name)
  }

  /// `momentum` and `velocity`, interleaved per variable.
  public override var slotGroups: [[OptimizerSlot]] { [[OptimizerSlot("momentum"), OptimizerSlot("velocity")]] }

  /// The product of the momentum schedule, named `variable` as Keras names it.
  public override var sharedState: [(name: String, value: Float)] {
    get { [("variable", uProduct)] }
    set { uProduct = newValue[0].value }
  }

  private func momentumSchedule(_ step: Int) -> Float { beta1 * (1 - 0.5 * pow(Float(0.96), Float(step))) }

  /// Advances the product of the momentum schedule to `step`.
  public override func beginStep(_ step: Int) {
    uProduct = uProduct * beta1 * (1 - 0.5 * pow(Float(0.96), Float(step)))
  }

  /// Keras' Nadam step.
  /// Keras on TensorFlow squares a sparse (Embedding) gradient slice by slice.
  public override var sparseGradientStatistic: SparseGradientStatistic { .sumOfSquares }

  public override func update(
    _ variable: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>, slots: SlotBuffers,
    learningRate lr: Float, step: Int
  ) {
    let u = momentumSchedule(step)
    let uNext = momentumSchedule(step + 1)
    let uProductNext = uProduct * uNext
    let beta2Power = pow(beta2, Float(step))
    let m = slots[0]
    let v = slots[1]
    let squares = slots.sparseStatistic
    for i in variable.indices {
      let g = gradient[i]
      m[i] += (g - m[i]) * (1 - beta1)
      v[i] += ((squares?[i] ?? g * g) - v[i]) * (1 - beta2)
      let mHat = uNext * m[i] / (1 - uProductNext) + (1 - u) * g / (1 - uProduct)
      let vHat = v[i] / (1 - beta2Power)
      variable[i] -= mHat * lr / (vHat.squareRoot() + epsilon)
    }
  }

  /// `beta_1`, `beta_2`, `epsilon`.
  public override var optimizerConfig: [(String, ConfigValue)] {
    [("beta_1", .decimal(beta1)), ("beta_2", .decimal(beta2)), ("epsilon", .decimal(epsilon))]
  }
}

extension OptimizerClass {
  /// ``Nadam`` in the registry of optimizers.
  static let nadam = OptimizerClass(className: "Nadam", makeDefault: { Nadam() }) { config in
    Nadam(
      learningRate: config.learningRate, beta1: try config.reader.float("beta_1", default: 0.9),
      beta2: try config.reader.float("beta_2", default: 0.999),
      epsilon: try config.reader.float("epsilon", default: 1e-7), weightDecay: config.weightDecay,
      clipnorm: config.clipnorm, clipvalue: config.clipvalue, globalClipnorm: config.globalClipnorm,
      name: config.name)
  }
}
