import Foundation

/// A rate that follows half a cosine from its start to `alpha` times it over `decaySteps` steps,
/// optionally after a linear warmup from `initialLearningRate` to `warmupTarget` over
/// `warmupSteps` steps (`keras.optimizers.schedules.CosineDecay`).
///
/// Without warmup: `initialLearningRate · ((1 - alpha) · ½(1 + cos(π · min(step, decaySteps) / decaySteps)) + alpha)`.
/// With warmup the cosine starts from `warmupTarget` at step `warmupSteps`.
public struct CosineDecay: LearningRateSchedule {
  /// The rate at step 0 (the start of the warmup when there is one).
  public let initialLearningRate: Float
  /// The number of steps of the cosine decay.
  public let decaySteps: Int
  /// The final rate as a fraction of the rate the decay starts from.
  public let alpha: Float
  /// The rate reached at the end of the warmup, or nil for no warmup.
  public let warmupTarget: Float?
  /// The number of warmup steps.
  public let warmupSteps: Int
  /// Keras' name of the schedule.
  public let name: String

  /// A cosine schedule (`decaySteps` must be positive).
  public init(
    initialLearningRate: Float, decaySteps: Int, alpha: Float = 0, warmupTarget: Float? = nil, warmupSteps: Int = 0,
    name: String = "CosineDecay"
  ) {
    precondition(decaySteps > 0, "CosineDecay: Argument `decay_steps` must be > 0. Received: decay_steps=\(decaySteps)")
    self.initialLearningRate = initialLearningRate
    self.decaySteps = decaySteps
    self.alpha = alpha
    self.warmupTarget = warmupTarget
    self.warmupSteps = warmupSteps
    self.name = name
  }

  /// The rate at `step`.
  public func callAsFunction(_ step: Int) -> Float {
    let decaySteps = Float(self.decaySteps)
    guard let warmupTarget else {
      return decayed(Swift.min(Float(step), decaySteps), decaySteps: decaySteps, from: initialLearningRate)
    }
    let warmupSteps = Float(self.warmupSteps)
    let step = Swift.min(Float(step), decaySteps + warmupSteps)
    if step < warmupSteps {
      return (warmupTarget - initialLearningRate) * (step / warmupSteps) + initialLearningRate
    }
    return decayed(step - warmupSteps, decaySteps: decaySteps, from: warmupTarget)
  }

  private func decayed(_ step: Float, decaySteps: Float, from rate: Float) -> Float {
    let cosine = 0.5 * (1 + cos(Float(Double.pi) * (step / decaySteps)))
    return rate * (Float(1 - alpha.pythonFloat) * cosine + alpha)
  }

  /// The Keras config.
  public var config: ConfigValue {
    .object([
      ("initial_learning_rate", .decimal(initialLearningRate)), ("decay_steps", .int(decaySteps)),
      ("alpha", .decimal(alpha)), ("name", .string(name)), ("warmup_target", .decimalOrNull(warmupTarget)),
      ("warmup_steps", .int(warmupSteps)),
    ])
  }
}
