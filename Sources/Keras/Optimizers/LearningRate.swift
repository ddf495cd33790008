/// The learning rate of an optimizer: a constant or a schedule over steps.
///
/// A float literal is a constant rate: `Adam(learningRate: 0.01)`; a schedule is
/// `SGD(learningRate: .schedule(ExponentialDecay(initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.9)))`.
public enum LearningRate: Sendable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
  /// A fixed rate (which callbacks such as ReduceLROnPlateau may change).
  case constant(Float)
  /// A rate computed from the step count.
  case schedule(any LearningRateSchedule)

  /// A constant rate written as a float literal.
  public init(floatLiteral value: Float) { self = .constant(value) }
  /// A constant rate written as an integer literal.
  public init(integerLiteral value: Int) { self = .constant(Float(value)) }

  /// The rate at `step` (the number of updates already applied).
  public func value(at step: Int) -> Float {
    switch self {
    case .constant(let rate): return rate
    case .schedule(let schedule): return schedule(step)
    }
  }

  /// The `learning_rate` entry of an optimizer's Keras config: the float32 rate widened to a
  /// double (Keras reads it back from its float32 variable), or the serialized schedule.
  public var config: ConfigValue {
    switch self {
    case .constant(let rate): return .double(Double(rate))
    case .schedule(let schedule): return schedule.serialized
    }
  }
}
