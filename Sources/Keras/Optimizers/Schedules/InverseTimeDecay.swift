/// A rate that decays as `initialLearningRate / (1 + decayRate · step / decaySteps)`, the ratio
/// floored when `staircase` is true (`keras.optimizers.schedules.InverseTimeDecay`).
public struct InverseTimeDecay: LearningRateSchedule {
  /// The rate at step 0.
  public let initialLearningRate: Float
  /// The number of steps that make one unit of decay.
  public let decaySteps: Int
  /// How fast the rate decays.
  public let decayRate: Float
  /// Whether the rate drops in whole steps of `decaySteps` rather than continuously.
  public let staircase: Bool
  /// Keras' name of the schedule.
  public let name: String

  /// An inverse-time schedule starting at `initialLearningRate` (`decaySteps` must be positive).
  public init(
    initialLearningRate: Float, decaySteps: Int, decayRate: Float, staircase: Bool = false,
    name: String = "InverseTimeDecay"
  ) {
    precondition(
      decaySteps > 0, "InverseTimeDecay: Argument `decay_steps` must be > 0. Received: decay_steps=\(decaySteps)")
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
    return initialLearningRate / (1 + decayRate * p)
  }

  /// The Keras config.
  public var config: ConfigValue {
    .object([
      ("initial_learning_rate", .decimal(initialLearningRate)), ("decay_steps", .int(decaySteps)),
      ("decay_rate", .decimal(decayRate)), ("staircase", .bool(staircase)), ("name", .string(name)),
    ])
  }
}
