/// The running loss and metrics of an epoch or an evaluation, logged as Keras does.
struct EpochTracker {
  /// Per output: its metrics and weighted metrics, and its name (empty for a single output).
  var heads: [(name: String, metrics: [any Metric], weightedMetrics: [any Metric])]
  /// Keras tracks the loss with a float32 `Mean` weighted by batch size.
  var lossTotal: Float = 0
  var lossCount: Float = 0
  /// The outputs' unweighted losses (models with several outputs), summed per batch: Keras on
  /// TensorFlow weights each output's loss tracker by the batch size of a traced graph, which
  /// is unknown, so every batch counts once (a short last batch as much as a full one).
  var outputLossTotals: [Float]
  var batchCount: Float = 0

  init(metrics: [any Metric], weightedMetrics: [any Metric] = []) {
    self.init(heads: [("", metrics, weightedMetrics)])
  }

  init(heads: [(name: String, metrics: [any Metric], weightedMetrics: [any Metric])]) {
    self.heads = heads
    outputLossTotals = heads.map { _ in 0 }
    for head in heads { for m in head.metrics + head.weightedMetrics { m.reset() } }
  }

  /// A tracker of `compiled`'s resolved metrics.
  init(_ compiled: CompiledModel) {
    self.init(heads: compiled.heads.map { ($0.name, $0.metrics ?? [], $0.weightedMetrics ?? []) })
  }

  mutating func add(_ step: StepResult, labels: Tensor, sampleWeight: Tensor?) throws {
    try add(step, labels: [labels], sampleWeights: [sampleWeight])
  }

  mutating func add(_ step: StepResult, labels: [Tensor], sampleWeights: [Tensor?]) throws {
    let n = Float(labels[0].shape[0])
    lossTotal += step.loss * n
    lossCount += n
    batchCount += 1
    for (i, loss) in step.outputLosses.enumerated() where i < outputLossTotals.count { outputLossTotals[i] += loss }
    // `metrics` in Keras are unweighted; only `weighted_metrics` see sample (and class) weights.
    for (i, head) in heads.enumerated() {
      for m in head.metrics { try m.update(labels[i], step.predictions[i], sampleWeight: nil) }
      for m in head.weightedMetrics { try m.update(labels[i], step.predictions[i], sampleWeight: sampleWeights[i]) }
    }
  }

  /// The loss and metrics (named as ``MetricSpecifier/logNames(for:weighted:)`` names them,
  /// `<output>_` first for a model with several outputs, with `<output>_loss` each), sorted by
  /// name as Keras on TensorFlow returns them, each name prefixed by `prefix`.
  func logs(prefix: String = "") -> Logs {
    var entries: [(String, Float)] = []
    let several = heads.count > 1
    for (i, head) in heads.enumerated() {
      let names = MetricSpecifier.logNames(for: head.metrics, weighted: head.weightedMetrics)
      let outputPrefix = several ? head.name + "_" : ""
      entries += zip(names, head.metrics + head.weightedMetrics).map { (prefix + outputPrefix + $0, $1.result()) }
      if several { entries.append((prefix + outputPrefix + "loss", batchCount > 0 ? outputLossTotals[i] / batchCount : 0)) }
    }
    entries.append((prefix + "loss", lossCount > 0 ? lossTotal / lossCount : 0))
    return Logs(entries.sorted { $0.0 < $1.0 })
  }
}

/// Training data checked for consistency, with per-sample weights: one array per model input
/// and per model output.
struct TrainingData {
  let xs: [Tensor]
  let ys: [Tensor]
  /// Per output.
  let sampleWeights: [Tensor?]

  init(x: Tensor, y: Tensor, sampleWeight: Tensor?) {
    self.init(xs: [x], ys: [y], sampleWeights: [sampleWeight])
  }

  init(xs: [Tensor], ys: [Tensor], sampleWeights: [Tensor?]) {
    self.xs = xs
    self.ys = ys
    self.sampleWeights = sampleWeights
  }

  var x: Tensor { xs[0] }
  var y: Tensor { ys[0] }
  var sampleWeight: Tensor? { sampleWeights[0] }
  var count: Int { xs[0].shape[0] }

  /// Rows `indices` of every array.
  func rows(_ indices: [Int]) throws -> TrainingData {
    let picks = IntTensor(indices)
    return TrainingData(
      xs: try xs.map { try $0.gathering(picks, axis: 0) }, ys: try ys.map { try $0.gathering(picks, axis: 0) },
      sampleWeights: try sampleWeights.map { try $0?.gathering(picks, axis: 0) })
  }

  /// Rows `range` of every array (no copy of the order).
  func rows(_ range: Range<Int>) throws -> TrainingData {
    TrainingData(
      xs: try xs.map { try $0.slice(axis: 0, range) }, ys: try ys.map { try $0.slice(axis: 0, range) },
      sampleWeights: try sampleWeights.map { try $0?.slice(axis: 0, range) })
  }

  /// Checks shapes, naming them, and that every value is finite, before any training happens.
  /// `prefix` starts the arrays' names in errors (`"validationData."`).
  static func checked(
    _ x: Tensor, _ y: Tensor, sampleWeight: Tensor?, classWeight: [Int: Float]?, action: String, prefix: String = ""
  ) throws -> TrainingData {
    try checked([x], [y], sampleWeights: [sampleWeight], classWeight: classWeight, action: action, prefix: prefix)
  }

  /// The same for several inputs and outputs.
  static func checked(
    _ xs: [Tensor], _ ys: [Tensor], sampleWeights: [Tensor?], classWeight: [Int: Float]?, action: String,
    prefix: String = ""
  ) throws -> TrainingData {
    func label(_ base: String, _ i: Int, of count: Int) -> String { prefix + (count == 1 ? base : "\(base)[\(i)]") }
    guard let first = xs.first, !ys.isEmpty else {
      throw KerasError.invalidArgument("\(action): give at least one input array and one label array")
    }
    for (i, array) in xs.enumerated() where array.rank < 1 {
      throw KerasError.invalidArgument("\(action): \(label("x", i, of: xs.count)) needs a batch dimension, got shape \(array.shape)")
    }
    for (i, array) in ys.enumerated() where array.rank < 1 {
      throw KerasError.invalidArgument("\(action): \(label("y", i, of: ys.count)) needs a batch dimension, got shape \(array.shape)")
    }
    let n = first.shape[0]
    for (i, array) in xs.enumerated() where array.shape[0] != n {
      throw KerasError.invalidArgument(
        "\(action): the inputs hold different numbers of samples: \(label("x", 0, of: xs.count)) has shape "
          + "\(first.shape), \(label("x", i, of: xs.count)) has shape \(array.shape)")
    }
    for (i, array) in ys.enumerated() where array.shape[0] != n {
      let xName = xs.count == 1 ? "x" : "the inputs"
      throw KerasError.invalidArgument(
        "\(action): \(xName) and \(label("y", i, of: ys.count)) hold different numbers of samples: "
          + "\(label("x", 0, of: xs.count)) has shape \(first.shape), \(label("y", i, of: ys.count)) has shape \(array.shape)")
    }
    guard n > 0 else { throw KerasError.invalidArgument("\(action): the dataset is empty (x has shape \(first.shape))") }
    for (i, sampleWeight) in sampleWeights.enumerated() {
      if let sampleWeight, sampleWeight.shape != [n] {
        throw KerasError.invalidArgument(
          "\(action): \(label("sampleWeight", i, of: sampleWeights.count)) must have shape [\(n)] (one weight per sample), "
            + "got \(sampleWeight.shape)")
      }
    }
    for (i, array) in xs.enumerated() { try checkFinite(array, name: label("x", i, of: xs.count), action: action) }
    for (i, array) in ys.enumerated() { try checkFinite(array, name: label("y", i, of: ys.count), action: action) }
    for (i, weights) in sampleWeights.enumerated() {
      if let weights { try checkFinite(weights, name: label("sampleWeight", i, of: sampleWeights.count), action: action) }
    }
    var weights = sampleWeights
    if let classWeight {
      if let bad = classWeight.first(where: { !$0.value.isFinite }) {
        throw KerasError.invalidArgument("\(action): classWeight of class \(bad.key) is \(bad.value), not a finite number")
      }
      guard sampleWeights.allSatisfy({ $0 == nil }) else {
        throw KerasError.invalidArgument("\(action): give either classWeight or sampleWeight, not both (as Keras)")
      }
      guard ys.count == 1 else {
        throw KerasError.invalidArgument(
          "\(action): classWeight is only supported for models with a single output (as Keras); use sampleWeight")
      }
      weights = [try classWeights(classWeight, labels: ys[0])]
    }
    return TrainingData(xs: xs, ys: ys, sampleWeights: weights)
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
  ///   not fit the loss, an input whose shape the model does not take (naming both shapes), an
  ///   empty dataset, a batch size of 0, or a model that is not compiled;
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
    try fit(
      [x], [y], batchSize: batchSize, epochs: epochs, verbose: verbose, callbacks: callbacks,
      validationSplit: validationSplit, validationData: validationData.map { ([$0.0], [$0.1]) }, shuffle: shuffle,
      classWeight: classWeight, sampleWeight: sampleWeight.map { [$0] }, initialEpoch: initialEpoch)
  }

  /// Trains a model with several inputs or outputs: `x` one array per model input and `y` one
  /// per output, in ``Model/inputs`` and ``Model/outputs`` order; `sampleWeight` one array per
  /// output, or one for all of them. Otherwise as ``fit(_:_:batchSize:epochs:verbose:callbacks:validationSplit:validationData:shuffle:classWeight:sampleWeight:initialEpoch:)-(Tensor,Tensor,_,_,_,_,_,_,_,_,_,_)``;
  /// the logs hold `loss` (the weighted total) and `<output>_loss`, `<output>_<metric>` per output.
  @discardableResult
  public func fit(
    _ x: [Tensor], _ y: [Tensor], batchSize: Int = 32, epochs: Int = 1, verbose: Int = 1, callbacks: [any Callback] = [],
    validationSplit: Float = 0, validationData: ([Tensor], [Tensor])? = nil, shuffle: Bool = true,
    classWeight: [Int: Float]? = nil, sampleWeight: [Tensor]? = nil, initialEpoch: Int = 0
  ) throws -> History {
    var compiled = try requireCompiled("fit")
    guard batchSize > 0 else { throw KerasError.invalidArgument("fit: batchSize must be positive, got \(batchSize)") }
    guard epochs >= 0, initialEpoch >= 0 else {
      throw KerasError.invalidArgument("fit: epochs (\(epochs)) and initialEpoch (\(initialEpoch)) must not be negative")
    }
    guard validationSplit >= 0 && validationSplit < 1 else {
      throw KerasError.invalidArgument("fit: validationSplit must be in [0, 1), got \(validationSplit)")
    }
    let all = try checkedData(x, y, sampleWeight: sampleWeight, classWeight: classWeight, compiled: compiled, action: "fit")
    var train = all
    var validation: TrainingData? = nil
    if let (vx, vy) = validationData {
      validation = try checkedData(vx, vy, sampleWeight: nil, classWeight: nil, compiled: compiled, action: "fit", prefix: "validationData.")
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

    return try runFit(
      compiled, epochs: epochs, steps: (train.count + batchSize - 1) / batchSize, initialEpoch: initialEpoch,
      verbose: verbose, callbacks: callbacks,
      batches: { position in
        ArrayBatches(
          data: train, batchSize: batchSize,
          order: shuffle ? Self.shuffledOrder(train.count, drawnFrom: position.epochRandomState) : nil)
      },
      validate: { hooks in
        try validation.map { try self.runEvaluation(compiled, $0, batchSize: batchSize, hooks: hooks) }
      })
  }

  /// The epochs of `fit`, whatever holds the data: the callbacks' hooks, `steps` training steps an
  /// epoch (fewer when a callback stops training), the warning at the first loss that is not
  /// finite, the validation logs (`val_` names) after each epoch, and the start from a restored
  /// backup (``BackupAndRestore``) or `initialEpoch`.
  ///
  /// - Parameters:
  ///   - batches: the batches of the epoch about to start at `position`; called after the
  ///     epoch-begin hooks.
  ///   - validate: the validation logs of the epoch just trained, or `nil` without validation data.
  func runFit(
    _ compiled: CompiledModel, epochs: Int, steps: Int, initialEpoch: Int, verbose: Int, callbacks: [any Callback],
    batches: (_ position: TrainingPosition) throws -> any EpochBatches,
    validate: (_ hooks: CallbackList) throws -> Logs?
  ) throws -> History {
    let history = History()
    let hooks = CallbackList(
      callbacks + [history] + (verbose > 0 ? [ProgressBar()] : []), model: self,
      params: TrainingParams(epochs: epochs, steps: steps, verbose: verbose))
    self.compiled = compiled
    let trainer = self.trainer!
    trainer.beginRun()
    defer { trainer.callbackError = nil }
    hooks.each { $0.onTrainBegin(Logs()) }
    // A restored backup (BackupAndRestore) says where to continue, as Keras' `_initial_epoch`.
    var position = trainer.resumePosition ?? TrainingPosition(epoch: initialEpoch, batch: 0)
    trainer.resumePosition = nil
    var epoch = position.epoch
    var lastLogs = Logs()
    while epoch < epochs && !trainer.stopTraining {
      hooks.each { $0.onEpochBegin(epoch, Logs()) }
      var tracker = EpochTracker(compiled)
      let epochBatches = try batches(position)
      do {
        for step in position.batch..<Swift.max(steps, position.batch) {
          hooks.each { $0.onTrainBatchBegin(step, Logs()) }
          let batch = try epochBatches.batch(step)
          let result = try trainStep(compiled, batch)
          try tracker.add(result, labels: batch.ys, sampleWeights: batch.sampleWeights)
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
          if trainer.stopTraining { break }  // as Keras: a callback may end the epoch early
        }
      } catch {
        epochBatches.cancel()
        throw error
      }
      epochBatches.finish()
      var logs = tracker.logs()
      if let validationLogs = try validate(hooks) {
        for (name, value) in validationLogs.entries { logs["val_" + name] = value }
        logs = Logs(logs.entries.map { ($0.name, $0.value) }.sorted { $0.0 < $1.0 })
      }
      hooks.epochEnd(epoch, &logs)
      lastLogs = logs
      epoch += 1
      position = TrainingPosition(epoch: epoch, batch: 0)
    }
    hooks.each { $0.onTrainEnd(lastLogs) }
    if let error = trainer.callbackError { throw error }
    return history
  }

  /// Trains a model with several inputs and one output (`fit([x1, x2], y)` in Keras).
  @discardableResult
  public func fit(
    _ x: [Tensor], _ y: Tensor, batchSize: Int = 32, epochs: Int = 1, verbose: Int = 1, callbacks: [any Callback] = [],
    validationSplit: Float = 0, validationData: ([Tensor], Tensor)? = nil, shuffle: Bool = true,
    classWeight: [Int: Float]? = nil, sampleWeight: Tensor? = nil, initialEpoch: Int = 0
  ) throws -> History {
    try fit(
      x, [y], batchSize: batchSize, epochs: epochs, verbose: verbose, callbacks: callbacks,
      validationSplit: validationSplit, validationData: validationData.map { ($0.0, [$0.1]) }, shuffle: shuffle,
      classWeight: classWeight, sampleWeight: sampleWeight.map { [$0] }, initialEpoch: initialEpoch)
  }

  /// Trains a model with inputs and labels keyed by input and output names, as Keras takes
  /// dictionaries (`fit({"seq": ..., "meta": ...}, {"out": ..., "aux": ...})`).
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for a key that is not an input or output
  ///   name, or a missing one (listing the names).
  @discardableResult
  public func fit(
    _ x: [String: Tensor], _ y: [String: Tensor], batchSize: Int = 32, epochs: Int = 1, verbose: Int = 1,
    callbacks: [any Callback] = [], validationSplit: Float = 0, shuffle: Bool = true,
    sampleWeight: [String: Tensor]? = nil, initialEpoch: Int = 0
  ) throws -> History {
    try fit(
      try ordered(x, by: inputNames, what: "input", action: "fit"), try ordered(y, by: outputNames, what: "output", action: "fit"),
      batchSize: batchSize, epochs: epochs, verbose: verbose, callbacks: callbacks, validationSplit: validationSplit,
      shuffle: shuffle, sampleWeight: try sampleWeight.map { try ordered($0, by: outputNames, what: "output", action: "fit") },
      initialEpoch: initialEpoch)
  }

  /// The arrays of `values` in the order of `names`.
  func ordered(_ values: [String: Tensor], by names: [String], what: String, action: String) throws -> [Tensor] {
    for key in values.keys where !names.contains(key) {
      throw KerasError.invalidArgument(
        "\(action): '\(key)' is not an \(what) of model '\(name)'; its \(what)s are \(names.joined(separator: ", "))")
    }
    return try names.map { key in
      guard let value = values[key] else {
        throw KerasError.invalidArgument("\(action): no array for \(what) '\(key)' of model '\(name)'")
      }
      return value
    }
  }

  /// The data checked against the model: as many arrays as inputs and outputs, inputs of the
  /// shapes the model takes (the error names the user's shapes), every value finite.
  func checkedData(
    _ x: [Tensor], _ y: [Tensor], sampleWeight: [Tensor]?, classWeight: [Int: Float]?, compiled: CompiledModel,
    action: String, prefix: String = ""
  ) throws -> TrainingData {
    guard x.count == inputCount else {
      throw KerasError.invalidArgument(
        "\(action): model '\(name)' takes \(inputCount) input array(s) (\(inputNames.joined(separator: ", "))), got \(x.count)")
    }
    guard y.count == compiled.heads.count else {
      throw KerasError.invalidArgument(
        "\(action): model '\(name)' has \(compiled.heads.count) output(s) (\(outputNames.joined(separator: ", "))), "
          + "got \(y.count) label array(s)")
    }
    let weights: [Tensor?]
    switch sampleWeight?.count {
    case nil: weights = y.map { _ in nil }
    case 1?: weights = y.map { _ in sampleWeight![0] }
    case y.count?: weights = sampleWeight!
    default:
      throw KerasError.invalidArgument(
        "\(action): give one sampleWeight array per output (\(y.count)) or one for all, got \(sampleWeight!.count)")
    }
    let data = try TrainingData.checked(x, y, sampleWeights: weights, classWeight: classWeight, action: action, prefix: prefix)
    try checkInputShapes(data.xs, action: action)
    return data
  }

  /// Throws when an input array's shape does not fit the model, naming the user's full shape.
  func checkInputShapes(_ xs: [Tensor], action: String) throws {
    if let sequential = self as? Sequential, let expected = sequential.inputShape, let x = xs.first {
      let rankFits = x.rank == expected.count
      if !Model.accepts(x.shape, as: expected) {
        throw KerasError.invalidArgument(
          "\(action): model '\(name)' expects input of shape \(kerasShapeText(expected)), got x of shape "
            + "\(kerasShapeText(x.shape.map { $0 }))"
            + (rankFits ? "" : " (expected ndim=\(expected.count), found ndim=\(x.rank))"))
      }
    } else if graph != nil {
      for (i, (x, input)) in zip(xs, inputs).enumerated() { try checkModelInput(x, against: input, position: i) }
    }
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
    let predictions: [(output: Tensor, logits: OutputLogits?)]
    if probe.xs.count == 1 && compiled.heads.count == 1 {
      let (output, logits) = try forwardWithLogits(probe.xs[0], training: false)
      predictions = [(output, logits)]
    } else {
      predictions = try forward(probe.xs, training: false)
    }
    for (i, head) in compiled.heads.enumerated() {
      let (yPred, logits) = predictions[i]
      let labels = data.ys[i]
      let fullShape = [data.count] + yPred.shape.dropFirst()
      let label = compiled.heads.count == 1 ? "labels" : "labels of output '\(head.name)'"
      do {
        _ = try head.loss(probe.ys[i], yPred, sampleWeight: probe.sampleWeights[i], logits: logits)
      } catch {
        throw KerasError.invalidArgument(
          "\(label) of shape \(labels.shape) do not fit loss '\(head.loss.name)' for predictions of shape "
            + "\(fullShape): \(error)")
      }
      if let sparse = head.loss as? Losses.SparseCategoricalCrossentropy, let classes = yPred.shape.last {
        try sparse.checkLabels(labels, classes: classes)
      }
      if compiled.heads[i].metrics == nil {
        compiled.heads[i].metrics = try head.metricSpecifiers.map {
          try $0.resolve(yTrueShape: labels.shape, yPredShape: fullShape, lossName: head.loss.name)
        }
      }
      if compiled.heads[i].weightedMetrics == nil {
        compiled.heads[i].weightedMetrics = try head.weightedMetricSpecifiers.map {
          try $0.resolve(yTrueShape: labels.shape, yPredShape: fullShape, lossName: head.loss.name)
        }
      }
    }
    self.compiled = compiled
  }

  /// Loss and metrics over `data` in inference mode, calling the test hooks.
  func runEvaluation(_ compiled: CompiledModel, _ data: TrainingData, batchSize: Int, hooks: CallbackList) throws -> Logs {
    try runEvaluation(compiled, steps: (data.count + batchSize - 1) / batchSize, hooks: hooks) {
      ArrayBatches(data: data, batchSize: batchSize, order: nil)
    }
  }

  /// Loss and metrics over `steps` batches in inference mode, calling the test hooks; `batches`
  /// gives them after the test-begin hooks.
  func runEvaluation(
    _ compiled: CompiledModel, steps: Int, hooks: CallbackList, batches: () throws -> any EpochBatches
  ) throws -> Logs {
    var tracker = EpochTracker(compiled)
    hooks.each { $0.onTestBegin(Logs()) }
    let passBatches = try batches()
    do {
      for step in 0..<steps {
        hooks.each { $0.onTestBatchBegin(step, Logs()) }
        let batch = try passBatches.batch(step)
        try tracker.add(testStep(compiled, batch), labels: batch.ys, sampleWeights: batch.sampleWeights)
        let logs = tracker.logs()
        hooks.each { $0.onTestBatchEnd(step, logs) }
      }
    } catch {
      passBatches.cancel()
      throw error
    }
    passBatches.finish()
    let logs = tracker.logs()
    hooks.each { $0.onTestEnd(logs) }
    return logs
  }

  /// The loss and metrics on `x`, `y` in inference mode (`model.evaluate`), in a stable order:
  /// `loss` first, then the rest by name (`loss: 0.23 - accuracy: 0.91`); look values up by name
  /// (`scores["accuracy"]`).
  ///
  /// - Throws: like ``fit(_:_:batchSize:epochs:verbose:callbacks:validationSplit:validationData:shuffle:classWeight:sampleWeight:initialEpoch:)-(Tensor,Tensor,_,_,_,_,_,_,_,_,_,_)``, before any work.
  @discardableResult
  public func evaluate(
    _ x: Tensor, _ y: Tensor, batchSize: Int = 32, verbose: Int = 1, sampleWeight: Tensor? = nil,
    callbacks: [any Callback] = []
  ) throws -> Logs {
    try evaluate([x], [y], batchSize: batchSize, verbose: verbose, sampleWeight: sampleWeight.map { [$0] }, callbacks: callbacks)
  }

  /// ``evaluate(_:_:batchSize:verbose:sampleWeight:callbacks:)-(Tensor,Tensor,_,_,_,_)`` for a model with several inputs or outputs.
  @discardableResult
  public func evaluate(
    _ x: [Tensor], _ y: [Tensor], batchSize: Int = 32, verbose: Int = 1, sampleWeight: [Tensor]? = nil,
    callbacks: [any Callback] = []
  ) throws -> Logs {
    var compiled = try requireCompiled("evaluate")
    guard batchSize > 0 else { throw KerasError.invalidArgument("evaluate: batchSize must be positive, got \(batchSize)") }
    let data = try checkedData(x, y, sampleWeight: sampleWeight, classWeight: nil, compiled: compiled, action: "evaluate")
    try prepare(&compiled, with: data)
    let steps = (data.count + batchSize - 1) / batchSize
    let hooks = CallbackList(
      callbacks + (verbose > 0 ? [ProgressBar()] : []), model: self,
      params: TrainingParams(epochs: 1, steps: steps, verbose: verbose))
    return try runEvaluation(compiled, data, batchSize: batchSize, hooks: hooks).lossFirst
  }

  /// ``evaluate(_:_:batchSize:verbose:sampleWeight:callbacks:)-(Tensor,Tensor,_,_,_,_)`` for a model with several inputs and one output.
  @discardableResult
  public func evaluate(
    _ x: [Tensor], _ y: Tensor, batchSize: Int = 32, verbose: Int = 1, sampleWeight: Tensor? = nil,
    callbacks: [any Callback] = []
  ) throws -> Logs {
    try evaluate(x, [y], batchSize: batchSize, verbose: verbose, sampleWeight: sampleWeight.map { [$0] }, callbacks: callbacks)
  }

  /// One optimizer step on one batch (`model.train_on_batch`); metrics start afresh each call.
  /// Returns the loss and metrics by name.
  @discardableResult
  public func trainOnBatch(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor? = nil, classWeight: [Int: Float]? = nil) throws
    -> [String: Float]
  {
    var compiled = try requireCompiled("trainOnBatch")
    let data = try checkedData(
      [x], [y], sampleWeight: sampleWeight.map { [$0] }, classWeight: classWeight, compiled: compiled, action: "trainOnBatch")
    try prepare(&compiled, with: data)
    var tracker = EpochTracker(compiled)
    try tracker.add(trainStep(compiled, data), labels: data.ys, sampleWeights: data.sampleWeights)
    return tracker.logs().dictionary
  }

  /// The loss and metrics of one batch in inference mode (`model.test_on_batch`).
  public func testOnBatch(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor? = nil) throws -> [String: Float] {
    var compiled = try requireCompiled("testOnBatch")
    let data = try checkedData(
      [x], [y], sampleWeight: sampleWeight.map { [$0] }, classWeight: nil, compiled: compiled, action: "testOnBatch")
    try prepare(&compiled, with: data)
    var tracker = EpochTracker(compiled)
    try tracker.add(testStep(compiled, data), labels: data.ys, sampleWeights: data.sampleWeights)
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

extension Logs {
  /// The same entries with `loss` first, the rest in their order (Keras' `metrics_names` starts with `loss`).
  var lossFirst: Logs {
    Logs(entries.filter { $0.name == "loss" }.map { ($0.name, $0.value) } + entries.filter { $0.name != "loss" }.map { ($0.name, $0.value) })
  }
}
