/// A Keras metric: state accumulated over the batches of an epoch and a result read from it
/// (`keras.metrics.Metric`). The training loop resets metrics at the start of each epoch and
/// of each evaluation.
public protocol Metric: AnyObject {
  /// Keras' name, as logged (`"accuracy"`, `"mae"`, `"precision"`).
  var name: String { get }
  /// Adds a batch: labels, predictions and optional per-sample weights `[N]`.
  ///
  /// - Throws: when the shapes do not fit this metric, naming them.
  func update(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor?) throws
  /// The value over everything added since the last reset.
  func result() -> Float
  /// Forgets all state.
  func reset()
  /// The Keras config (`keras.metrics.serialize(metric)`: `{"module": "keras.metrics",
  /// "class_name": ..., "config": {...}, "registered_name": null}`), or `.null` for a metric
  /// Keras has no class for.
  var config: ConfigValue { get }
}

extension Metric {
  /// A metric of your own has no Keras config unless it provides one.
  public var config: ConfigValue { .null }

  /// Adds a batch without sample weights.
  ///
  /// - Throws: when the shapes do not fit this metric, naming them.
  public func update(_ yTrue: Tensor, _ yPred: Tensor) throws {
    try update(yTrue, yPred, sampleWeight: nil)
  }
}

/// A metric's Keras config: `{"module": "keras.metrics", "class_name": className, "config":
/// {"name": name, "dtype": "float32", ...settings}, "registered_name": null}`.
func metricConfig(className: String, name: String, _ settings: [(String, ConfigValue)] = []) -> ConfigValue {
  .object([
    ("module", "keras.metrics"), ("class_name", .string(className)),
    ("config", .object([("name", .string(name)), ("dtype", "float32")] + settings)), ("registered_name", nil),
  ])
}
