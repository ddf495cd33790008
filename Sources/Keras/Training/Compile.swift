/// One model output's part of the training configuration: its loss, the loss' weight in the
/// total and its metrics (Keras' `CompileLoss`/`CompileMetrics` per output).
struct OutputHead {
  /// The output layer's name: the prefix of the output's log keys (`out_loss`, `out_accuracy`).
  var name: String
  var loss: any Loss
  /// The factor of this output's loss in the total (`loss_weights`).
  var weight: Float = 1
  var metricSpecifiers: [MetricSpecifier] = []
  /// `weighted_metrics`: metrics that see the sample and class weights.
  var weightedMetricSpecifiers: [MetricSpecifier] = []
  /// Resolved on the first data, when label and prediction shapes are known (as Keras does).
  var metrics: [any Metric]?
  /// The weighted metrics, resolved with ``metrics``.
  var weightedMetrics: [any Metric]?
}

/// The training configuration `compile` sets: the optimizer and, per model output, the loss,
/// its weight and the metrics.
struct CompiledModel {
  var optimizer: Optimizer
  /// One per model output, in output order.
  var heads: [OutputHead]
  /// Whether `compile` was given `lossWeights` (written to the compile config).
  var lossWeightsGiven = false

  init(
    optimizer: Optimizer, loss: any Loss, metricSpecifiers: [MetricSpecifier],
    weightedMetricSpecifiers: [MetricSpecifier] = [], metrics: [any Metric]? = nil, weightedMetrics: [any Metric]? = nil
  ) {
    self.optimizer = optimizer
    heads = [
      OutputHead(
        name: "", loss: loss, metricSpecifiers: metricSpecifiers, weightedMetricSpecifiers: weightedMetricSpecifiers,
        metrics: metrics, weightedMetrics: weightedMetrics)
    ]
  }

  init(optimizer: Optimizer, heads: [OutputHead], lossWeightsGiven: Bool) {
    self.optimizer = optimizer
    self.heads = heads
    self.lossWeightsGiven = lossWeightsGiven
  }

  /// The first output's loss (the only one of a single-output model).
  var loss: any Loss { heads[0].loss }
  /// The first output's metrics as given to `compile`.
  var metricSpecifiers: [MetricSpecifier] { heads[0].metricSpecifiers }
  /// The first output's weighted metrics as given to `compile`.
  var weightedMetricSpecifiers: [MetricSpecifier] { heads[0].weightedMetricSpecifiers }
  /// The first output's resolved metrics.
  var metrics: [any Metric]? {
    get { heads[0].metrics }
    set { heads[0].metrics = newValue }
  }
  /// The first output's resolved weighted metrics.
  var weightedMetrics: [any Metric]? {
    get { heads[0].weightedMetrics }
    set { heads[0].weightedMetrics = newValue }
  }
}

/// The losses of a model's outputs as `compile(loss:)` takes them, as Keras does: one loss for
/// every output (`"mse"`), a list in output order (`["mse", "binary_crossentropy"]`) or a
/// dictionary by output name (`["price": "mse", "churn": "binary_crossentropy"]`).
public struct OutputLosses: ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
  enum Form {
    case all(any Loss)
    case list([any Loss])
    case byName([(String, any Loss)])
  }
  let form: Form
  /// The first unknown loss name, reported by `compile`.
  let error: (any Error)?

  /// One loss for every output.
  public init(_ loss: any Loss) {
    form = .all(loss)
    error = nil
  }

  /// One loss per output, in output order.
  public init(_ losses: [any Loss]) {
    form = .list(losses)
    error = nil
  }

  /// One loss per output, by output name.
  public init(_ losses: [String: any Loss]) {
    form = .byName(losses.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    error = nil
  }

  /// One loss by Keras name for every output.
  public init(stringLiteral name: String) {
    do {
      form = .all(try Keras.loss(named: name))
      error = nil
    } catch let failure {
      form = .list([])
      error = failure
    }
  }

  /// Losses by Keras name, in output order.
  public init(arrayLiteral names: String...) {
    do {
      form = .list(try names.map { try Keras.loss(named: $0) })
      error = nil
    } catch let failure {
      form = .list([])
      error = failure
    }
  }

  /// Losses by Keras name, keyed by output name.
  public init(dictionaryLiteral pairs: (String, String)...) {
    do {
      form = .byName(try pairs.map { ($0.0, try Keras.loss(named: $0.1)) })
      error = nil
    } catch let failure {
      form = .list([])
      error = failure
    }
  }
}

/// Per-output metrics for `compile(metrics:)`: one list for every output, or a dictionary of
/// lists by output name (`["out": ["accuracy"], "aux": ["accuracy"]]`).
public struct OutputMetrics: ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
  let shared: [MetricSpecifier]?
  let byName: [(String, [MetricSpecifier])]

  /// The same metrics for every output.
  public init(arrayLiteral metrics: MetricSpecifier...) {
    shared = metrics
    byName = []
  }

  /// Metrics by output name.
  public init(dictionaryLiteral pairs: (String, [MetricSpecifier])...) {
    shared = nil
    byName = pairs
  }

  /// Metrics by output name.
  init(byName pairs: [(String, [MetricSpecifier])]) {
    shared = nil
    byName = pairs
  }

  /// The same metrics for every output.
  public init(_ metrics: [MetricSpecifier]) {
    shared = metrics
    byName = []
  }
}

/// Per-output loss weights for `compile(lossWeights:)`: a list in output order or a dictionary
/// by output name (`["out": 1, "aux": 0.5]`).
public struct OutputLossWeights: ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
  let list: [Float]?
  let byName: [(String, Float)]

  /// Weights in output order.
  public init(arrayLiteral weights: Float...) {
    list = weights
    byName = []
  }

  /// Weights by output name.
  public init(dictionaryLiteral pairs: (String, Float)...) {
    list = nil
    byName = pairs
  }

  /// Weights in output order.
  init(list: [Float]) {
    self.list = list
    byName = []
  }

  /// Weights by output name.
  init(byName pairs: [(String, Float)]) {
    list = nil
    byName = pairs
  }
}

extension Model {
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
    guard outputCount == 1 else {
      try compile(
        optimizer: optimizer, loss: OutputLosses(loss), metrics: OutputMetrics(metrics),
        weightedMetrics: OutputMetrics(weightedMetrics))
      return
    }
    compiled = CompiledModel(
      optimizer: optimizer, loss: loss, metricSpecifiers: metrics, weightedMetricSpecifiers: weightedMetrics,
      metrics: nil, weightedMetrics: nil)
  }

  /// Configures a model with several outputs for training, as Keras' `compile` with
  /// per-output losses, `loss_weights` and metrics:
  ///
  /// ```swift
  /// try model.compile(
  ///   optimizer: "adam", loss: ["out": "binary_crossentropy", "aux": "sparse_categorical_crossentropy"],
  ///   lossWeights: ["out": 1, "aux": 0.5], metrics: ["out": ["accuracy"], "aux": ["accuracy"]])
  /// ```
  ///
  /// The total loss is the weighted sum of the outputs' losses (plus regularization); the logs
  /// hold it as `loss` and each output's unweighted loss and metrics as `<output>_loss`,
  /// `<output>_<metric>`, as Keras 3 names them.
  /// - Throws: ``KerasError/unknownName(kind:name:valid:)`` for an unknown loss or metric;
  ///   ``KerasError/invalidArgument(_:)`` for a list of the wrong length or a name that is not an output.
  public func compile(
    optimizer: String = "rmsprop", loss: OutputLosses, lossWeights: OutputLossWeights? = nil,
    metrics: OutputMetrics = [], weightedMetrics: OutputMetrics = []
  ) throws {
    try compile(
      optimizer: Keras.optimizer(named: optimizer), loss: loss, lossWeights: lossWeights, metrics: metrics,
      weightedMetrics: weightedMetrics)
  }

  /// Configures a model with several outputs for training, with an optimizer instance.
  public func compile(
    optimizer: Optimizer, loss: OutputLosses, lossWeights: OutputLossWeights? = nil, metrics: OutputMetrics = [],
    weightedMetrics: OutputMetrics = []
  ) throws {
    if let error = loss.error { throw error }
    let names = outputCount == 1 && outputs.isEmpty ? [""] : outputNames
    func perOutput<T>(_ what: String, list: [T]?, byName: [(String, T)], default value: T) throws -> [T] {
      if let list {
        guard list.count == names.count else {
          throw KerasError.invalidArgument(
            "compile: \(what) has \(list.count) entries for \(names.count) outputs (\(names.joined(separator: ", ")))")
        }
        return list
      }
      for (name, _) in byName where !names.contains(name) {
        throw KerasError.invalidArgument(
          "compile: \(what) names '\(name)', which is not an output; the outputs are \(names.joined(separator: ", "))")
      }
      return names.map { name in byName.first { $0.0 == name }?.1 ?? value }
    }
    let losses: [any Loss]
    switch loss.form {
    case .all(let one): losses = names.map { _ in one }
    case .list(let list): losses = try perOutput("loss", list: list, byName: [], default: list.first!)
    case .byName(let pairs):
      for name in names where !pairs.contains(where: { $0.0 == name }) {
        throw KerasError.invalidArgument("compile: loss has no entry for output '\(name)'")
      }
      losses = try perOutput("loss", list: nil, byName: pairs, default: pairs[0].1)
    }
    let weights = try perOutput("lossWeights", list: lossWeights?.list, byName: lossWeights?.byName ?? [], default: 1)
    let metricLists = try perOutput(
      "metrics", list: metrics.shared.map { shared in names.map { _ in shared } }, byName: metrics.byName, default: [])
    let weightedLists = try perOutput(
      "weightedMetrics", list: weightedMetrics.shared.map { shared in names.map { _ in shared } },
      byName: weightedMetrics.byName, default: [])
    for metric in (metricLists + weightedLists).flatMap({ $0 }) { try metric.validate() }
    let heads = names.indices.map { i in
      OutputHead(
        name: names[i], loss: losses[i], weight: weights[i], metricSpecifiers: metricLists[i],
        weightedMetricSpecifiers: weightedLists[i])
    }
    compiled = CompiledModel(optimizer: optimizer, heads: heads, lossWeightsGiven: lossWeights != nil)
  }

  /// The optimizer set by `compile`, if any.
  public var optimizer: Optimizer? { compiled?.optimizer }

  /// The loss set by `compile`, if any.
  public var loss: (any Loss)? { compiled?.loss }

  /// The compiled configuration, or an error saying `compile` is needed for `action`.
  func requireCompiled(_ action: String) throws -> CompiledModel {
    guard let compiled else {
      throw KerasError.notBuilt("\(Self.className) '\(name)': call compile(optimizer:loss:metrics:weightedMetrics:) before \(action)")
    }
    return compiled
  }
}
