/// The training configuration `compile` sets: loss, optimizer and metrics.
struct CompiledModel {
  var optimizer: Optimizer
  var loss: any Loss
  var metricSpecifiers: [MetricSpecifier]
  /// Resolved on the first data, when label and prediction shapes are known (as Keras does).
  var metrics: [any Metric]?
}

extension Sequential {
  /// Configures the model for training (`model.compile`), by Keras names.
  ///
  /// ```swift
  /// try model.compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"])
  /// ```
  /// The default optimizer is RMSprop, as in Keras.
  /// - Throws: ``KerasError/unknownName(kind:name:valid:)`` listing the valid names.
  public func compile(optimizer: String = "rmsprop", loss: String, metrics: [MetricSpecifier] = []) throws {
    try compile(optimizer: Keras.optimizer(named: optimizer), loss: Keras.loss(named: loss), metrics: metrics)
  }

  /// Configures the model for training with a loss value: `loss: .binaryCrossentropy` or `.binaryCrossentropy(fromLogits: true)`.
  public func compile(optimizer: String = "rmsprop", loss: some Loss, metrics: [MetricSpecifier] = []) throws {
    try compile(optimizer: Keras.optimizer(named: optimizer), loss: loss, metrics: metrics)
  }

  /// Configures the model for training with an optimizer instance: `optimizer: Adam(learningRate: 1e-3)`.
  public func compile(optimizer: Optimizer, loss: String, metrics: [MetricSpecifier] = []) throws {
    try compile(optimizer: optimizer, loss: Keras.loss(named: loss), metrics: metrics)
  }

  /// Configures the model for training with an optimizer instance and a loss value.
  public func compile(optimizer: Optimizer, loss: some Loss, metrics: [MetricSpecifier] = []) throws {
    for metric in metrics { try metric.validate() }
    compiled = CompiledModel(optimizer: optimizer, loss: loss, metricSpecifiers: metrics, metrics: nil)
  }

  /// The optimizer set by `compile`, if any.
  public var optimizer: Optimizer? { compiled?.optimizer }

  /// The loss set by `compile`, if any.
  public var loss: (any Loss)? { compiled?.loss }

  /// The compiled configuration, or an error saying `compile` is needed for `action`.
  func requireCompiled(_ action: String) throws -> CompiledModel {
    guard let compiled else {
      throw KerasError.notBuilt("Sequential '\(name)': call compile(optimizer:loss:metrics:) before \(action)")
    }
    return compiled
  }
}
