/// The Keras generation that wrote the config being read. A few names mean different things
/// in Keras 2 and Keras 3; a config is read with the meaning its writer gave them:
///
/// - `"hard_sigmoid"`: Keras 2 (and Keras 1) computed `clip(0.2·x + 0.5, 0, 1)`, Keras 3
///   computes `clip(x / 6 + 0.5, 0, 1)`. A Keras 2 config's `"hard_sigmoid"` becomes
///   ``ActivationFunction/hardSigmoidKeras2``.
///
/// ``loadModel(_:)-(String)`` reads a legacy `.h5` file in the dialect of its `keras_version`
/// attribute (none: Keras 1), a `.keras` archive in that of its `metadata.json`; a JSON model
/// config (`to_json()`) in that of its own `keras_version` key. Everything else is read as Keras 3.
enum KerasDialect: Sendable {
  /// Keras 1 and 2, tf.keras and tf_keras 2.x.
  case keras2
  /// Keras 3.
  case keras3

  /// The dialect of the config being read on this task or thread.
  @TaskLocal static var current: KerasDialect = .keras3

  /// The dialect of a file's `keras_version` (nil: a file without one, i.e. Keras 1's).
  static func of(kerasVersion: String?) -> KerasDialect {
    guard let kerasVersion else { return .keras2 }
    return kerasVersion.hasPrefix("1.") || kerasVersion.hasPrefix("2.") || kerasVersion == "1" ? .keras2 : .keras3
  }

  /// Runs `read` in the dialect of `config`'s `keras_version` key when it has one (tf.keras'
  /// `to_json()` writes it), else in the current dialect.
  static func reading<T>(_ config: ConfigValue, _ read: () throws -> T) rethrows -> T {
    guard case .string(let version)? = config["keras_version"] else { return try read() }
    return try $current.withValue(of(kerasVersion: version), operation: read)
  }
}
