/// What one training or test step computed: the total loss (with regularization) and the predictions.
struct StepResult {
  let loss: Float
  let predictions: Tensor
}

extension Sequential {
  /// The model's one forward pass (inference, training and evaluation): the output and, when the last layer
  /// ends in a sigmoid or softmax, its logits (so cross-entropies use them, as Keras on TensorFlow).
  func forwardWithLogits(_ x: Tensor, training: Bool) throws -> (Tensor, OutputLogits?) {
    if !training, let parts = rowParts(of: x) {
      if let result = try? forwardInParts(x, parts: parts) { return result }
      // A part failed: the whole batch again, for the error that names the batch's own shape.
    }
    return try forwardThroughLayers(x, training: training)
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
  /// layers: the threads meet once per batch instead of once or twice per layer (forecast
  /// prediction spent 8% of its time in those waits), and the work between layers (Dense,
  /// copies) runs on both. The parts' outputs are joined in row order.
  private func forwardInParts(_ x: Tensor, parts: Int) throws -> (Tensor, OutputLogits?) {
    let rows = x.shape[0]
    let slices = try (0..<parts).map { try x.slice(axis: 0, (($0 * rows) / parts)..<((($0 + 1) * rows) / parts)) }
    let results = PartResults(count: parts)
    let shared = UncheckedSendable((self, slices, results))
    ParallelParts.run(parts: parts) { part in
      let (model, slices, results) = shared.value
      results.set(part, Result { try model.forwardThroughLayers(slices[part], training: false) })
    }
    let outputs = try results.values.map { try $0.get() }
    let output = try Tensor.concatenate(outputs.map(\.0), axis: 0)
    let logits = outputs.compactMap(\.1)
    guard let first = logits.first, logits.count == parts else { return (output, nil) }
    return (output, OutputLogits(activation: first.activation, values: try Tensor.concatenate(logits.map(\.values), axis: 0)))
  }

  /// The layers one after another on `x` (the last one's logits kept for the loss).
  private func forwardThroughLayers(_ x: Tensor, training: Bool) throws -> (Tensor, OutputLogits?) {
    var h = x
    var mask: Tensor? = nil
    var logits: OutputLogits? = nil
    for (i, layer) in layers.enumerated() {
      if i == layers.count - 1 {
        // callReturningLogits bypasses Layer.callAsFunction, so check and build here.
        try layer.checkInput(h.shape.map { $0 })
        try layer.buildIfNeeded([nil] + h.shape.dropFirst().map { $0 })
        (h, logits) = try layer.callReturningLogits(h, mask: mask, training: training)
      } else {
        let output = try layer(h, mask: mask, training: training)
        mask = try layer.computeMask(h, mask: mask)
        h = output
      }
    }
    return (h, logits)
  }

  /// The sum of every layer's regularization penalty (0 when none).
  func regularizationLoss() throws -> Tensor {
    try layers.flatMap(\.regularizationLosses).reduce(Tensor(0)) { try $0 + $1 }
  }

  /// The total loss of a batch: the compiled loss plus regularization.
  func totalLoss(_ compiled: CompiledModel, _ x: Tensor, _ y: Tensor, _ sampleWeight: Tensor?, training: Bool) throws -> (
    Tensor, Tensor
  ) {
    let (yPred, logits) = try forwardWithLogits(x, training: training)
    let loss = try compiled.loss(y, yPred, sampleWeight: sampleWeight, logits: logits) + regularizationLoss()
    return (loss, yPred)
  }

  /// The gradients of the batch loss for every trainable weight, in ``trainableWeights`` order, from
  /// one backward pass. Separate from ``applyGradients(_:)`` so gradients can be combined across
  /// processes (data-parallel training) in between.
  public func computeGradients(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor? = nil) throws -> (
    loss: Float, gradients: [Tensor]
  ) {
    let step = try computeGradientsAndPredictions(x, y, sampleWeight: sampleWeight)
    return (step.loss, step.gradients)
  }

  /// ``computeGradients(_:_:sampleWeight:)`` that also returns the batch's predictions from the same
  /// (training-mode) forward pass, for metrics computed outside `fit` (data-parallel training).
  ///
  /// `onGradient`, when given, is called during the backward pass with the index (in
  /// ``trainableWeights``) and the gradient of each weight as soon as that gradient is complete,
  /// the last layers' first, so that sending gradients to other processes overlaps the rest of the
  /// pass. A weight the loss does not depend on is not reported (its gradient is zero).
  public func computeGradientsAndPredictions(
    _ x: Tensor, _ y: Tensor, sampleWeight: Tensor? = nil, onGradient: ((Int, Tensor) throws -> Void)? = nil
  ) throws -> (loss: Float, gradients: [Tensor], predictions: Tensor) {
    let step = try gradientStep(try requireCompiled("computeGradients"), x, y, sampleWeight, onGradient: onGradient)
    lastSparseGradients = zip(step.gradients, step.sparse).compactMap { gradient, slices in
      slices.map { (gradient.storageIdentity, $0) }
    }
    return (step.result.loss, step.gradients, step.result.predictions)
  }

  /// The loss (with regularization) and predictions of a batch in inference mode, as `evaluate`
  /// computes them (Keras' `test_step` before the metrics).
  public func computeLossAndPredictions(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor? = nil) throws -> (
    loss: Float, predictions: Tensor
  ) {
    let result = try testStep(try requireCompiled("computeLossAndPredictions"), x, y, sampleWeight)
    return (result.loss, result.predictions)
  }

  /// Applies gradients (in ``trainableWeights`` order) with the compiled optimizer.
  ///
  /// Gradients passed on unchanged from ``computeGradients(_:_:sampleWeight:)`` keep their row
  /// slices (an Embedding's gradient is TensorFlow's `IndexedSlices`), so the step is the one
  /// `fit` takes; a gradient that was changed or combined counts as dense, as in TensorFlow.
  public func applyGradients(_ gradients: [Tensor]) throws {
    let compiled = try requireCompiled("applyGradients")
    let sparse = gradients.map { gradient in
      lastSparseGradients.first { $0.storage == gradient.storageIdentity }?.slices
    }
    try compiled.optimizer.apply(gradients, sparse: sparse, to: trainableWeights)
    lastSparseGradients = []
  }

  func gradientStep(
    _ compiled: CompiledModel, _ x: Tensor, _ y: Tensor, _ sampleWeight: Tensor?,
    onGradient: ((Int, Tensor) throws -> Void)? = nil
  ) throws -> (result: StepResult, gradients: [Tensor], sparse: [[SparseRows]?]) {
    var predictions = Tensor(0)
    let (loss, gradients, sparse) = try valueWithSparseGradient(for: trainableWeights, finished: onGradient) {
      let (loss, yPred) = try totalLoss(compiled, x, y, sampleWeight, training: true)
      predictions = yPred.detached()
      return loss
    }
    return (StepResult(loss: loss.scalar, predictions: predictions), gradients, sparse)
  }

  /// One optimizer step on a batch; returns the loss and predictions for the metrics.
  func trainStep(_ compiled: CompiledModel, _ x: Tensor, _ y: Tensor, _ sampleWeight: Tensor?) throws -> StepResult {
    let (result, gradients, sparse) = try gradientStep(compiled, x, y, sampleWeight)
    try compiled.optimizer.apply(gradients, sparse: sparse, to: trainableWeights)
    return result
  }

  /// The loss and predictions of a batch in inference mode.
  func testStep(_ compiled: CompiledModel, _ x: Tensor, _ y: Tensor, _ sampleWeight: Tensor?) throws -> StepResult {
    let (loss, yPred) = try totalLoss(compiled, x, y, sampleWeight, training: false)
    return StepResult(loss: loss.scalar, predictions: yPred)
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

extension Layer {
  /// Whether the layer's inference output for a row depends on that row alone: true for
  /// every built-in layer (BatchNormalization uses its moving statistics at inference, Dropout
  /// passes its input through), and for TimeDistributed around such a layer; false for layers
  /// defined outside SwiftKeras.
  var computesRowsIndependentlyInInference: Bool {
    switch self {
    case let wrapper as TimeDistributed: return wrapper.layer.computesRowsIndependentlyInInference
    case is Dense, is LSTM, is GRU, is SimpleRNN, is Bidirectional, is Dropout, is Embedding, is Conv1D,
      is MaxPooling1D, is GlobalMaxPooling1D, is GlobalAveragePooling1D, is BatchNormalization,
      is LayerNormalization, is Flatten, is Reshape, is RepeatVector, is Activation, is InputLayer:
      return true
    default: return false
    }
  }
}
