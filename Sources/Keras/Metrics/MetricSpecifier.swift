/// A metric as given to `compile(metrics:)`: a Keras name (`"accuracy"`, `"mae"`) or a metric
/// instance, resolved to a ``Metric`` once the first batch shows the label and prediction shapes.
///
/// ```swift
/// try model.compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy", "auc"])
/// try model.compile(optimizer: "adam", loss: "mse", metrics: [.mae, .precision(thresholds: 0.3)])
/// ```
///
/// Names resolve as in Keras' `compile_utils.get_metric`: `"accuracy"` and `"acc"` (in any
/// case) become ``BinaryAccuracy`` when the predictions' last axis is 1,
/// ``SparseCategoricalAccuracy`` when the labels have fewer axes than the predictions or a last
/// axis of 1 against more classes, else ``CategoricalAccuracy`` (Keras 3 does not look at the
/// loss). Every other name is a class (`"MeanAbsoluteError"`), its snake_case name
/// (`"mean_absolute_error"`) or an alias (`"mae"`, `"MAE"`). The metric is logged under the
/// name as written.
public struct MetricSpecifier: ExpressibleByStringLiteral, CustomStringConvertible {
  private enum Source {
    case name(String)
    case instance(any Metric)
  }

  private let source: Source

  /// A metric by Keras name, checked when resolved (or by ``validate()``).
  public init(_ name: String) { source = .name(name) }

  /// A metric by Keras name: `"accuracy"`.
  public init(stringLiteral name: String) { source = .name(name) }

  /// A metric instance, used as it is (its state is shared with every model compiled with it).
  public init(_ metric: any Metric) { source = .instance(metric) }

  /// The name as given, or the instance's name.
  public var description: String {
    switch source {
    case .name(let name): return name
    case .instance(let metric): return metric.name
    }
  }

  /// The entry Keras writes for this metric in a `compile_config`: the name as given, or the
  /// instance's config.
  public var config: ConfigValue {
    switch source {
    case .name(let name): return .string(name)
    case .instance(let metric): return metric.config
    }
  }

  /// The metric for labels `[N, ...]` shaped `yTrueShape` and predictions shaped `yPredShape`
  /// (with their batch axis).
  ///
  /// - Throws: ``KerasError/unknownName(kind:name:valid:)`` listing the valid names;
  ///   ``KerasError/invalidArgument(_:)`` when `"accuracy"` is given scalar shapes.
  public func resolve(yTrueShape: [Int], yPredShape: [Int]) throws -> any Metric {
    switch source {
    case .instance(let metric): return metric
    case .name(let name): return try Keras.metric(named: name, yTrueShape: yTrueShape, yPredShape: yPredShape)
    }
  }

  /// As ``resolve(yTrueShape:yPredShape:)``: `lossName` is ignored, because Keras 3 chooses the
  /// accuracy by the shapes alone (`compile_utils.get_metric`), even for binary cross-entropy.
  ///
  /// - Throws: as ``resolve(yTrueShape:yPredShape:)``.
  public func resolve(yTrueShape: [Int], yPredShape: [Int], lossName: String?) throws -> any Metric {
    try resolve(yTrueShape: yTrueShape, yPredShape: yPredShape)
  }

  /// Checks a name without shapes, so `compile` can refuse an unknown one at once.
  ///
  /// - Throws: ``KerasError/unknownName(kind:name:valid:)`` listing the valid names.
  public func validate() throws {
    if case .name(let name) = source, !MetricSpecifier.isAccuracy(name), MetricSpecifier.makers[name] == nil {
      throw KerasError.unknownName(kind: "metric", name: name, valid: MetricSpecifier.names)
    }
  }

  /// Resolves each specifier in order for one output.
  ///
  /// - Throws: as ``resolve(yTrueShape:yPredShape:)``.
  public static func resolve(_ specifiers: [MetricSpecifier], yTrueShape: [Int], yPredShape: [Int]) throws
    -> [any Metric]
  {
    try specifiers.map { try $0.resolve(yTrueShape: yTrueShape, yPredShape: yPredShape) }
  }

  /// The keys Keras logs compiled metrics under: each metric's name, with `_1`, `_2`, ... added
  /// to a name already taken (`["accuracy", "accuracy_1"]`).
  public static func logNames(for metrics: [any Metric]) -> [String] {
    logNames(for: metrics, weighted: [])
  }

  /// The keys Keras logs `metrics` then `weighted_metrics` under (Keras' `CompileMetrics.result`):
  /// each metric's name, `_1`, `_2`, ... added to repeats among `metrics`; a weighted metric
  /// whose name is taken becomes `weighted_<name>` (numbered when that is taken too).
  public static func logNames(for metrics: [any Metric], weighted: [any Metric]) -> [String] {
    var seen: [String: Int] = [:]
    func numbered(_ name: String) -> String {
      guard let index = seen[name] else {
        seen[name] = 1
        return name
      }
      seen[name] = index + 1
      return "\(name)_\(index)"
    }
    let plain = metrics.map { numbered($0.name) }
    let weightedNames = weighted.map { metric in
      seen[metric.name] == nil ? numbered(metric.name) : numbered("weighted_\(metric.name)")
    }
    return plain + weightedNames
  }

  /// The lower-case names known (class names such as `"MeanAbsoluteError"` and upper-case
  /// aliases such as `"MAE"` are accepted too).
  public static let names: [String] =
    ["accuracy", "acc"]
    + MetricClass.builtIn.flatMap { metric in
      [LayerNames.snakeCase(metric.className)] + metric.aliases.filter { $0 == $0.lowercased() }
    }

  /// Whether `name` is Keras' shape-dependent `"accuracy"` (or `"acc"`), in any case.
  static func isAccuracy(_ name: String) -> Bool {
    ["accuracy", "acc"].contains(name.lowercased())
  }

  /// Keras' `ALL_OBJECTS_DICT` for the metrics here: class name, snake_case name and aliases,
  /// each making the metric under the name given.
  static let makers: [String: @Sendable (String) -> any Metric] = {
    var makers: [String: @Sendable (String) -> any Metric] = [:]
    for metric in MetricClass.builtIn {
      for key in metric.names { makers[key] = metric.make }
    }
    return makers
  }()
}

extension MetricSpecifier {
  /// `"accuracy"`: binary, categorical or sparse categorical by the shapes.
  public static var accuracy: MetricSpecifier { "accuracy" }
  /// `"binary_accuracy"`.
  public static var binaryAccuracy: MetricSpecifier { "binary_accuracy" }
  /// `"categorical_accuracy"`.
  public static var categoricalAccuracy: MetricSpecifier { "categorical_accuracy" }
  /// `"sparse_categorical_accuracy"`.
  public static var sparseCategoricalAccuracy: MetricSpecifier { "sparse_categorical_accuracy" }
  /// `"mae"`: ``MeanAbsoluteError`` logged as `mae`.
  public static var mae: MetricSpecifier { "mae" }
  /// `"mse"`: ``MeanSquaredError`` logged as `mse`.
  public static var mse: MetricSpecifier { "mse" }
  /// `"mape"`: ``MeanAbsolutePercentageError`` logged as `mape`.
  public static var mape: MetricSpecifier { "mape" }
  /// `"root_mean_squared_error"`.
  public static var rootMeanSquaredError: MetricSpecifier { "root_mean_squared_error" }

  /// A ``BinaryAccuracy`` with its own threshold.
  public static func binaryAccuracy(threshold: Float, name: String = "binary_accuracy") -> MetricSpecifier {
    MetricSpecifier(BinaryAccuracy(threshold: threshold, name: name))
  }

  /// A ``TopKCategoricalAccuracy``.
  public static func topKCategoricalAccuracy(k: Int = 5, name: String = "top_k_categorical_accuracy")
    -> MetricSpecifier
  {
    MetricSpecifier(TopKCategoricalAccuracy(k: k, name: name))
  }

  /// A ``Precision``.
  public static func precision(
    thresholds: MetricThresholds? = nil, topK: Int? = nil, classId: Int? = nil, name: String? = nil
  ) -> MetricSpecifier {
    MetricSpecifier(Precision(thresholds: thresholds, topK: topK, classId: classId, name: name))
  }

  /// A ``Recall``.
  public static func recall(
    thresholds: MetricThresholds? = nil, topK: Int? = nil, classId: Int? = nil, name: String? = nil
  ) -> MetricSpecifier {
    MetricSpecifier(Recall(thresholds: thresholds, topK: topK, classId: classId, name: name))
  }

  /// An ``AUC``.
  public static func auc(
    numThresholds: Int = 200, curve: AUC.Curve = .roc, summationMethod: AUC.SummationMethod = .interpolation,
    name: String? = nil, fromLogits: Bool = false
  ) -> MetricSpecifier {
    MetricSpecifier(
      AUC(
        numThresholds: numThresholds, curve: curve, summationMethod: summationMethod, name: name, fromLogits: fromLogits
      ))
  }
}

/// The metric Keras' `compile` makes of `name` for labels shaped `yTrueShape` and predictions
/// shaped `yPredShape` (both with their batch axis), named `name`.
///
/// - Throws: ``KerasError/unknownName(kind:name:valid:)`` listing the valid names;
///   ``KerasError/invalidArgument(_:)`` when `"accuracy"` is given scalar shapes.
public func metric(named name: String, yTrueShape: [Int], yPredShape: [Int]) throws -> any Metric {
  guard MetricSpecifier.isAccuracy(name) else {
    guard let make = MetricSpecifier.makers[name] else {
      throw KerasError.unknownName(kind: "metric", name: name, valid: MetricSpecifier.names)
    }
    return make(name)
  }
  guard let trueLast = yTrueShape.last, let predLast = yPredShape.last else {
    throw KerasError.invalidArgument(
      "Metric '\(name)': cannot choose the accuracy for y_true of shape \(yTrueShape) and y_pred of shape \(yPredShape)"
    )
  }
  if predLast == 1 { return BinaryAccuracy(name: name) }
  if yTrueShape.count < yPredShape.count || (trueLast == 1 && predLast > 1) {
    return SparseCategoricalAccuracy(name: name)
  }
  return CategoricalAccuracy(name: name)
}
