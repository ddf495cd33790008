/// A rate that is constant between step boundaries: `values[0]` up to and including
/// `boundaries[0]`, `values[i]` for `boundaries[i-1] < step ≤ boundaries[i]`, and the last value
/// after the last boundary (`keras.optimizers.schedules.PiecewiseConstantDecay`).
public struct PiecewiseConstantDecay: LearningRateSchedule {
  /// The increasing steps at which the rate changes.
  public let boundaries: [Int]
  /// The rates, one more than the boundaries.
  public let values: [Float]
  /// Keras' name of the schedule.
  public let name: String

  /// A piecewise-constant schedule; `values` must have one element more than a non-empty `boundaries`.
  public init(boundaries: [Int], values: [Float], name: String = "PiecewiseConstant") {
    precondition(
      !boundaries.isEmpty && boundaries.count == values.count - 1,
      "PiecewiseConstantDecay: The length of boundaries should be 1 less than the length of values. "
        + "Received: boundaries=\(boundaries) of length \(boundaries.count), and values=\(values) of length \(values.count)."
    )
    self.boundaries = boundaries
    self.values = values
    self.name = name
  }

  /// The rate at `step`, summed over the ranges that contain it as Keras does.
  public func callAsFunction(_ step: Int) -> Float {
    var rate: Float = 0
    if step <= boundaries[0] { rate += values[0] }
    if step > boundaries[boundaries.count - 1] { rate += values[values.count - 1] }
    for i in 0..<boundaries.count - 1 where step > boundaries[i] && step <= boundaries[i + 1] {
      rate += values[i + 1]
    }
    return rate
  }

  /// The Keras config.
  public var config: ConfigValue {
    .object([
      ("boundaries", .array(boundaries.map { .int($0) })), ("values", .array(values.map { .decimal($0) })),
      ("name", .string(name)),
    ])
  }
}
