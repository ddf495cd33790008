/// A learning rate that depends on the optimizer's step count (`keras.optimizers.schedules`).
///
/// Schedules compute in float32 as Keras does: the step is cast to float32 first.
public protocol LearningRateSchedule: Sendable {
  /// The Keras class name written in configs (`"ExponentialDecay"`).
  var className: String { get }
  /// The rate at `step` (the number of updates already applied, starting at 0).
  func callAsFunction(_ step: Int) -> Float
  /// The Keras config of the schedule (`schedule.get_config()`), in Keras' key order.
  var config: ConfigValue { get }
}

extension LearningRateSchedule {
  /// The Swift type name, which is the Keras class name for the built-in schedules.
  public var className: String { String(describing: Self.self) }

  /// The schedule as `keras.optimizers.schedules.serialize` writes it inside an optimizer config:
  /// `{"module": "keras.optimizers.schedules", "class_name": ..., "config": ..., "registered_name": null}`.
  public var serialized: ConfigValue {
    .object([
      ("module", "keras.optimizers.schedules"), ("class_name", .string(className)), ("config", config),
      ("registered_name", nil),
    ])
  }
}
