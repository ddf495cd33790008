/// A built-in metric as `compile(metrics:)` and model files name it: its Keras class name, the
/// aliases Keras accepts besides the class and its snake_case name, and how it is made under a
/// given name. Each metric's file adds its entry (`extension MetricClass { static let auc = ... }`)
/// and ``MetricClass/builtIn`` lists them.
struct MetricClass: Sendable {
  /// The Keras class name (`"MeanAbsoluteError"`).
  let className: String
  /// Names besides the class name and its snake_case form (`"mae"`, `"MAE"`).
  let aliases: [String]
  /// The metric, logged under the name given.
  let make: @Sendable (_ name: String) -> any Metric

  init(_ className: String, aliases: [String] = [], make: @escaping @Sendable (_ name: String) -> any Metric) {
    self.className = className
    self.aliases = aliases
    self.make = make
  }

  /// Every name the metric is found by: the class name, its snake_case form and the aliases.
  var names: [String] { [className, LayerNames.snakeCase(className)] + aliases }

  /// The built-in metrics (the shape-dependent `"accuracy"` aside), in the order error messages
  /// list their names.
  static let builtIn: [MetricClass] = [
    .binaryAccuracy, .categoricalAccuracy, .sparseCategoricalAccuracy, .topKCategoricalAccuracy, .meanAbsoluteError,
    .meanSquaredError, .rootMeanSquaredError, .meanAbsolutePercentageError, .precision, .recall, .auc,
  ]
}
