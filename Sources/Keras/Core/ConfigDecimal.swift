extension ConfigValue {
  /// A Float argument as the decimal a Keras user typed: `0.99`, not `0.9900000095367432`.
  ///
  /// Keras configs hold Python floats (doubles); widening the nearest Float exactly would
  /// write a different number than Keras for values such as `momentum = 0.99`.
  static func decimal(_ value: Float) -> ConfigValue { .double(Double("\(value)") ?? Double(value)) }
}
