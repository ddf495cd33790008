import Foundation
import Keras

/// Data-parallel training over MPI, as Keras 3's `keras.distribution.DataParallel`: every process
/// (rank) holds the whole model and trains on its own shard of each global batch; gradients are
/// averaged across ranks every step, so every rank applies the same update and the weights stay
/// identical.
///
/// A training script becomes data-parallel with three lines (the import, the distribution, and
/// `fit` called through it) and runs unchanged on one process or, under `mpirun -np N program`, on
/// N processes on one machine or many:
///
/// ```swift
/// import KerasDistributed
/// let distribution = try DataParallel()   // MPI_Init; rank and size
/// let history = try distribution.fit(model, x, y, batchSize: 64, epochs: 10)  // was model.fit(x, y, ...)
/// ```
///
/// As in Keras' `DataParallel` (and unlike Horovod, where each worker's batch is its own and the
/// learning rate is scaled by the number of workers), `batchSize` is the **global** batch: with N
/// ranks each takes a contiguous `batchSize / N` of every batch of `batchSize` rows. The updates
/// are then those of one process training with `batchSize` on the same data, whatever N is, so a
/// script's hyperparameters do not change with the number of processes. Every rank passes the
/// whole dataset (as Keras' `auto_shard_dataset`) and picks its rows; shuffling draws the same
/// order on every rank.
///
/// At the start of `fit` the weights, the optimizer's state and the random generator's state are
/// broadcast from rank 0, so ranks that built or loaded their model differently start from rank
/// 0's. Each step: a forward and backward pass on the rank's shard; allreduces of the gradients,
/// each shard's weighted by its number of rows (an uneven last batch averages right), in buckets
/// started while the backward pass still runs; the same optimizer step on every rank; the
/// predictions gathered so that the metrics see the whole global batch, as in one process.
/// `History`, the logs passed to callbacks and the progress bar agree on every rank, so
/// EarlyStopping and ReduceLROnPlateau decide the same everywhere, and a stop asked on one rank
/// stops all. Only rank 0 prints progress and runs the callbacks that write files
/// (ModelCheckpoint, CSVLogger, BackupAndRestore).
///
/// Dropout draws from a generator of each rank and step (seeded from the broadcast state), so
/// shards do not share masks; a model with Dropout therefore trains like one process
/// statistically, not bit for bit. `BackupAndRestore` (with `saveFreq: .epoch`) restores on rank
/// 0, whose state goes to every rank: a job killed at any point continues from its last backup,
/// with the same or another number of ranks.
///
/// A rank that hangs makes the others end the job after `timeout`; a rank that dies or exits with
/// an error ends it at once (mpirun, or `MPI_Abort` at exit).
public final class DataParallel {
  /// This process's index in the job, `0 ..< size` (Horovod's `hvd.rank()`).
  public var rank: Int { communicator.rank }
  /// The number of processes training together (Keras' `num_processes`, Horovod's `hvd.size()`).
  public var size: Int { communicator.size }
  /// Whether this is rank 0, the one that prints and writes files.
  public var isChief: Bool { rank == 0 }

  let communicator: Communicator

  /// The time this rank spent exchanging gradients, losses and predictions in the last `fit`,
  /// `evaluate` or `predict` outside the backward pass, waiting for slower ranks included: the
  /// communication the overlap with the backward pass did not hide (the rest is computation).
  public private(set) var communicationTime: Duration = .zero

  /// Joins the MPI job this process was started in (`MPI_Init` on first use), or makes a job of
  /// one process when started without `mpirun`.
  ///
  /// - Parameters:
  ///   - timeout: how long a rank waits for the others at a step before it ends the whole job
  ///     with an error naming itself and the step (a rank that died or hangs): never a silent hang.
  ///   - bucketSize: the smallest group of gradients, in bytes, whose allreduce starts as soon as
  ///     the backward pass has finished them, last layers first, so that communication overlaps the
  ///     rest of the pass (PyTorch DistributedDataParallel's `bucket_cap_mb`). A model whose
  ///     gradients fit in one bucket sends them all after the pass; 0 always does.
  /// - Throws: ``DistributedError/mpi(_:)`` when MPI cannot start, ``DistributedError/invalidArgument(_:)``
  ///   for a negative `bucketSize`.
  public init(timeout: Duration = .seconds(300), bucketSize: Int = 1 << 18) throws {
    guard bucketSize >= 0 else {
      throw DistributedError.invalidArgument("DataParallel: bucketSize must not be negative, got \(bucketSize)")
    }
    communicator = try Communicator(timeout: timeout)
    bucketCapacity = bucketSize / MemoryLayout<Float>.size
  }

  /// The smallest gradient bucket, in floats (0: one bucket).
  let bucketCapacity: Int

  /// The rows of a global batch of `count` rows that `rank` trains on: a contiguous share,
  /// the first `count % size` ranks taking one row more. Empty when `count < size` for the last ranks.
  public func shard(of count: Int, rank: Int? = nil) -> Range<Int> {
    let r = rank ?? self.rank
    return (count * r / size)..<(count * (r + 1) / size)
  }

  // MARK: Broadcast

  /// Makes every rank's model equal rank 0's: the weights (trainable or not), the optimizer's
  /// state (built for the trainable weights first) and the random generator's state. Called by
  /// `fit`; call it yourself after loading or changing weights on rank 0 alone.
  ///
  /// - Throws: ``DistributedError/invalidArgument(_:)`` when the model is not built.
  public func broadcastState(of model: Model) throws {
    guard model.isBuilt else {
      throw DistributedError.invalidArgument(
        "broadcastState: model '\(model.name)' is not built: give an input shape or call it once")
    }
    try model.setWeights(broadcast(model.getWeights(), "the model's weights"))
    if let optimizer = model.optimizer {
      optimizer.build(model.trainableWeights)
      try optimizer.loadVariables(broadcast(optimizer.variablesForSaving.map(\.value), "the optimizer's state"))
    }
    var state = RandomGenerator.withCurrent { $0.state }
    state.withUnsafeMutableBytes { communicator.broadcast($0, "the random generator's state") }
    let generator = try RandomGenerator(state: state)
    RandomGenerator.withCurrent { $0 = generator }
  }

  /// Rank 0's values of `tensors` (same shapes on every rank), as one broadcast.
  func broadcast(_ tensors: [Tensor], _ what: String) throws -> [Tensor] {
    var flat = [Float]()
    flat.reserveCapacity(tensors.reduce(0) { $0 + $1.count })
    for tensor in tensors { tensor.withUnsafeBufferPointer { flat.append(contentsOf: $0) } }
    flat.withUnsafeMutableBytes { communicator.broadcast($0, what) }
    var offset = 0
    return try tensors.map { tensor in
      defer { offset += tensor.count }
      return try Tensor(shape: tensor.shape, scalars: Array(flat[offset..<(offset + tensor.count)]))
    }
  }

  // MARK: Training

  /// Trains `model` on `x`, `y` across every rank (`model.fit` made data-parallel); the
  /// arguments mean what they mean to `model.fit`,
  /// `batchSize` being the global batch (see ``DataParallel``). Every rank passes the same `x`, `y`.
  ///
  /// - Returns: the `History`, the same on every rank.
  /// - Throws: on every rank alike, before any weight changes: a model that is not compiled, a
  ///   batch size of 0, mismatched lengths, labels that do not fit the loss, and a
  ///   `BackupAndRestore` saving within epochs (`saveFreq: .batches`), not supported yet. An error
  ///   on one rank alone during training (the others would wait for it forever) ends the job,
  ///   naming the rank and the error.
  @discardableResult
  public func fit(
    _ model: Model, _ x: Tensor, _ y: Tensor, batchSize: Int = 32, epochs: Int = 1, verbose: Int = 1,
    callbacks: [any Callback] = [], validationSplit: Float = 0, validationData: (Tensor, Tensor)? = nil,
    shuffle: Bool = true, classWeight: [Int: Float]? = nil, sampleWeight: Tensor? = nil, initialEpoch: Int = 0
  ) throws -> History {
    try requireOneInputAndOutput(model, "fit")
    guard model.optimizer != nil, let loss = model.loss else {
      throw DistributedError.invalidArgument("fit: compile model '\(model.name)' before training it")
    }
    guard batchSize > 0, epochs >= 0, initialEpoch >= 0 else {
      throw DistributedError.invalidArgument(
        "fit: batchSize (\(batchSize)) must be positive, epochs (\(epochs)) and initialEpoch (\(initialEpoch)) "
          + "not negative")
    }
    guard validationSplit >= 0 && validationSplit < 1 else {
      throw DistributedError.invalidArgument("fit: validationSplit must be in [0, 1), got \(validationSplit)")
    }
    let backup = callbacks.lazy.compactMap { $0 as? BackupAndRestore }.first
    if let backup, backup.saveFreq != .epoch {
      throw DistributedError.unsupported(
        "fit: BackupAndRestore with saveFreq \(backup.saveFreq) (DataParallel backs up at the end of epochs: .epoch)")
    }
    var train = try Batches(x, y, sampleWeight: sampleWeight, classWeight: classWeight, name: "fit")
    var validation: Batches? = nil
    if let (vx, vy) = validationData {
      validation = try Batches(vx, vy, sampleWeight: nil, name: "fit: validationData")
    } else if validationSplit > 0 {
      let splitAt = Int((Float(train.count) * (1 - validationSplit)).rounded(.down))
      guard splitAt > 0 && splitAt < train.count else {
        throw DistributedError.invalidArgument(
          "fit: validationSplit \(validationSplit) of \(train.count) samples leaves no training or no validation data")
      }
      (train, validation) = (try train.rows(0..<splitAt), try train.rows(splitAt..<train.count))
    }
    // Builds the model and checks the labels against the loss on every rank alike, before any exchange.
    let probe = try model.computeLossAndPredictions(
      train.x.slice(axis: 0, 0..<min(2, train.count)), train.y.slice(axis: 0, 0..<min(2, train.count)))
    let tracker = try EpochTracker(
      model, yTrueShape: train.y.shape, yPredShape: probe.predictions.shape, lossName: loss.name)
    if let validation {
      _ = try model.computeLossAndPredictions(
        validation.x.slice(axis: 0, 0..<min(2, validation.count)),
        validation.y.slice(axis: 0, 0..<min(2, validation.count)))
    }
    let outputShape = Array(probe.predictions.shape.dropFirst())

    let steps = (train.count + batchSize - 1) / batchSize
    let history = History()
    let chiefOnly = callbacks.filter {
      !isChief && ($0 is ModelCheckpoint || $0 is CSVLogger || $0 is BackupAndRestore)
    }
    let hooks =
      callbacks.filter { callback in !chiefOnly.contains { $0 === callback } } + [history]
      + (verbose > 0 && isChief ? [ProgressBar()] : [])
    let params = TrainingParams(epochs: epochs, steps: steps, verbose: isChief ? verbose : 0)
    for hook in hooks {
      hook.setModel(model)
      hook.setParams(params)
    }
    model.stopTraining = false
    let step = StepExchange(communicator: communicator, outputShape: outputShape, bucketCapacity: bucketCapacity)
    defer { communicationTime = step.communicationTime }
    do {
      // Rank 0 restores a backup here (BackupAndRestore runs there alone), then everything it
      // holds goes to the other ranks: weights, optimizer state, generator, and the epoch to continue.
      hooks.forEach { $0.onTrainBegin(Logs()) }
      if agreeToStop(model, "the start of training") {
        throw DistributedError.invalidArgument(
          "fit: a callback stopped training before the first epoch (on rank 0: a backup BackupAndRestore "
            + "could not read?)")
      }
      try broadcastState(of: model)
      var epoch = try broadcast(backup?.restoredEpoch ?? initialEpoch, "the first epoch")
      var lastLogs = Logs()
      while epoch < epochs && !model.stopTraining {
        hooks.forEach { $0.onEpochBegin(epoch, Logs()) }
        tracker.reset()
        // The current generator is the same on every rank (broadcast, then drawn from alike):
        // it shuffles as model.fit does. Dropout draws instead from a generator of each rank
        // and step, seeded from the epoch's start state, so shards do not share masks and a
        // restored backup continues with the masks the uninterrupted run would have drawn.
        let epochState = RandomGenerator.withCurrent { $0.state }
        let order = shuffle ? RandomGenerator.withCurrent { $0.permutation(train.count) } : nil
        for batch in 0..<steps {
          hooks.forEach { $0.onTrainBatchBegin(batch, Logs()) }
          let range = (batch * batchSize)..<min((batch + 1) * batchSize, train.count)
          let global = try order.map { try train.rows(Array($0[range])) } ?? train.rows(range)
          let mine = try global.rows(shard(of: global.count))
          let result = try withRandomSeed(dropoutSeed(epochState, batch: batch)) {
            try step.train(model, mine, globalCount: global.count, what: "epoch \(epoch + 1), batch \(batch)")
          }
          try model.applyGradients(result.gradients)
          try tracker.add(loss: result.loss, predictions: result.predictions, of: global)
          let logs = tracker.logs()
          hooks.forEach { $0.onTrainBatchEnd(batch, logs) }
          if agreeToStop(model, "the stop decision after batch \(batch)") { break }
        }
        var logs = tracker.logs()
        if let validation {
          let validationLogs = try evaluate(
            model, validation, batchSize: batchSize, tracker: tracker, step: step, hooks: hooks)
          for (name, value) in validationLogs.entries { logs["val_" + name] = value }
          logs = Logs(logs.entries.map { ($0.name, $0.value) }.sorted { $0.0 < $1.0 })
        }
        for hook in hooks { hook.onEpochEnd(epoch, updating: &logs) }
        _ = agreeToStop(model, "the stop decision after epoch \(epoch + 1)")
        lastLogs = logs
        epoch += 1
      }
      hooks.forEach { $0.onTrainEnd(lastLogs) }
    } catch {
      communicator.abort("rank \(rank) of \(size) failed during fit: \(error)")
    }
    return history
  }

  /// Throws for a model with several inputs or outputs (Sequential, Functional and subclassed
  /// models with one of each train data-parallel; several are not supported yet).
  private func requireOneInputAndOutput(_ model: Model, _ action: String) throws {
    guard model.inputs.count <= 1, model.outputs.count <= 1 else {
      throw DistributedError.unsupported(
        "\(action): model '\(model.name)' has \(model.inputs.count) inputs and \(model.outputs.count) outputs; "
          + "DataParallel trains models with one input and one output so far")
    }
  }

  /// Rank 0's `value`.
  private func broadcast(_ value: Int, _ what: String) throws -> Int {
    var word = Int64(value)
    withUnsafeMutableBytes(of: &word) { communicator.broadcast($0, what) }
    return Int(word)
  }

  /// The seed of this rank's dropout generator for `batch` of the epoch whose generator started at `epochState`.
  private func dropoutSeed(_ epochState: [UInt64], batch: Int) -> UInt64 {
    (epochState + [UInt64(batch), UInt64(rank)]).reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ $1) &* 0x100_0000_01B3 }
  }

  /// Whether any rank's callbacks asked to stop; sets `model.stopTraining` on every rank if so.
  private func agreeToStop(_ model: Model, _ what: String) -> Bool {
    let stop = communicator.allreduceMax(model.stopTraining ? 1 : 0, what) != 0
    model.stopTraining = stop
    return stop
  }

  /// The loss and metrics of `data` in inference mode, its batches sharded across the ranks.
  private func evaluate(
    _ model: Model, _ data: Batches, batchSize: Int, tracker: EpochTracker, step: StepExchange,
    hooks: [any Callback]
  ) throws -> Logs {
    tracker.reset()
    let steps = (data.count + batchSize - 1) / batchSize
    hooks.forEach { $0.onTestBegin(Logs()) }
    for batch in 0..<steps {
      hooks.forEach { $0.onTestBatchBegin(batch, Logs()) }
      let global = try data.rows((batch * batchSize)..<min((batch + 1) * batchSize, data.count))
      let mine = try global.rows(shard(of: global.count))
      let result = try step.test(model, mine, globalCount: global.count, what: "validation batch \(batch)")
      try tracker.add(loss: result.loss, predictions: result.predictions, of: global)
      let logs = tracker.logs()
      hooks.forEach { $0.onTestBatchEnd(batch, logs) }
    }
    let logs = tracker.logs()
    hooks.forEach { $0.onTestEnd(logs) }
    return logs
  }

  /// The loss and metrics on `x`, `y` in inference mode (`model.evaluate` made data-parallel),
  /// `loss` first, then the rest by name, as `model.evaluate`: each rank evaluates its shard of
  /// every batch; the result is the same on every rank and equals one process's.
  ///
  /// - Throws: on every rank alike: a model that is not compiled, a batch size of 0, mismatched lengths.
  @discardableResult
  public func evaluate(
    _ model: Model, _ x: Tensor, _ y: Tensor, batchSize: Int = 32, sampleWeight: Tensor? = nil
  ) throws -> Logs {
    try requireOneInputAndOutput(model, "evaluate")
    guard let loss = model.loss else {
      throw DistributedError.invalidArgument("evaluate: compile model '\(model.name)' before evaluating it")
    }
    guard batchSize > 0 else {
      throw DistributedError.invalidArgument("evaluate: batchSize must be positive, got \(batchSize)")
    }
    let data = try Batches(x, y, sampleWeight: sampleWeight, name: "evaluate")
    let probe = try model.computeLossAndPredictions(
      data.x.slice(axis: 0, 0..<min(2, data.count)), data.y.slice(axis: 0, 0..<min(2, data.count)))
    let tracker = try EpochTracker(
      model, yTrueShape: data.y.shape, yPredShape: probe.predictions.shape, lossName: loss.name)
    let step = StepExchange(communicator: communicator, outputShape: Array(probe.predictions.shape.dropFirst()))
    defer { communicationTime = step.communicationTime }
    do {
      let logs = try evaluate(model, data, batchSize: batchSize, tracker: tracker, step: step, hooks: [])
      return Logs(logs.entries.filter { $0.name == "loss" } + logs.entries.filter { $0.name != "loss" })
    } catch {
      communicator.abort("rank \(rank) of \(size) failed during evaluate: \(error)")
    }
  }

  /// The predictions for `x` (`model.predict` made data-parallel): each rank predicts its shard of
  /// every batch; every rank returns all of them, in the order of `x`.
  ///
  /// - Throws: a batch size of 0 or an empty `x`, on every rank alike.
  public func predict(_ model: Model, _ x: Tensor, batchSize: Int = 32) throws -> Tensor {
    try requireOneInputAndOutput(model, "predict")
    guard batchSize > 0, x.rank >= 1, x.shape[0] > 0 else {
      throw DistributedError.invalidArgument(
        "predict: batchSize (\(batchSize)) must be positive and x (shape \(x.shape)) not empty")
    }
    let outputShape = Array(try model(x.slice(axis: 0, 0..<1), training: false).shape.dropFirst())
    let step = StepExchange(communicator: communicator, outputShape: outputShape)
    defer { communicationTime = step.communicationTime }
    let count = x.shape[0]
    var parts: [Tensor] = []
    do {
      for batch in 0..<((count + batchSize - 1) / batchSize) {
        let global = (batch * batchSize)..<min((batch + 1) * batchSize, count)
        let mine = shard(of: global.count)
        let local =
          mine.isEmpty
          ? nil
          : try model(
            x.slice(axis: 0, (global.lowerBound + mine.lowerBound)..<(global.lowerBound + mine.upperBound)),
            training: false)
        parts.append(try step.gather(local, globalCount: global.count, what: "predict batch \(batch)"))
      }
    } catch {
      communicator.abort("rank \(rank) of \(size) failed during predict: \(error)")
    }
    return try Tensor.concatenate(parts, axis: 0)
  }
}
