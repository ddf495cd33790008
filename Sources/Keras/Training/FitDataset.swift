import TensorCore

/// How many batches of a ``Dataset`` an epoch, an evaluation or a prediction reads, and which.
struct DatasetPlan {
  /// Batches per pass.
  let steps: Int
  /// `nil` for an endless dataset (indices count up across epochs, as Keras' `itertools.count`).
  let batchCount: Int?
  /// Whether each epoch reads the batches in a new random order.
  let shuffle: Bool

  /// - Throws: ``KerasError/invalidArgument(_:)`` for an endless dataset without `steps`, a
  ///   dataset of no batches, or `steps` outside `1 ... batchCount`.
  init(_ dataset: any Dataset, steps: Int?, shuffle: Bool, action: String, argument: String) throws {
    let name = String(describing: type(of: dataset))
    if let steps, steps < 1 { throw KerasError.invalidArgument("\(action): \(argument) must be positive, got \(steps)") }
    if let count = dataset.batchCount {
      guard count > 0 else { throw KerasError.invalidArgument("\(action): the dataset \(name) has no batches") }
      if let steps, steps > count {
        throw KerasError.invalidArgument(
          "\(action): \(argument) is \(steps), but the dataset \(name) holds only \(count) batches")
      }
      self.steps = steps ?? count
    } else {
      guard let steps else {
        throw KerasError.invalidArgument(
          "\(action): the dataset \(name) is endless (batchCount is nil); give \(argument) (batches per "
            + (action == "fit" ? "epoch" : "pass") + ")")
      }
      self.steps = steps
    }
    batchCount = dataset.batchCount
    self.shuffle = shuffle && dataset.batchCount != nil && !dataset.readsInOrder
  }

  /// The batch indices of the `pass`-th pass (0-based) from batch `first` on; a shuffled order is
  /// drawn as `fit` draws its row order (from `epochRandomState` when resuming mid-epoch).
  func indices(pass: Int, from first: Int = 0, epochRandomState: [UInt64]? = nil) -> [Int] {
    guard let batchCount else { return Array((pass * steps + first)..<((pass + 1) * steps)) }
    let order = shuffle ? Model.shuffledOrder(batchCount, drawnFrom: epochRandomState) : Array(0..<batchCount)
    return Array(order[first..<steps])
  }
}

extension Model {
  /// Trains the model on the batches of `dataset` (`model.fit(py_dataset)`).
  ///
  /// Batches are prepared on a background thread while the previous one trains (up to
  /// `prefetch` waiting); the numbers are those of ``fit(_:_:batchSize:epochs:verbose:callbacks:validationSplit:validationData:shuffle:classWeight:sampleWeight:initialEpoch:)-(Tensor,Tensor,_,_,_,_,_,_,_,_,_,_)``
  /// over the same batches.
  ///
  /// - `shuffle` reads the batches of each epoch in a new order drawn from the current generator,
  ///   as Keras shuffles a `PyDataset`'s batch indices; it has no effect on an endless dataset or
  ///   one that ``Dataset/readsInOrder``.
  /// - `stepsPerEpoch` batches make an epoch: required for an endless dataset (whose indices then
  ///   count on across epochs, as in Keras), otherwise the first batches of each epoch's order.
  /// - `validationData` is evaluated after each epoch (`validationSteps` batches, all by default).
  /// - The dataset's ``Dataset/onEpochEnd()`` is called after each epoch's batches.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` before any training for an endless dataset
  ///   without `stepsPerEpoch`, or a first batch that does not fit the model (naming shapes);
  ///   ``DatasetError`` naming the dataset and the batch when `batch(at:)` throws, or a batch
  ///   holds arrays of different numbers of rows, a NaN or an infinity. No thread is left
  ///   running when `fit` returns or throws.
  @discardableResult
  public func fit(
    _ dataset: some Dataset, epochs: Int = 1, verbose: Int = 1, callbacks: [any Callback] = [],
    validationData: (any Dataset)? = nil, shuffle: Bool = true, initialEpoch: Int = 0, stepsPerEpoch: Int? = nil,
    validationSteps: Int? = nil, prefetch: Int = 2
  ) throws -> History {
    var compiled = try requireCompiled("fit")
    guard epochs >= 0, initialEpoch >= 0 else {
      throw KerasError.invalidArgument("fit: epochs (\(epochs)) and initialEpoch (\(initialEpoch)) must not be negative")
    }
    guard (1...64).contains(prefetch) else {
      throw KerasError.invalidArgument("fit: prefetch must be between 1 and 64 batches, got \(prefetch)")
    }
    let plan = try DatasetPlan(dataset, steps: stepsPerEpoch, shuffle: shuffle, action: "fit", argument: "stepsPerEpoch")
    let validationPlan = try validationData.map {
      try DatasetPlan($0, steps: validationSteps, shuffle: false, action: "fit", argument: "validationSteps")
    }
    let check = batchCheck(targets: compiled.heads.count, action: "fit")
    // Build, resolve metrics and check the label shapes on the first batch before any weight changes.
    try prepare(&compiled, with: try trainingData(readBatch(dataset, at: 0, check: check), action: "fit"))

    return try runFit(
      compiled, epochs: epochs, steps: plan.steps, initialEpoch: initialEpoch, verbose: verbose, callbacks: callbacks,
      batches: { position in
        let indices = plan.indices(
          pass: position.epoch - initialEpoch, from: position.batch, epochRandomState: position.epochRandomState)
        return DatasetBatches(self, dataset, indices: indices, prefetch: prefetch, check: check, action: "fit")
      },
      validate: { hooks in
        guard let validationData, let validationPlan else { return nil }
        return try self.runEvaluation(
          compiled, validationData, plan: validationPlan, hooks: hooks, prefetch: prefetch, check: check)
      })
  }

  /// The loss and metrics over the batches of `dataset` in inference mode (`model.evaluate(py_dataset)`),
  /// `loss` first; `steps` batches (all by default; required for an endless dataset).
  ///
  /// - Throws: as ``fit(_:epochs:verbose:callbacks:validationData:shuffle:initialEpoch:stepsPerEpoch:validationSteps:prefetch:)``.
  @discardableResult
  public func evaluate(
    _ dataset: some Dataset, steps: Int? = nil, verbose: Int = 1, callbacks: [any Callback] = [], prefetch: Int = 2
  ) throws -> Logs {
    var compiled = try requireCompiled("evaluate")
    let plan = try DatasetPlan(dataset, steps: steps, shuffle: false, action: "evaluate", argument: "steps")
    let check = batchCheck(targets: compiled.heads.count, action: "evaluate")
    try prepare(&compiled, with: try trainingData(readBatch(dataset, at: 0, check: check), action: "evaluate"))
    let hooks = CallbackList(
      callbacks + (verbose > 0 ? [ProgressBar()] : []), model: self,
      params: TrainingParams(epochs: 1, steps: plan.steps, verbose: verbose))
    return try runEvaluation(compiled, dataset, plan: plan, hooks: hooks, prefetch: prefetch, check: check).lossFirst
  }

  /// Predictions over the batches of `dataset` for a model with one output (`model.predict(py_dataset)`),
  /// the batches' rows in order; `steps` batches (all by default; required for an endless dataset).
  /// The batches' targets, if any, are ignored.
  ///
  /// - Throws: as ``fit(_:epochs:verbose:callbacks:validationData:shuffle:initialEpoch:stepsPerEpoch:validationSteps:prefetch:)``,
  ///   and for a model with several outputs (use ``predictOutputs(_:steps:verbose:callbacks:prefetch:)``).
  public func predict(
    _ dataset: some Dataset, steps: Int? = nil, verbose: Int = 1, callbacks: [any Callback] = [], prefetch: Int = 2
  ) throws -> Tensor {
    guard outputCount == 1 else {
      throw KerasError.invalidArgument(
        "predict: model '\(name)' has \(outputCount) outputs (\(outputNames.joined(separator: ", "))); "
          + "call predictOutputs(dataset), which returns one array per output")
    }
    return try predictOutputs(dataset, steps: steps, verbose: verbose, callbacks: callbacks, prefetch: prefetch)[0]
  }

  /// Predictions over the batches of `dataset`, one array per model output.
  ///
  /// - Throws: as ``predict(_:steps:verbose:callbacks:prefetch:)``.
  public func predictOutputs(
    _ dataset: some Dataset, steps: Int? = nil, verbose: Int = 1, callbacks: [any Callback] = [], prefetch: Int = 2
  ) throws -> [Tensor] {
    let plan = try DatasetPlan(dataset, steps: steps, shuffle: false, action: "predict", argument: "steps")
    let check = batchCheck(targets: nil, action: "predict")
    let hooks = CallbackList(
      callbacks + (verbose > 0 ? [ProgressBar()] : []), model: self,
      params: TrainingParams(epochs: 1, steps: plan.steps, verbose: verbose))
    hooks.each { $0.onPredictBegin(Logs()) }
    var batches: [[Tensor]] = []
    let prefetcher = BatchPrefetcher(dataset, indices: plan.indices(pass: 0), depth: prefetch, check: check)
    prefetcher.start()
    defer { prefetcher.stop() }
    for step in 0..<plan.steps {
      hooks.each { $0.onPredictBatchBegin(step, Logs()) }
      let inputs = try prefetcher.next().inputs
      if step == 0 { try checkInputShapes(inputs, action: "predict") }
      if inputs.count == 1 {
        batches.append(outputCount == 1 ? [try self(inputs[0], training: false)] : try self(inputs, training: false))
      } else {
        batches.append(try self(inputs, training: false))
      }
      hooks.each { $0.onPredictBatchEnd(step, Logs()) }
    }
    prefetcher.stop()
    dataset.onEpochEnd()
    hooks.each { $0.onPredictEnd(Logs()) }
    return try (0..<batches[0].count).map { output in
      let parts = batches.map { $0[output] }
      return parts.count == 1 ? parts[0] : try Tensor.concatenate(parts, axis: 0)
    }
  }

  /// Loss and metrics over a dataset's batches in inference mode, calling the test hooks.
  func runEvaluation(
    _ compiled: CompiledModel, _ dataset: any Dataset, plan: DatasetPlan, hooks: CallbackList, prefetch: Int,
    check: @escaping (DatasetBatch) throws -> DatasetBatch
  ) throws -> Logs {
    try runEvaluation(compiled, steps: plan.steps, hooks: hooks) {
      DatasetBatches(
        self, dataset, indices: plan.indices(pass: 0), prefetch: prefetch, check: check, action: "evaluate")
    }
  }

  /// The checks a batch passes on the prefetch thread: one array per model input and, when
  /// `targets` is given, per output; arrays of the same number of rows; finite values. Captures
  /// the model's counts only, so it runs off the training thread.
  func batchCheck(targets: Int?, action: String) -> (DatasetBatch) throws -> DatasetBatch {
    let inputCount = inputCount
    let inputNames = inputNames
    let modelName = name
    return { batch in
      guard batch.inputs.count == inputCount else {
        throw KerasError.invalidArgument(
          "model '\(modelName)' takes \(inputCount) input array(s) (\(inputNames.joined(separator: ", "))), "
            + "the batch holds \(batch.inputs.count)")
      }
      if let targets {
        guard batch.targets.count == targets else {
          throw KerasError.invalidArgument(
            "model '\(modelName)' has \(targets) output(s), the batch holds \(batch.targets.count) target array(s)"
              + (batch.targets.isEmpty ? " (a batch without targets only feeds predict)" : ""))
        }
        guard batch.sampleWeights.count == targets else {
          throw KerasError.invalidArgument(
            "the batch holds \(batch.sampleWeights.count) sampleWeights entries for \(targets) output(s); give one (or nil) per output")
        }
        _ = try TrainingData.checked(
          batch.inputs, batch.targets, sampleWeights: batch.sampleWeights, classWeight: nil, action: action)
      } else {
        for (i, x) in batch.inputs.enumerated() {
          guard x.rank >= 1, x.shape[0] > 0, x.shape[0] == batch.inputs[0].shape[0] else {
            throw KerasError.invalidArgument(
              "the inputs' shapes \(batch.inputs.map { "\($0.shape)" }.joined(separator: ", ")) do not hold the same (nonzero) number of rows")
          }
          try TrainingData.checkFinite(x, name: batch.inputs.count == 1 ? "x" : "x[\(i)]", action: action)
        }
      }
      return batch
    }
  }

  /// A checked batch as the training step takes it, its inputs checked against the model's shapes.
  func trainingData(_ batch: DatasetBatch, action: String) throws -> TrainingData {
    try checkInputShapes(batch.inputs, action: action)
    return TrainingData(xs: batch.inputs, ys: batch.targets, sampleWeights: batch.sampleWeights)
  }

  /// One batch read and checked on the calling thread (the probe `fit` builds the model with).
  func readBatch(_ dataset: any Dataset, at index: Int, check: (DatasetBatch) throws -> DatasetBatch) throws
    -> DatasetBatch
  {
    do {
      return try check(try dataset.batch(at: index))
    } catch {
      throw DatasetError(error, dataset: dataset, batchIndex: index)
    }
  }
}
