/// A linear stack of layers (`keras.Sequential`).
///
/// The input shape comes from an ``InputLayer`` (`Input(shape:)`) first, or from the first
/// layer's `inputShape:`; with it the model is built at once and ``Model/summary(lineLength:)`` shows every
/// shape. Without it, the model builds on its first call.
public class Sequential: Model, @unchecked Sendable {
  /// The layers in order, not counting an ``InputLayer``.
  public override var layers: [Layer] { stack }
  private var stack: [Layer] = []
  /// The input shape with the batch dimension as `nil`, once known.
  public override var inputShape: [Int?]? { knownInputShape }
  private var knownInputShape: [Int?]?
  private var inputLayer: InputLayer?

  public override class var className: String { "Sequential" }

  /// An empty model; add layers with ``add(_:)-(Layer)``.
  public init(name: String? = nil) {
    super.init(name: name)
  }

  /// A model of the layers the closure lists.
  ///
  /// A layer stack that cannot be built (e.g. a shape mismatch between layers) stops with
  /// the error; use `init(name:)` and ``add(_:)-(Layer)`` to handle it as a thrown error instead.
  public convenience init(name: String? = nil, @LayerBuilder _ layers: () -> [Layer]) {
    self.init(name: name)
    do {
      for layer in layers() { try add(layer) }
    } catch {
      fatalError("Sequential: \(error)")
    }
  }

  /// Appends the input declared by `Input(shape:)`.
  public func add(_ input: KerasTensor) throws {
    try add(input.layer)
  }

  /// Appends a layer, building the model so far when its input shape is known.
  ///
  /// - Throws: when the layer cannot take the previous layer's output shape (naming both), or
  ///   when an ``InputLayer`` comes after other layers.
  public func add(_ layer: Layer) throws {
    if let input = layer as? InputLayer {
      guard stack.isEmpty, inputLayer == nil else {
        throw KerasError.invalidArgument("Sequential '\(name)': an InputLayer can only be the first layer")
      }
      inputLayer = input
      knownInputShape = [input.batchSize] + input.dimensions
      return
    }
    if stack.isEmpty, inputShape == nil, let declared = layer.declaredInputShape {
      knownInputShape = [nil] + declared.map { $0 }
    }
    stack.append(layer)
    if let inputShape {
      do {
        try build(inputShape)
      } catch {
        stack.removeLast()
        if stack.isEmpty, inputLayer == nil { self.knownInputShape = nil }
        throw error
      }
    }
  }

  /// Builds every layer for inputs of `inputShape` (batch dimension `nil`), as Keras'
  /// `model.build(input_shape)`: the same as ``build(_:)``.
  public override func build(inputShape: [Int?]) throws { try build(inputShape) }

  /// Builds every layer for inputs of `shape` (batch dimension `nil`), and the model's
  /// symbolic ``Model/inputs`` and ``Model/outputs`` (so `layer.output` works, as for feature extractors).
  public func build(_ shape: [Int?]) throws {
    var current = shape
    for layer in stack {
      try layer.buildIfNeeded(current)
      current = try layer.outputShape(for: current)
    }
    knownInputShape = shape
    let known = shape.dropFirst().compactMap { $0 }
    guard inputLayer != nil || known.count == shape.count - 1 else { return }
    let input = (inputLayer ?? InputLayer(shape: known, batchSize: shape.first ?? nil, name: "input_layer")).output
    var tensor = input
    for layer in stack {
      tensor = layer(tensor)
      if let error = tensor.graphError { throw error }
    }
    inputs = [input]
    outputs = [tensor]
  }

  /// Whether every layer has its weights.
  public override var isBuilt: Bool { !stack.isEmpty && stack.allSatisfy(\.isBuilt) }

  /// The output shape per layer (batch `nil`), when the input shape is known.
  public func outputShapes() throws -> [[Int?]]? {
    guard var current = inputShape else { return nil }
    return try stack.map { layer in
      current = try layer.outputShape(for: current)
      return current
    }
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    var current = inputShape
    for layer in stack { current = try layer.outputShape(for: current) }
    return current
  }

  public override func symbolicOutputShapes(
    _ inputShapes: [[Int?]], initialStateShapes: [[Int?]], inputDTypes: [String]
  ) throws -> [[Int?]] {
    guard inputShapes.count == 1, initialStateShapes.isEmpty else {
      throw KerasError.invalidArgument("Sequential '\(name)' takes one input, got \(inputShapes.count)")
    }
    if inputShape == nil { try build(inputShapes[0]) }
    return [try outputShape(for: inputShapes[0])]
  }

  /// The model's output for `input` (batch first), with dropout active when `training`.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` naming the first layer that
  ///   cannot take its input.
  public override func callAsFunction(_ input: Tensor, training: Bool = false) throws -> Tensor {
    guard !stack.isEmpty else { throw KerasError.notBuilt("Sequential '\(name)' has no layers") }
    if let inputShape, !Model.accepts(input.shape, as: inputShape) {
      throw KerasError.incompatibleInput(layer: name, expected: kerasShapeText(inputShape), got: input.shape)
    }
    let (output, _) = try forwardWithLogits(input, training: training)
    if inputShape == nil { knownInputShape = [nil] + input.shape.dropFirst().map { $0 } }
    return output
  }

  public override func call(_ input: Tensor, mask: Tensor?, training: Bool) throws -> Tensor {
    try forwardThroughLayers(input, mask: mask, training: training).0
  }

  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    try call(input, mask: nil, training: training)
  }

  public override func forward(_ inputs: [Tensor], training: Bool) throws -> [(output: Tensor, logits: OutputLogits?)] {
    guard inputs.count == 1 else {
      throw KerasError.invalidArgument("Sequential '\(name)' takes one input, got \(inputs.count)")
    }
    let (output, logits) = try sequentialForward(inputs[0], training: training)
    return [(output, logits)]
  }

  /// Replaces the weight values in Keras order (`model.set_weights()`).
  ///
  /// - Throws: ``KerasError/weightMismatch(_:)`` naming the layer and weight; nothing changes unless every value fits.
  public override func setWeights(_ values: [Tensor]) throws {
    let all = weights
    guard isBuilt else { throw KerasError.notBuilt("Sequential '\(name)' is not built: give an input shape or call it once") }
    guard values.count == all.count else {
      throw KerasError.weightMismatch("Sequential '\(name)' has \(all.count) weights, got \(values.count)")
    }
    var offset = 0
    for layer in stack {
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

  /// The layer named `name`.
  public func layer(named name: String) throws -> Layer {
    guard let layer = stack.first(where: { $0.name == name }) else {
      throw KerasError.invalidArgument(
        "Sequential '\(self.name)' has no layer '\(name)'; layers: \(stack.map(\.name).joined(separator: ", "))")
    }
    return layer
  }
}
