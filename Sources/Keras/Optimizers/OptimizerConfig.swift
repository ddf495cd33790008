// An optimizer's Keras config, as `get_config()` and `keras.optimizers.serialize` write it.

extension Optimizer {
  /// The Keras config (`optimizer.get_config()`): the base keys, then ``optimizerConfig``.
  public var config: ConfigValue {
    .object(
      [
        ("name", .string(name)), ("learning_rate", learningRate.config), ("weight_decay", .decimalOrNull(weightDecay)),
        ("clipnorm", .decimalOrNull(clipnorm)), ("global_clipnorm", .decimalOrNull(globalClipnorm)),
        ("clipvalue", .decimalOrNull(clipvalue)), ("use_ema", false), ("ema_momentum", 0.99),
        ("ema_overwrite_frequency", nil),
        ("loss_scale_factor", nil), ("gradient_accumulation_steps", nil),
      ] + optimizerConfig)
  }

  /// The config as `keras.optimizers.serialize` writes it (`{"module": "keras.optimizers", "class_name": ...}`).
  public var serialized: ConfigValue {
    .object([
      ("module", "keras.optimizers"), ("class_name", .string(Self.className)), ("config", config),
      ("registered_name", nil),
    ])
  }
}

extension ConfigValue {
  /// An optional Float argument as the decimal a Keras user typed, or null.
  static func decimalOrNull(_ value: Float?) -> ConfigValue { value.map { .decimal($0) } ?? .null }
}
