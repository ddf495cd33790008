/// Learning-rate schedules read back from an optimizer's saved `learning_rate`: what
/// `keras.optimizers.schedules.deserialize` accepts for the built-in schedules.
enum ScheduleReading {
  /// The schedule a serialized `learning_rate` describes: Keras 3's `{"module":
  /// "keras.optimizers.schedules", "class_name": "ExponentialDecay", "config": {...},
  /// "registered_name": null}` or tf.keras 2's `{"class_name": ..., "config": {...}}`.
  ///
  /// - Throws: ``KerasError/unknownName(kind:name:valid:)`` for a schedule SwiftKeras does not
  ///   have (a custom one), ``KerasError/invalidArgument(_:)`` naming the key for a bad value
  ///   (such as `decay_steps` 0, which Keras refuses too).
  static func schedule(_ value: ConfigValue) throws -> any LearningRateSchedule {
    let wrapper = try ConfigReader(value, owner: "learning_rate schedule")
    let className = try wrapper.string("class_name")
    let reader = try ConfigReader(wrapper.value("config") ?? .object([]), owner: "schedule '\(className)'")
    let schedule: any LearningRateSchedule
    switch className {
    case "ExponentialDecay", "InverseTimeDecay":
      let initial = try reader.float("initial_learning_rate")
      let steps = try reader.positiveInt("decay_steps")
      let rate = try reader.float("decay_rate")
      let staircase = try reader.bool("staircase", default: false)
      let name = try reader.string("name", default: className)
      schedule =
        className == "ExponentialDecay"
        ? ExponentialDecay(initialLearningRate: initial, decaySteps: steps, decayRate: rate, staircase: staircase, name: name)
        : InverseTimeDecay(initialLearningRate: initial, decaySteps: steps, decayRate: rate, staircase: staircase, name: name)
    case "PiecewiseConstantDecay":
      let boundaries = try reader.intList("boundaries")
      let values = try floats(reader, "values")
      guard !boundaries.isEmpty, boundaries.count == values.count - 1 else {
        throw KerasError.invalidArgument(
          "schedule 'PiecewiseConstantDecay' config: 'boundaries' (\(boundaries.count) of them) must be one "
            + "fewer than 'values' (\(values.count)) and not empty")
      }
      schedule = PiecewiseConstantDecay(
        boundaries: boundaries, values: values, name: try reader.string("name", default: "PiecewiseConstant"))
    case "CosineDecay":
      let warmupTarget = try reader.present("warmup_target").map { _ in try reader.float("warmup_target") }
      let warmupSteps = try reader.int("warmup_steps", default: 0)
      guard warmupSteps >= 0 else {
        throw reader.invalid("warmup_steps", expected: "a non-negative integer", got: .int(warmupSteps))
      }
      schedule = CosineDecay(
        initialLearningRate: try reader.float("initial_learning_rate"), decaySteps: try reader.positiveInt("decay_steps"),
        alpha: try reader.float("alpha", default: 0), warmupTarget: warmupTarget, warmupSteps: warmupSteps,
        name: try reader.string("name", default: "CosineDecay"))
    default:
      throw KerasError.unknownName(
        kind: "learning-rate schedule", name: className,
        valid: ["CosineDecay", "ExponentialDecay", "InverseTimeDecay", "PiecewiseConstantDecay"])
    }
    try reader.rejectUnreadKeys()
    return schedule
  }

  /// A list of numbers under `key`.
  private static func floats(_ reader: ConfigReader, _ key: String) throws -> [Float] {
    guard case .array(let items)? = reader.value(key) else {
      throw reader.invalid(key, expected: "a list of numbers", got: reader.value(key) ?? .null)
    }
    let numbers = items.compactMap(ConfigReader.number)
    guard numbers.count == items.count else {
      throw reader.invalid(key, expected: "a list of numbers", got: .array(items))
    }
    return numbers
  }
}
