/// What one training or test step computed: the total loss (with regularization) and the predictions.
struct StepResult {
  let loss: Float
  let predictions: Tensor
}

extension Sequential {
  /// The model's one forward pass (inference, training and evaluation): the output and, when the last layer
  /// ends in a sigmoid or softmax, its logits (so cross-entropies use them, as Keras on TensorFlow).
  func forwardWithLogits(_ x: Tensor, training: Bool) throws -> (Tensor, OutputLogits?) {
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
    let step = try gradientStep(try requireCompiled("computeGradients"), x, y, sampleWeight)
    lastSparseGradients = zip(step.gradients, step.sparse).compactMap { gradient, slices in
      slices.map { (gradient.storageIdentity, $0) }
    }
    return (step.result.loss, step.gradients)
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

  func gradientStep(_ compiled: CompiledModel, _ x: Tensor, _ y: Tensor, _ sampleWeight: Tensor?) throws -> (
    result: StepResult, gradients: [Tensor], sparse: [[SparseRows]?]
  ) {
    var predictions = Tensor(0)
    let (loss, gradients, sparse) = try valueWithSparseGradient(for: trainableWeights) {
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
