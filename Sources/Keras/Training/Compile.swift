/// The training configuration `compile` sets: loss, optimizer and metrics.
struct CompiledModel {
  var optimizer: Optimizer
  var loss: any Loss
  var metricSpecifiers: [MetricSpecifier]
  /// `weighted_metrics`: metrics that see the sample and class weights.
  var weightedMetricSpecifiers: [MetricSpecifier] = []
  /// Resolved on the first data, when label and prediction shapes are known (as Keras does).
  var metrics: [any Metric]?
  /// The weighted metrics, resolved with ``metrics``.
  var weightedMetrics: [any Metric]?
}

extension Sequential {
  /// Configures the model for training (`model.compile`), by Keras names.
  ///
  /// ```swift
  /// try model.compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"])
  /// ```
  /// The default optimizer is RMSprop, as in Keras. `metrics` ignore sample and class weights;
  /// `weightedMetrics` (Keras' `weighted_metrics`) use them, logged under their own names or,
  /// when one of `metrics` has that name, as `weighted_<name>`.
  /// - Throws: ``KerasError/unknownName(kind:name:valid:)`` listing the valid names.
  public func compile(
    optimizer: String = "rmsprop", loss: String, metrics: [MetricSpecifier] = [],
    weightedMetrics: [MetricSpecifier] = []
  ) throws {
    try compile(
      optimizer: Keras.optimizer(named: optimizer), loss: Keras.loss(named: loss), metrics: metrics,
      weightedMetrics: weightedMetrics)
  }

  /// Configures the model for training with a loss value: `loss: .binaryCrossentropy` or `.binaryCrossentropy(fromLogits: true)`.
  public func compile(
    optimizer: String = "rmsprop", loss: some Loss, metrics: [MetricSpecifier] = [],
    weightedMetrics: [MetricSpecifier] = []
  ) throws {
    try compile(optimizer: Keras.optimizer(named: optimizer), loss: loss, metrics: metrics, weightedMetrics: weightedMetrics)
  }

  /// Configures the model for training with an optimizer instance: `optimizer: Adam(learningRate: 1e-3)`.
  public func compile(
    optimizer: Optimizer, loss: String, metrics: [MetricSpecifier] = [], weightedMetrics: [MetricSpecifier] = []
  ) throws {
    try compile(optimizer: optimizer, loss: Keras.loss(named: loss), metrics: metrics, weightedMetrics: weightedMetrics)
  }

  /// Configures the model for training with an optimizer instance and a loss value.
  public func compile(
    optimizer: Optimizer, loss: some Loss, metrics: [MetricSpecifier] = [], weightedMetrics: [MetricSpecifier] = []
  ) throws {
    for metric in metrics + weightedMetrics { try metric.validate() }
    compiled = CompiledModel(
      optimizer: optimizer, loss: loss, metricSpecifiers: metrics, weightedMetricSpecifiers: weightedMetrics,
      metrics: nil, weightedMetrics: nil)
  }

  /// The optimizer set by `compile`, if any.
  public var optimizer: Optimizer? { compiled?.optimizer }

  /// The loss set by `compile`, if any.
  public var loss: (any Loss)? { compiled?.loss }

  /// The `metrics` given to `compile` (none before it).
  public var metricSpecifiers: [MetricSpecifier] { compiled?.metricSpecifiers ?? [] }

  /// The `weightedMetrics` given to `compile` (none before it).
  public var weightedMetricSpecifiers: [MetricSpecifier] { compiled?.weightedMetricSpecifiers ?? [] }

  /// The compiled configuration, or an error saying `compile` is needed for `action`.
  func requireCompiled(_ action: String) throws -> CompiledModel {
    guard let compiled else {
      throw KerasError.notBuilt("Sequential '\(name)': call compile(optimizer:loss:metrics:weightedMetrics:) before \(action)")
    }
    return compiled
  }
}
