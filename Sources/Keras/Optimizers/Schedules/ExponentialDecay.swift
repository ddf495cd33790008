import Foundation

/// A rate that decays exponentially: `initialLearningRate · decayRate^(step / decaySteps)`, the
/// exponent floored when `staircase` is true (`keras.optimizers.schedules.ExponentialDecay`).
public struct ExponentialDecay: LearningRateSchedule {
  /// The rate at step 0.
  public let initialLearningRate: Float
  /// The number of steps over which the rate is multiplied by `decayRate` once.
  public let decaySteps: Int
  /// The factor per `decaySteps` steps.
  public let decayRate: Float
  /// Whether the rate drops in whole steps of `decaySteps` rather than continuously.
  public let staircase: Bool
  /// Keras' name of the schedule.
  public let name: String

  /// A schedule starting at `initialLearningRate`, multiplied by `decayRate` every `decaySteps`
  /// steps (`decaySteps` must be positive).
  public init(
    initialLearningRate: Float, decaySteps: Int, decayRate: Float, staircase: Bool = false,
    name: String = "ExponentialDecay"
  ) {
    precondition(
      decaySteps > 0, "ExponentialDecay: Argument `decay_steps` must be > 0. Received: decay_steps=\(decaySteps)")
    self.initialLearningRate = initialLearningRate
    self.decaySteps = decaySteps
    self.decayRate = decayRate
    self.staircase = staircase
    self.name = name
  }

  /// The rate at `step`.
  public func callAsFunction(_ step: Int) -> Float {
    var p = Float(step) / Float(decaySteps)
    if staircase { p = p.rounded(.down) }
    return initialLearningRate * pow(decayRate, p)
  }

  /// The Keras config.
  public var config: ConfigValue {
    .object([
      ("initial_learning_rate", .decimal(initialLearningRate)), ("decay_steps", .int(decaySteps)),
      ("decay_rate", .decimal(decayRate)), ("staircase", .bool(staircase)), ("name", .string(name)),
    ])
  }
}
