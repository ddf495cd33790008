/// The running loss and metrics of an epoch or an evaluation, logged as Keras does.
struct EpochTracker {
  var metrics: [any Metric]
  /// `weighted_metrics`: updated with the sample (and class) weights.
  var weightedMetrics: [any Metric]
  /// Keras tracks the loss with a float32 `Mean` weighted by batch size.
  var lossTotal: Float = 0
  var lossCount: Float = 0

  init(metrics: [any Metric], weightedMetrics: [any Metric] = []) {
    self.metrics = metrics
    self.weightedMetrics = weightedMetrics
    for m in metrics + weightedMetrics { m.reset() }
  }

  /// A tracker of `compiled`'s resolved metrics.
  init(_ compiled: CompiledModel) {
    self.init(metrics: compiled.metrics ?? [], weightedMetrics: compiled.weightedMetrics ?? [])
  }

  mutating func add(_ step: StepResult, labels: Tensor, sampleWeight: Tensor?) throws {
    let n = Float(labels.shape[0])
    lossTotal += step.loss * n
    lossCount += n
    // `metrics` in Keras are unweighted; only `weighted_metrics` see sample (and class) weights.
    for m in metrics { try m.update(labels, step.predictions, sampleWeight: nil) }
    for m in weightedMetrics { try m.update(labels, step.predictions, sampleWeight: sampleWeight) }
  }

  /// The loss and metrics (named as ``MetricSpecifier/logNames(for:weighted:)`` names them),
  /// sorted by name as Keras on TensorFlow returns them, each name prefixed by `prefix`.
  func logs(prefix: String = "") -> Logs {
    let names = MetricSpecifier.logNames(for: metrics, weighted: weightedMetrics)
    var entries = zip(names, metrics + weightedMetrics).map { (prefix + $0, $1.result()) }
    entries.append((prefix + "loss", lossCount > 0 ? lossTotal / lossCount : 0))
    return Logs(entries.sorted { $0.0 < $1.0 })
  }
}

/// Training data checked for consistency, with per-sample weights.
struct TrainingData {
  let x: Tensor
  let y: Tensor
  let sampleWeight: Tensor?

  var count: Int { x.shape[0] }

  /// Rows `indices` of every array.
  func rows(_ indices: [Int]) throws -> TrainingData {
    let picks = IntTensor(indices)
    return TrainingData(
      x: try x.gathering(picks, axis: 0), y: try y.gathering(picks, axis: 0),
      sampleWeight: try sampleWeight?.gathering(picks, axis: 0))
  }

  /// Rows `range` of every array (no copy of the order).
  func rows(_ range: Range<Int>) throws -> TrainingData {
    TrainingData(
      x: try x.slice(axis: 0, range), y: try y.slice(axis: 0, range), sampleWeight: try sampleWeight?.slice(axis: 0, range))
  }

  /// Checks shapes, naming them, and that every value is finite, before any training happens.
  /// `prefix` starts the arrays' names in errors (`"validationData."`).
  static func checked(
    _ x: Tensor, _ y: Tensor, sampleWeight: Tensor?, classWeight: [Int: Float]?, action: String, prefix: String = ""
  ) throws -> TrainingData {
    guard x.rank >= 1, y.rank >= 1 else {
      throw KerasError.invalidArgument("\(action): x and y need a batch dimension, got shapes \(x.shape) and \(y.shape)")
    }
    guard x.shape[0] == y.shape[0] else {
      throw KerasError.invalidArgument(
        "\(action): x and y hold different numbers of samples: x has shape \(x.shape), y has shape \(y.shape)")
    }
    guard x.shape[0] > 0 else { throw KerasError.invalidArgument("\(action): the dataset is empty (x has shape \(x.shape))") }
    if let sampleWeight, sampleWeight.shape != [x.shape[0]] {
      throw KerasError.invalidArgument(
        "\(action): sampleWeight must have shape [\(x.shape[0])] (one weight per sample), got \(sampleWeight.shape)")
    }
    try checkFinite(x, name: prefix + "x", action: action)
    try checkFinite(y, name: prefix + "y", action: action)
    if let sampleWeight { try checkFinite(sampleWeight, name: prefix + "sampleWeight", action: action) }
    var weights = sampleWeight
    if let classWeight {
      if let bad = classWeight.first(where: { !$0.value.isFinite }) {
        throw KerasError.invalidArgument("\(action): classWeight of class \(bad.key) is \(bad.value), not a finite number")
      }
      guard sampleWeight == nil else {
        throw KerasError.invalidArgument("\(action): give either classWeight or sampleWeight, not both (as Keras)")
      }
      weights = try classWeights(classWeight, labels: y)
    }
    return TrainingData(x: x, y: y, sampleWeight: weights)
  }

  /// Throws when `array` (`[N, ...]`) holds a NaN or an infinity, naming the array, the first
  /// such row and the position within the row. One pass over the data, no copy.
  static func checkFinite(_ array: Tensor, name: String, action: String) throws {
    let bad = array.withUnsafeBufferPointer { values in values.firstIndex { !$0.isFinite } }
    guard let bad else { return }
    let value = array.withUnsafeBufferPointer { $0[bad] }
    var position = ""
    if array.rank >= 2 {
      var index: [Int] = []
      var rest = bad
      for size in array.shape.dropFirst().reversed() {
        index.insert(rest % size, at: 0)
        rest /= size
      }
      position = array.rank == 2 ? ", column \(index[0])" : ", position \(index) within the row"
    }
    let row = array.rank >= 1 ? bad / Swift.max(1, array.count / Swift.max(1, array.shape[0])) : 0
    throw KerasError.invalidArgument(
      "\(action): \(name) holds \(value) at row \(row)\(position) (shape \(array.shape)); "
        + "NaN and infinite values would turn the weights into NaN: clean or impute the data first")
  }

  /// Per-sample weights from per-class ones; the class of a sample is its label, or the argmax
  /// of a one-hot label. Classes without a weight get 1, as Keras.
  static func classWeights(_ classWeight: [Int: Float], labels: Tensor) throws -> Tensor {
    let classes: [Int]
    if labels.rank >= 2, labels.shape.last! > 1 {
      classes = try labels.argmax(axis: -1).scalars.map(Int.init)
    } else {
      classes = labels.scalars.map { Int($0.rounded()) }
    }
    guard classes.count == labels.shape[0] else {
      throw KerasError.invalidArgument("classWeight: labels of shape \(labels.shape) do not give one class per sample")
    }
    return Tensor(classes.map { classWeight[$0] ?? 1 })
  }
}

extension Model {
  /// Trains the model (`model.fit`): `epochs` passes over `x`, `y` in batches of `batchSize`.
  ///
  /// - `validationSplit` takes the last fraction of the rows (before any shuffling) as
  ///   validation data, as Keras; `validationData` gives it explicitly.
  /// - `shuffle` reshuffles the training rows each epoch with the current generator (the global
  ///   one, or that of a TensorCore `withRandomSeed(_:_:)` scope).
  /// - `classWeight` maps class indices to loss weights; `sampleWeight` `[N]` weights samples.
  /// - The last partial batch is kept. Dropout is active only here.
  /// - Returns: the ``History`` of per-epoch logs.
  /// - Throws: before any weight changes, on mismatched `x`/`y` lengths, labels whose shape does
  ///   not fit the loss, an empty dataset, a batch size of 0, or a model that is not compiled;
  ///   on a NaN or infinity in `x`, `y`, `sampleWeight` or `validationData` (naming the array
  ///   and the row); on a sparse label that is not a class id (naming the row).
  ///   A loss that becomes NaN or infinite does not throw: as Keras, training goes on; a warning
  ///   names the epoch and batch (unless ``TerminateOnNaN`` is among the callbacks, which stops
  ///   training there) and ``History/nonFiniteLoss`` records them.
  @discardableResult
  public func fit(
    _ x: Tensor, _ y: Tensor, batchSize: Int = 32, epochs: Int = 1, verbose: Int = 1, callbacks: [any Callback] = [],
    validationSplit: Float = 0, validationData: (Tensor, Tensor)? = nil, shuffle: Bool = true,
    classWeight: [Int: Float]? = nil, sampleWeight: Tensor? = nil, initialEpoch: Int = 0
  ) throws -> History {
    var compiled = try requireCompiled("fit")
    guard batchSize > 0 else { throw KerasError.invalidArgument("fit: batchSize must be positive, got \(batchSize)") }
    guard epochs >= 0, initialEpoch >= 0 else {
      throw KerasError.invalidArgument("fit: epochs (\(epochs)) and initialEpoch (\(initialEpoch)) must not be negative")
    }
    guard validationSplit >= 0 && validationSplit < 1 else {
      throw KerasError.invalidArgument("fit: validationSplit must be in [0, 1), got \(validationSplit)")
    }
    let all = try TrainingData.checked(x, y, sampleWeight: sampleWeight, classWeight: classWeight, action: "fit")
    var train = all
    var validation: TrainingData? = nil
    if let (vx, vy) = validationData {
      validation = try TrainingData.checked(
        vx, vy, sampleWeight: nil, classWeight: nil, action: "fit", prefix: "validationData.")
    } else if validationSplit > 0 {
      let splitAt = Int((Float(all.count) * (1 - validationSplit)).rounded(.down))
      guard splitAt > 0 && splitAt < all.count else {
        throw KerasError.invalidArgument(
          "fit: validationSplit \(validationSplit) of \(all.count) samples leaves no training or no validation data")
      }
      train = try all.rows(0..<splitAt)
      validation = try all.rows(splitAt..<all.count)
    }
    // Build, resolve metrics and check the label shapes against the loss before any weight changes.
    try prepare(&compiled, with: train)
    if let validation { try prepare(&compiled, with: validation) }

    let steps = (train.count + batchSize - 1) / batchSize
    let history = History()
    let hooks = CallbackList(
      callbacks + [history] + (verbose > 0 ? [ProgressBar()] : []), model: self,
      params: TrainingParams(epochs: epochs, steps: steps, verbose: verbose))
    stopTraining = false
    callbackError = nil
    defer { callbackError = nil }
    resumePosition = nil
    hooks.each { $0.onTrainBegin(Logs()) }
    // A restored backup (BackupAndRestore) says where to continue, as Keras' `_initial_epoch`.
    var position = resumePosition ?? TrainingPosition(epoch: initialEpoch, batch: 0)
    resumePosition = nil
    var epoch = position.epoch
    var lastLogs = Logs()
    while epoch < epochs && !stopTraining {
      hooks.each { $0.onEpochBegin(epoch, Logs()) }
      var tracker = EpochTracker(compiled)
      let order = shuffle ? Self.shuffledOrder(train.count, drawnFrom: position.epochRandomState) : nil
      for step in position.batch..<Swift.max(steps, position.batch) {
        hooks.each { $0.onTrainBatchBegin(step, Logs()) }
        let range = (step * batchSize)..<Swift.min((step + 1) * batchSize, train.count)
        let batch = try order.map { try train.rows(Array($0[range])) } ?? train.rows(range)
        let result = try trainStep(compiled, batch.x, batch.y, batch.sampleWeight)
        try tracker.add(result, labels: batch.y, sampleWeight: batch.sampleWeight)
        if !result.loss.isFinite, history.nonFiniteLoss == nil {
          history.nonFiniteLoss = (epoch, step)
          if !callbacks.contains(where: { $0 is TerminateOnNaN }) {
            FileHandleOutput.standardError(
              "Warning: the loss became \(result.loss) at epoch \(epoch + 1)/\(epochs), batch \(step) "
                + "(0-based); training goes on as in Keras, but the weights are likely NaN now. Add "
                + "TerminateOnNaN() to the callbacks to stop at the first such batch.\n")
          }
        }
        let logs = tracker.logs()
        hooks.each { $0.onTrainBatchEnd(step, logs) }
        if stopTraining { break }  // as Keras: a callback may end the epoch early
      }
      var logs = tracker.logs()
      if let validation {
        let validationLogs = try runEvaluation(compiled, validation, batchSize: batchSize, hooks: hooks)
        for (name, value) in validationLogs.entries { logs["val_" + name] = value }
        logs = Logs(logs.entries.map { ($0.name, $0.value) }.sorted { $0.0 < $1.0 })
      }
      hooks.epochEnd(epoch, &logs)
      lastLogs = logs
      epoch += 1
      position = TrainingPosition(epoch: epoch, batch: 0)
    }
    hooks.each { $0.onTrainEnd(lastLogs) }
    self.compiled = compiled
    if let callbackError { throw callbackError }
    return history
  }

  /// The order of an epoch's rows, drawn from the current generator; when resuming in the middle
  /// of an epoch, drawn again from the state it was first drawn from, leaving the current
  /// generator as it is.
  static func shuffledOrder(_ count: Int, drawnFrom epochRandomState: [UInt64]?) -> [Int] {
    RandomGenerator.withCurrent { current in
      guard let epochRandomState, var generator = try? RandomGenerator(state: epochRandomState) else {
        return current.permutation(count)
      }
      return generator.permutation(count)
    }
  }

  /// Builds the model for `data`, resolves the metrics on its shapes and runs the loss on a
  /// first batch so bad label shapes throw before training.
  func prepare(_ compiled: inout CompiledModel, with data: TrainingData) throws {
    let probe = try data.rows(0..<Swift.min(2, data.count))
    let (yPred, logits) = try forwardWithLogits(probe.x, training: false)
    do {
      _ = try compiled.loss(probe.y, yPred, sampleWeight: probe.sampleWeight, logits: logits)
    } catch {
      throw KerasError.invalidArgument(
        "labels of shape \(data.y.shape) do not fit loss '\(compiled.loss.name)' for predictions of shape "
          + "\([data.count] + yPred.shape.dropFirst()): \(error)")
    }
    if let sparse = compiled.loss as? Losses.SparseCategoricalCrossentropy, let classes = yPred.shape.last {
      try sparse.checkLabels(data.y, classes: classes)
    }
    if compiled.metrics == nil {
      compiled.metrics = try compiled.metricSpecifiers.map {
        try $0.resolve(yTrueShape: data.y.shape, yPredShape: yPred.shape, lossName: compiled.loss.name)
      }
    }
    if compiled.weightedMetrics == nil {
      compiled.weightedMetrics = try compiled.weightedMetricSpecifiers.map {
        try $0.resolve(yTrueShape: data.y.shape, yPredShape: yPred.shape, lossName: compiled.loss.name)
      }
    }
    self.compiled = compiled
  }

  /// Loss and metrics over `data` in inference mode, calling the test hooks.
  func runEvaluation(_ compiled: CompiledModel, _ data: TrainingData, batchSize: Int, hooks: CallbackList) throws -> Logs {
    var tracker = EpochTracker(compiled)
    let steps = (data.count + batchSize - 1) / batchSize
    hooks.each { $0.onTestBegin(Logs()) }
    for step in 0..<steps {
      hooks.each { $0.onTestBatchBegin(step, Logs()) }
      let batch = try data.rows((step * batchSize)..<Swift.min((step + 1) * batchSize, data.count))
      try tracker.add(testStep(compiled, batch.x, batch.y, batch.sampleWeight), labels: batch.y, sampleWeight: batch.sampleWeight)
      let logs = tracker.logs()
      hooks.each { $0.onTestBatchEnd(step, logs) }
    }
    let logs = tracker.logs()
    hooks.each { $0.onTestEnd(logs) }
    return logs
  }

  /// The loss and metrics on `x`, `y` in inference mode (`model.evaluate`), by name
  /// (`["accuracy": 0.91, "loss": 0.23]`).
  ///
  /// - Throws: like ``fit(_:_:batchSize:epochs:verbose:callbacks:validationSplit:validationData:shuffle:classWeight:sampleWeight:initialEpoch:)``, before any work.
  @discardableResult
  public func evaluate(
    _ x: Tensor, _ y: Tensor, batchSize: Int = 32, verbose: Int = 1, sampleWeight: Tensor? = nil,
    callbacks: [any Callback] = []
  ) throws -> [String: Float] {
    var compiled = try requireCompiled("evaluate")
    guard batchSize > 0 else { throw KerasError.invalidArgument("evaluate: batchSize must be positive, got \(batchSize)") }
    let data = try TrainingData.checked(x, y, sampleWeight: sampleWeight, classWeight: nil, action: "evaluate")
    try prepare(&compiled, with: data)
    let steps = (data.count + batchSize - 1) / batchSize
    let hooks = CallbackList(
      callbacks + (verbose > 0 ? [ProgressBar()] : []), model: self,
      params: TrainingParams(epochs: 1, steps: steps, verbose: verbose))
    return try runEvaluation(compiled, data, batchSize: batchSize, hooks: hooks).dictionary
  }

  /// One optimizer step on one batch (`model.train_on_batch`); metrics start afresh each call.
  /// Returns the loss and metrics by name.
  @discardableResult
  public func trainOnBatch(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor? = nil, classWeight: [Int: Float]? = nil) throws
    -> [String: Float]
  {
    var compiled = try requireCompiled("trainOnBatch")
    let data = try TrainingData.checked(x, y, sampleWeight: sampleWeight, classWeight: classWeight, action: "trainOnBatch")
    try prepare(&compiled, with: data)
    var tracker = EpochTracker(compiled)
    try tracker.add(trainStep(compiled, data.x, data.y, data.sampleWeight), labels: data.y, sampleWeight: data.sampleWeight)
    return tracker.logs().dictionary
  }

  /// The loss and metrics of one batch in inference mode (`model.test_on_batch`).
  public func testOnBatch(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor? = nil) throws -> [String: Float] {
    var compiled = try requireCompiled("testOnBatch")
    let data = try TrainingData.checked(x, y, sampleWeight: sampleWeight, classWeight: nil, action: "testOnBatch")
    try prepare(&compiled, with: data)
    var tracker = EpochTracker(compiled)
    try tracker.add(testStep(compiled, data.x, data.y, data.sampleWeight), labels: data.y, sampleWeight: data.sampleWeight)
    return tracker.logs().dictionary
  }

  /// The predictions for one batch in inference mode (`model.predict_on_batch`).
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the row when `x` holds a NaN or an infinity.
  public func predictOnBatch(_ x: Tensor) throws -> Tensor {
    try TrainingData.checkFinite(x, name: "x", action: "predictOnBatch")
    return try self(x, training: false)
  }
}
