/// Reading the compile settings stored with a model: `compile_config` of a `.keras` file and
/// `training_config` of a legacy `.h5` file (Keras 2 and 3), as `model.compile_from_config` does.
enum CompileConfigReading {
  /// The optimizer, loss, metrics and weighted metrics of `config`, ready for `compile`.
  ///
  /// - Throws: ``KerasError/unknownName(kind:name:valid:)`` for an optimizer, loss or metric
  ///   SwiftKeras does not have; ``KerasError/invalidArgument(_:)`` for a malformed entry.
  static func read(_ config: ConfigValue) throws -> (
    optimizer: Optimizer, loss: any Loss, metrics: [MetricSpecifier], weightedMetrics: [MetricSpecifier]
  ) {
    guard let optimizerValue = config["optimizer"] ?? config["optimizer_config"] else {
      throw KerasError.invalidArgument("compile config: no 'optimizer' or 'optimizer_config' entry")
    }
    guard let lossValue = config["loss"], lossValue != .null else {
      throw KerasError.invalidArgument("compile config: no 'loss' entry")
    }
    let optimizer = try self.optimizer(optimizerValue)
    let loss = try self.loss(lossValue)
    var metrics: [MetricSpecifier] = []
    try collectMetrics(config["metrics"] ?? .null, into: &metrics)
    var weightedMetrics: [MetricSpecifier] = []
    try collectMetrics(config["weighted_metrics"] ?? .null, into: &weightedMetrics)
    return (optimizer, loss, metrics, weightedMetrics)
  }

  /// The compile settings of a model with several outputs: the loss, `loss_weights`,
  /// `metrics` and `weighted_metrics` as one value for all outputs, a list in output order or
  /// a dictionary by output name, as Keras writes them.
  static func readPerOutput(_ config: ConfigValue, outputNames: [String]) throws -> (
    optimizer: Optimizer, loss: OutputLosses, lossWeights: OutputLossWeights?, metrics: OutputMetrics,
    weightedMetrics: OutputMetrics
  ) {
    guard let optimizerValue = config["optimizer"] ?? config["optimizer_config"] else {
      throw KerasError.invalidArgument("compile config: no 'optimizer' or 'optimizer_config' entry")
    }
    guard let lossValue = config["loss"], lossValue != .null else {
      throw KerasError.invalidArgument("compile config: no 'loss' entry")
    }
    let optimizer = try self.optimizer(optimizerValue)
    let loss: OutputLosses
    switch lossValue {
    case .array(let items): loss = OutputLosses(try items.map { try self.loss($0) })
    case .object(let pairs) where lossValue["class_name"] == nil:
      loss = OutputLosses(Dictionary(try pairs.map { ($0.0, try self.loss($0.1)) }, uniquingKeysWith: { a, _ in a }))
    default: loss = OutputLosses(try self.loss(lossValue))
    }
    var lossWeights: OutputLossWeights? = nil
    switch config["loss_weights"] {
    case .array(let items)?: lossWeights = OutputLossWeights(list: items.map { Float(ConfigReader.number($0) ?? 1) })
    case .object(let pairs)?: lossWeights = OutputLossWeights(byName: pairs.map { ($0.0, Float(ConfigReader.number($0.1) ?? 1)) })
    default: break
    }
    func perOutputMetrics(_ value: ConfigValue?) throws -> OutputMetrics {
      switch value {
      case .object(let pairs)? where value?["class_name"] == nil:
        return OutputMetrics(byName: try pairs.map { name, item in
          var metrics: [MetricSpecifier] = []
          try collectMetrics(item, into: &metrics)
          return (name, metrics)
        })
      case .array(let items)? where items.contains(where: { if case .array = $0 { return true } else { return false } }):
        return OutputMetrics(byName: try zip(outputNames, items).map { name, item in
          var metrics: [MetricSpecifier] = []
          try collectMetrics(item, into: &metrics)
          return (name, metrics)
        })
      default:
        var metrics: [MetricSpecifier] = []
        try collectMetrics(value ?? .null, into: &metrics)
        return OutputMetrics(metrics)
      }
    }
    return (optimizer, loss, lossWeights, try perOutputMetrics(config["metrics"]), try perOutputMetrics(config["weighted_metrics"]))
  }

  /// An optimizer from a name (`"adam"`) or a serialized optimizer (`{"class_name": "Adam",
  /// "config": {...}}`, Keras 2 or 3), with its learning rate and hyperparameters.
  static func optimizer(_ value: ConfigValue) throws -> Optimizer {
    if case .string(let name) = value { return try Keras.optimizer(named: name) }
    let wrapper = try ConfigReader(value, owner: "optimizer")
    // tf.keras 2.11+ writes its optimizers as `Custom>Adam`.
    var className = try wrapper.string("class_name")
    if className.hasPrefix("Custom>") { className.removeFirst("Custom>".count) }
    let reader = try ConfigReader(wrapper.value("config") ?? .object([]), owner: "optimizer '\(className)'")
    var learningRate: LearningRate
    switch reader.value("learning_rate") ?? reader.value("lr") {
    case nil, .null?: learningRate = 0.001
    case let value?:
      if let rate = ConfigReader.number(value) {
        learningRate = .constant(rate)
      } else {
        do {
          learningRate = .schedule(try ScheduleReading.schedule(value))
        } catch {
          throw reader.nested("learning_rate", error)
        }
      }
    }
    learningRate = try applyingKeras2Decay(reader, to: learningRate)
    let weightDecay = try optionalFloat(reader, "weight_decay")
    let clipnorm = try optionalFloat(reader, "clipnorm")
    let clipvalue = try optionalFloat(reader, "clipvalue")
    let globalClipnorm = try optionalFloat(reader, "global_clipnorm")
    try Optimizer.checkClipping(clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    let name = try reader.optionalString("name")
    guard let optimizerClass = OptimizerClass.named(className) else {
      throw KerasError.unknownName(kind: "optimizer", name: className, valid: optimizerNames)
    }
    return try optimizerClass.make(
      SerializedOptimizer(
        reader: reader, learningRate: learningRate, weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue,
        globalClipnorm: globalClipnorm, name: name))
  }

  /// The learning rate of a Keras 2 optimizer config with its `decay` (Keras 2.0-2.3 and
  /// tf.keras' legacy optimizers, which Keras 2 files name): each step used
  /// `lr / (1 + decay · iterations)`, which is ``InverseTimeDecay`` with `decaySteps` 1. A
  /// `decay` of 0 changes nothing.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the optimizer and `decay` for a
  ///   negative decay, or a decay beside a learning-rate schedule (which SwiftKeras cannot compose).
  private static func applyingKeras2Decay(_ reader: ConfigReader, to learningRate: LearningRate) throws
    -> LearningRate
  {
    guard let decay = try optionalFloat(reader, "decay"), decay != 0 else { return learningRate }
    guard decay > 0 else {
      throw reader.invalid("decay", expected: "a decay of at least 0", got: .double(Double(decay)))
    }
    guard case .constant(let rate) = learningRate else {
      throw reader.unsupported(
        "decay", .double(Double(decay)), "Keras 2's decay cannot be combined with a learning-rate schedule here")
    }
    return .schedule(InverseTimeDecay(initialLearningRate: rate, decaySteps: 1, decayRate: decay))
  }

  /// A float that may be absent or null.
  private static func optionalFloat(_ reader: ConfigReader, _ key: String) throws -> Float? {
    guard let value = reader.value(key), value != .null else { return nil }
    return try reader.float(key)
  }

  /// A loss from a name (`"binary_crossentropy"`) or a serialized loss (`{"class_name":
  /// "BinaryCrossentropy", "config": {...}}`), with the settings Keras stores for it.
  static func loss(_ value: ConfigValue) throws -> any Loss {
    if case .string(let name) = value { return try Keras.loss(named: name) }
    let wrapper = try ConfigReader(value, owner: "loss")
    let className = try wrapper.string("class_name")
    if className == "function", case .string(let name)? = wrapper.value("config") { return try Keras.loss(named: name) }
    let reader = try ConfigReader(wrapper.value("config") ?? .object([]), owner: "loss '\(className)'")
    let name = try reader.optionalString("name")
    // A loss read by its class name takes its config's settings; other names give Keras' defaults.
    if let lossClass = LossClass.named(className), lossClass.className == className, let make = lossClass.make {
      return try make(reader, name)
    }
    return try Keras.loss(named: className)
  }

  /// The metrics of a `metrics` entry: names, serialized metrics (read by their `name`, as
  /// Keras 2's `MeanMetricWrapper` entries), and Keras 2's nested per-output lists.
  static func collectMetrics(_ value: ConfigValue, into metrics: inout [MetricSpecifier]) throws {
    switch value {
    case .null: return
    case .string(let name): metrics.append(MetricSpecifier(name))
    case .array(let items): for item in items { try collectMetrics(item, into: &metrics) }
    case .object:
      if case .string(let name)? = value["config"]?["name"] {
        metrics.append(MetricSpecifier(name))
      } else if case .string(let name)? = value["class_name"] {
        metrics.append(MetricSpecifier(name))
      } else {
        throw KerasError.invalidArgument("compile config: cannot read the metric \(value.json)")
      }
    default:
      throw KerasError.invalidArgument("compile config: cannot read the metric \(value.json)")
    }
  }
}
