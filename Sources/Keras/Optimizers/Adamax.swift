import Foundation

/// Adamax (`keras.optimizers.Adamax`), Adam with the infinity norm: `m += (g - m)(1 - β1)`,
/// `u = max(β2 · u, |g|)`, `w -= lr · m / ((1 - β1^t)(u + ε))`. Slots: `momentum`, `norm`.
public final class Adamax: Optimizer, @unchecked Sendable {
  /// The decay of the first-moment estimate (`beta_1`).
  public let beta1: Float
  /// The decay of the infinity norm (`beta_2`).
  public let beta2: Float
  /// The constant added to the norm.
  public let epsilon: Float

  /// Adamax with Keras' defaults.
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

  /// `momentum` and `norm`, interleaved per variable.
  public override var slotGroups: [[OptimizerSlot]] { [[OptimizerSlot("momentum"), OptimizerSlot("norm")]] }

  /// Keras' Adamax step.
  /// Keras on TensorFlow takes a sparse (Embedding) gradient's absolute value slice by slice.
  public override var sparseGradientStatistic: SparseGradientStatistic { .sumOfAbsoluteValues }

  public override func update(
    _ variable: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>, slots: SlotBuffers,
    learningRate lr: Float, step: Int
  ) {
    let oneMinusBeta1Power = 1 - pow(beta1, Float(step))
    let oneMinusBeta1 = Float(1 - beta1.pythonFloat)
    let m = slots[0]
    let u = slots[1]
    let absolutes = slots.sparseStatistic
    for i in variable.indices {
      let g = gradient[i]
      m[i] += (g - m[i]) * oneMinusBeta1
      u[i] = Swift.max(beta2 * u[i], absolutes?[i] ?? Swift.abs(g))
      variable[i] -= lr * m[i] / (oneMinusBeta1Power * (u[i] + epsilon))
    }
  }

  /// `beta_1`, `beta_2`, `epsilon`.
  public override var optimizerConfig: [(String, ConfigValue)] {
    [("beta_1", .decimal(beta1)), ("beta_2", .decimal(beta2)), ("epsilon", .decimal(epsilon))]
  }
}

extension OptimizerClass {
  /// ``Adamax`` in the registry of optimizers.
  static let adamax = OptimizerClass(className: "Adamax", makeDefault: { Adamax() }) { config in
    Adamax(
      learningRate: config.learningRate, beta1: try config.reader.float("beta_1", default: 0.9),
      beta2: try config.reader.float("beta_2", default: 0.999),
      epsilon: try config.reader.float("epsilon", default: 1e-7), weightDecay: config.weightDecay,
      clipnorm: config.clipnorm, clipvalue: config.clipvalue, globalClipnorm: config.globalClipnorm,
      name: config.name)
  }
}
