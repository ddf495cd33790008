/// What one training or test step computed: the total loss (with regularization) and the predictions.
struct StepResult {
  let loss: Float
  /// One per model output.
  let predictions: [Tensor]
  /// Each output's unweighted loss (models with several outputs; empty otherwise).
  var outputLosses: [Float] = []

  init(loss: Float, predictions: Tensor) {
    self.loss = loss
    self.predictions = [predictions]
  }

  init(loss: Float, predictions: [Tensor], outputLosses: [Float]) {
    self.loss = loss
    self.predictions = predictions
    self.outputLosses = outputLosses
  }
}

extension Model {
  /// The forward pass of a model with one input and one output: the output and, when the last layer
  /// ends in a sigmoid or softmax, its logits (so cross-entropies use them, as Keras on TensorFlow).
  func forwardWithLogits(_ x: Tensor, training: Bool) throws -> (Tensor, OutputLogits?) {
    if graph == nil, !(self is Sequential) {
      return (try callAsFunction([x], training: training)[0], nil)
    }
    let result = try forward([x], training: training)
    return (result[0].output, result[0].logits)
  }
}

extension Sequential {
  /// The stack's forward pass (inference, training and evaluation): the output and, when the last layer
  /// ends in a sigmoid or softmax, its logits (so cross-entropies use them, as Keras on TensorFlow).
  func sequentialForward(_ x: Tensor, training: Bool) throws -> (Tensor, OutputLogits?) {
    if !training, let parts = rowParts(of: x) {
      if let result = try? forwardInParts(x, parts: parts) { return result }
      // A part failed: the whole batch again, for the error that names the batch's own shape.
    }
    return try forwardThroughLayers(x, mask: nil, training: training)
  }

  /// Into how many parts inference may split the rows of `x` (nil: not at all). Every built-in
  /// layer computes each row from that row alone at inference, so parts of a batch give that
  /// batch's rows; a layer defined outside SwiftKeras may look at its whole batch, and a model
  /// still being built, or read inside a gradient, runs as one.
  private func rowParts(of x: Tensor) -> Int? {
    guard x.rank >= 1, !ParallelParts.isRecordingGradients, isBuilt,
      layers.allSatisfy(\.computesRowsIndependentlyInInference)
    else { return nil }
    let parts = ParallelParts.count(rows: x.shape[0], minimumRows: 8)
    return parts > 1 ? parts : nil
  }

  /// Inference with the rows of `x` divided among the threads for the whole pass through the
  /// layers: the threads meet once per batch instead of once or twice per layer (the Performance
  /// article has what those waits cost), and the work between layers (Dense, copies) runs on both. The parts' outputs are joined in row order.
  private func forwardInParts(_ x: Tensor, parts: Int) throws -> (Tensor, OutputLogits?) {
    let rows = x.shape[0]
    let slices = try (0..<parts).map { try x.slice(axis: 0, (($0 * rows) / parts)..<((($0 + 1) * rows) / parts)) }
    let results = PartResults(count: parts)
    let shared = UncheckedSendable((self, slices, results))
    ParallelParts.run(parts: parts) { part in
      let (model, slices, results) = shared.value
      results.set(part, Result { try model.forwardThroughLayers(slices[part], mask: nil, training: false) })
    }
    let outputs = try results.values.map { try $0.get() }
    let output = try Tensor.concatenate(outputs.map(\.0), axis: 0)
    let logits = outputs.compactMap(\.1)
    guard let first = logits.first, logits.count == parts else { return (output, nil) }
    return (output, OutputLogits(activation: first.activation, values: try Tensor.concatenate(logits.map(\.values), axis: 0)))
  }

  /// The layers one after another on `x` (the last one's logits kept for the loss).
  func forwardThroughLayers(_ x: Tensor, mask: Tensor?, training: Bool) throws -> (Tensor, OutputLogits?) {
    var h = x
    var mask = mask
    var logits: OutputLogits? = nil
    for (i, layer) in layers.enumerated() {
      if i == layers.count - 1 {
        // callReturningLogits bypasses Layer.callAsFunction, so check and build here.
        try layer.checkInput(h.shape.map { $0 })
        try layer.buildIfNeeded([nil] + h.shape.dropFirst().map { $0 })
        let (output, outputLogits) = try layer.callReturningLogits(layer.castInput(h), mask: mask, training: training)
        (h, logits) = (layer.castOutput(output), layer.castOutput(outputLogits))
      } else {
        let output = try layer(h, mask: mask, training: training)
        mask = try layer.computeMask(h, mask: mask)
        h = output
      }
    }
    return (h, logits)
  }
}

extension Model {
  /// The sum of every layer's regularization penalty (0 when none).
  func regularizationLoss() throws -> Tensor {
    try regularizationLosses.reduce(Tensor(0)) { try $0 + $1 }
  }

  /// The total loss of a batch: the weighted sum of the outputs' losses plus regularization,
  /// with the outputs' predictions and their unweighted losses.
  func totalLoss(_ compiled: CompiledModel, _ batch: TrainingData, training: Bool) throws -> (
    loss: Tensor, predictions: [Tensor], outputLosses: [Tensor]
  ) {
    let results: [(output: Tensor, logits: OutputLogits?)]
    if batch.xs.count == 1 && compiled.heads.count == 1 {
      let (output, logits) = try forwardWithLogits(batch.xs[0], training: training)
      results = [(output, logits)]
    } else {
      results = try forward(batch.xs, training: training)
    }
    var total: Tensor? = nil
    var outputLosses: [Tensor] = []
    for (i, head) in compiled.heads.enumerated() {
      let value = try head.loss(batch.ys[i], results[i].output, sampleWeight: batch.sampleWeights[i], logits: results[i].logits)
      outputLosses.append(value)
      let weighted = head.weight == 1 ? value : value * head.weight
      total = try total.map { try $0 + weighted } ?? weighted
    }
    let loss = try total! + regularizationLoss()
    return (loss, results.map(\.output), outputLosses)
  }

  /// The gradients of the batch loss for every trainable weight, in ``trainableWeights`` order, from
  /// one backward pass. Separate from ``applyGradients(_:)`` so gradients can be combined across
  /// processes (data-parallel training) in between.
  public func computeGradients(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor? = nil) throws -> (
    loss: Float, gradients: [Tensor]
  ) {
    try computeGradients([x], [y], sampleWeights: [sampleWeight])
  }

  /// ``computeGradients(_:_:sampleWeight:)`` for a model with several inputs or outputs: one
  /// array per input and per output, in order; `sampleWeights` one per output (or one for all).
  public func computeGradients(_ x: [Tensor], _ y: [Tensor], sampleWeights: [Tensor?] = []) throws -> (
    loss: Float, gradients: [Tensor]
  ) {
    let step = try gradientStep(x, y, sampleWeights: sampleWeights, onGradient: nil)
    return (step.result.loss, step.gradients)
  }

  /// ``computeGradients(_:_:sampleWeight:)`` that also returns the batch's predictions from the same
  /// (training-mode) forward pass, for metrics computed outside `fit` (data-parallel training), for a
  /// model with one input and one output.
  ///
  /// `onGradient`, when given, is called during the backward pass with the index (in
  /// ``trainableWeights``) and the gradient of each weight as soon as that gradient is complete,
  /// the last layers' first, so that sending gradients to other processes overlaps the rest of the
  /// pass. A weight the loss does not depend on is not reported (its gradient is zero).
  public func computeGradientsAndPredictions(
    _ x: Tensor, _ y: Tensor, sampleWeight: Tensor? = nil, onGradient: ((Int, Tensor) throws -> Void)? = nil
  ) throws -> (loss: Float, gradients: [Tensor], predictions: Tensor) {
    let step = try gradientStep([x], [y], sampleWeights: [sampleWeight], onGradient: onGradient)
    return (step.result.loss, step.gradients, step.result.predictions[0])
  }

  /// The loss (with regularization) and predictions of a batch in inference mode, as `evaluate`
  /// computes them (Keras' `test_step` before the metrics), for a model with one input and one output.
  public func computeLossAndPredictions(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor? = nil) throws -> (
    loss: Float, predictions: Tensor
  ) {
    let compiled = try requireCompiled("computeLossAndPredictions")
    let result = try testStep(compiled, TrainingData(xs: [x], ys: [y], sampleWeights: [sampleWeight]))
    return (result.loss, result.predictions[0])
  }

  /// One gradient step for the public entry points: checks the model is compiled, spreads the
  /// sample weights over the outputs, and keeps the gradients' row slices for ``applyGradients(_:)``.
  private func gradientStep(
    _ x: [Tensor], _ y: [Tensor], sampleWeights: [Tensor?], onGradient: ((Int, Tensor) throws -> Void)?
  ) throws -> (result: StepResult, gradients: [Tensor], sparse: [[SparseRows]?]) {
    let compiled = try requireCompiled("computeGradients")
    let weights = sampleWeights.isEmpty ? y.map { _ in nil } : sampleWeights.count == 1 ? y.map { _ in sampleWeights[0] } : sampleWeights
    let step = try gradientStep(compiled, TrainingData(xs: x, ys: y, sampleWeights: weights), onGradient: onGradient)
    trainer?.sparseGradients = zip(step.gradients, step.sparse).compactMap { gradient, slices in
      slices.map { (gradient.storageIdentity, $0) }
    }
    return step
  }

  /// Applies gradients (in ``trainableWeights`` order) with the compiled optimizer.
  ///
  /// Gradients passed on unchanged from ``computeGradients(_:_:sampleWeight:)`` keep their row
  /// slices (an Embedding's gradient is TensorFlow's `IndexedSlices`), so the step is the one
  /// `fit` takes; a gradient that was changed or combined counts as dense, as in TensorFlow.
  public func applyGradients(_ gradients: [Tensor]) throws {
    let compiled = try requireCompiled("applyGradients")
    let sparse = gradients.map { gradient in
      trainer?.sparseGradients.first { $0.storage == gradient.storageIdentity }?.slices
    }
    try compiled.optimizer.apply(gradients, sparse: sparse, to: trainableWeights)
    trainer?.sparseGradients = []
  }

  func gradientStep(
    _ compiled: CompiledModel, _ batch: TrainingData, onGradient: ((Int, Tensor) throws -> Void)? = nil
  ) throws -> (result: StepResult, gradients: [Tensor], sparse: [[SparseRows]?]) {
    var predictions: [Tensor] = []
    var outputLosses: [Float] = []
    let (loss, gradients, sparse) = try valueWithSparseGradient(for: trainableWeights, finished: onGradient) {
      let (loss, yPred, perOutput) = try totalLoss(compiled, batch, training: true)
      predictions = yPred.map { $0.detached() }
      outputLosses = perOutput.count > 1 ? perOutput.map(\.scalar) : []
      return loss
    }
    return (StepResult(loss: loss.scalar, predictions: predictions, outputLosses: outputLosses), gradients, sparse)
  }

  /// One optimizer step on a batch; returns the loss and predictions for the metrics.
  func trainStep(_ compiled: CompiledModel, _ batch: TrainingData) throws -> StepResult {
    let (result, gradients, sparse) = try gradientStep(compiled, batch)
    try compiled.optimizer.apply(gradients, sparse: sparse, to: trainableWeights)
    return result
  }

  /// The loss and predictions of a batch in inference mode.
  func testStep(_ compiled: CompiledModel, _ batch: TrainingData) throws -> StepResult {
    let (loss, yPred, perOutput) = try totalLoss(compiled, batch, training: false)
    return StepResult(loss: loss.scalar, predictions: yPred, outputLosses: perOutput.count > 1 ? perOutput.map(\.scalar) : [])
  }
}

/// Each part's result of a parallel pass, in a slot of its own that only that part's thread writes.
private final class PartResults: @unchecked Sendable {
  typealias Outcome = Result<(Tensor, OutputLogits?), any Error>
  private let slots: UnsafeMutablePointer<Outcome?>
  private let count: Int

  init(count: Int) {
    self.count = count
    slots = .allocate(capacity: count)
    slots.initialize(repeating: nil, count: count)
  }

  deinit {
    slots.deinitialize(count: count)
    slots.deallocate()
  }

  func set(_ part: Int, _ outcome: Outcome) { slots[part] = outcome }

  /// The outcomes in part order (read after every part is done).
  var values: [Outcome] { (0..<count).map { slots[$0] ?? .failure(KerasError.invalidArgument("part \($0) did not run")) } }
}

/// A value handed to the threads of a parallel pass, each of which only reads it.
private struct UncheckedSendable<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}

