/// A linear stack of layers (`keras.Sequential`).
///
/// The input shape comes from an ``InputLayer`` (`Input(shape:)`) first, or from the first
/// layer's `inputShape:`; with it the model is built at once and ``summary(lineLength:)`` shows every
/// shape. Without it, the model builds on its first call.
public class Sequential: @unchecked Sendable {
  /// The model's name (`sequential`, `sequential_1`, ... by default).
  public let name: String
  /// The layers in order, not counting an ``InputLayer``.
  public private(set) var layers: [Layer] = []
  /// The input shape with the batch dimension as `nil`, once known.
  public private(set) var inputShape: [Int?]?
  private var inputLayer: InputLayer?
  /// Set by a callback to end ``fit(_:_:batchSize:epochs:verbose:callbacks:validationSplit:validationData:shuffle:classWeight:sampleWeight:initialEpoch:)``
  /// after the current epoch (Keras' `model.stop_training`).
  public var stopTraining = false
  /// The loss, optimizer and metrics set by `compile`.
  var compiled: CompiledModel?
  /// An error a callback hit (e.g. a failed checkpoint save); `fit` stops and throws it.
  var callbackError: (any Error)?
  /// The row slices of the sparse gradients the last ``computeGradients(_:_:sampleWeight:)`` returned,
  /// by the identity of the gradient's storage, for ``applyGradients(_:)``.
  var lastSparseGradients: [(storage: ObjectIdentifier, slices: [SparseRows])] = []
  /// Where the next `fit` continues, set by ``BackupAndRestore`` when it restores a backup.
  var resumePosition: TrainingPosition?

  /// Stops `fit` after the current batch; `fit` then throws `error` (for callbacks whose work failed).
  public func failTraining(with error: any Error) {
    if callbackError == nil { callbackError = error }
    stopTraining = true
  }

  /// An empty model; add layers with ``add(_:)``.
  public init(name: String? = nil) {
    self.name = name ?? LayerNames.unique("sequential")
  }

  /// A model of the layers the closure lists.
  ///
  /// A layer stack that cannot be built (e.g. a shape mismatch between layers) stops with
  /// the error; use `init(name:)` and ``add(_:)`` to handle it as a thrown error instead.
  public convenience init(name: String? = nil, @LayerBuilder _ layers: () -> [Layer]) {
    self.init(name: name)
    do {
      for layer in layers() { try add(layer) }
    } catch {
      fatalError("Sequential: \(error)")
    }
  }

  /// Appends a layer, building the model so far when its input shape is known.
  ///
  /// - Throws: when the layer cannot take the previous layer's output shape (naming both), or
  ///   when an ``InputLayer`` comes after other layers.
  public func add(_ layer: Layer) throws {
    if let input = layer as? InputLayer {
      guard layers.isEmpty, inputLayer == nil else {
        throw KerasError.invalidArgument("Sequential '\(name)': an InputLayer can only be the first layer")
      }
      inputLayer = input
      inputShape = [input.batchSize] + input.shape.map { $0 }
      return
    }
    if layers.isEmpty, inputShape == nil, let declared = layer.declaredInputShape {
      inputShape = [nil] + declared.map { $0 }
    }
    layers.append(layer)
    if let inputShape {
      do {
        try build(inputShape)
      } catch {
        layers.removeLast()
        throw error
      }
    }
  }

  /// Builds every layer for inputs of `shape` (batch dimension `nil`).
  public func build(_ shape: [Int?]) throws {
    var current = shape
    for layer in layers {
      try layer.buildIfNeeded(current)
      current = try layer.outputShape(for: current)
    }
    inputShape = shape
  }

  /// Whether every layer has its weights.
  public var isBuilt: Bool { !layers.isEmpty && layers.allSatisfy(\.isBuilt) }

  /// The output shape per layer (batch `nil`), when the input shape is known.
  public func outputShapes() throws -> [[Int?]]? {
    guard var current = inputShape else { return nil }
    return try layers.map { layer in
      current = try layer.outputShape(for: current)
      return current
    }
  }

  /// The model's output for `input` (batch first), with dropout active when `training`.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` naming the first layer that
  ///   cannot take its input.
  public func callAsFunction(_ input: Tensor, training: Bool = false) throws -> Tensor {
    guard !layers.isEmpty else { throw KerasError.notBuilt("Sequential '\(name)' has no layers") }
    if let inputShape {
      let expected = Array(inputShape.dropFirst())
      let given = Array(input.shape.dropFirst())
      let fits = input.rank == inputShape.count && zip(expected, given).allSatisfy { e, g in e == nil || e == g }
      // Recurrent models accept other sequence lengths, as Keras does.
      let lengthOnly = input.rank == inputShape.count && expected.last == given.last
      if !fits && !(lengthOnly && input.rank == 3) {
        throw KerasError.incompatibleInput(layer: name, expected: kerasShapeText(inputShape), got: input.shape)
      }
    }
    let (output, _) = try forwardWithLogits(input, training: training)
    if inputShape == nil { inputShape = [nil] + input.shape.dropFirst().map { $0 } }
    return output
  }

  /// Predictions for `x` in batches of `batchSize`, in inference mode (`model.predict`).
  ///
  /// `verbose` 1 shows Keras' progress bar (as Keras' default), 0 nothing.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for a batch size of 0, no samples, or a NaN or
  ///   infinity in `x` (naming the row).
  public func predict(_ x: Tensor, batchSize: Int = 32, verbose: Int = 1, callbacks: [any Callback] = []) throws -> Tensor {
    guard batchSize > 0 else { throw KerasError.invalidArgument("predict: batchSize must be positive, got \(batchSize)") }
    guard x.rank >= 1, x.shape[0] > 0 else {
      throw KerasError.invalidArgument("predict: the input of shape \(x.shape) holds no samples")
    }
    try TrainingData.checkFinite(x, name: "x", action: "predict")
    let n = x.shape[0]
    let steps = (n + batchSize - 1) / batchSize
    let hooks = CallbackList(
      callbacks + (verbose > 0 ? [ProgressBar()] : []), model: self,
      params: TrainingParams(epochs: 1, steps: steps, verbose: verbose))
    hooks.each { $0.onPredictBegin(Logs()) }
    var outputs: [Tensor] = []
    for step in 0..<steps {
      hooks.each { $0.onPredictBatchBegin(step, Logs()) }
      let range = (step * batchSize)..<Swift.min((step + 1) * batchSize, n)
      outputs.append(try self(x.slice(axis: 0, range), training: false))
      hooks.each { $0.onPredictBatchEnd(step, Logs()) }
    }
    hooks.each { $0.onPredictEnd(Logs()) }
    return outputs.count == 1 ? outputs[0] : try Tensor.concatenate(outputs, axis: 0)
  }

  /// All weights in Keras order (layer by layer).
  public var weights: [Variable] { layers.flatMap(\.weights) }
  /// The weights training updates.
  public var trainableWeights: [Variable] { layers.flatMap(\.trainableWeights) }
  /// The weights training leaves alone.
  public var nonTrainableWeights: [Variable] { layers.flatMap(\.nonTrainableWeights) }

  /// The weight values in Keras order (`model.get_weights()`).
  public func getWeights() -> [Tensor] { weights.map(\.value) }

  /// Replaces the weight values in Keras order (`model.set_weights()`).
  ///
  /// - Throws: ``KerasError/weightMismatch(_:)`` naming the layer and weight; nothing changes unless every value fits.
  public func setWeights(_ values: [Tensor]) throws {
    let all = weights
    guard isBuilt else { throw KerasError.notBuilt("Sequential '\(name)' is not built: give an input shape or call it once") }
    guard values.count == all.count else {
      throw KerasError.weightMismatch("Sequential '\(name)' has \(all.count) weights, got \(values.count)")
    }
    var offset = 0
    for layer in layers {
      for w in layer.weights {
        if w.shape != values[offset].shape {
          throw KerasError.weightMismatch(
            "Layer '\(layer.name)': weight '\(w.name)' has shape \(w.shape), got \(values[offset].shape)")
        }
        offset += 1
      }
    }
    for (w, v) in zip(all, values) { w.value = v }
  }

  /// The number of scalars in all weights.
  public func countParams() -> Int { layers.reduce(0) { $0 + $1.countParams() } }

  /// The layer named `name`.
  public func layer(named name: String) throws -> Layer {
    guard let layer = layers.first(where: { $0.name == name }) else {
      throw KerasError.invalidArgument(
        "Sequential '\(self.name)' has no layer '\(name)'; layers: \(layers.map(\.name).joined(separator: ", "))")
    }
    return layer
  }
}
