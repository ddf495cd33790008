/// What input a layer accepts, checked before every call (Keras' `InputSpec`).
public struct InputSpec: Sendable, Equatable {
  /// The exact rank (batch included), if fixed.
  public var rank: Int?
  /// The smallest rank, if any.
  public var minimumRank: Int?
  /// Required sizes of particular axes (negative axes count from the end).
  public var axes: [Int: Int]

  /// A spec requiring `rank`, `minimumRank` and the given axis sizes.
  public init(rank: Int? = nil, minimumRank: Int? = nil, axes: [Int: Int] = [:]) {
    self.rank = rank
    self.minimumRank = minimumRank
    self.axes = axes
  }

  /// Keras-style text of the accepted shape, e.g. `(None, None, 8)` or `(..., 8)`.
  var text: String {
    if let rank {
      let dims: [Int?] = (0..<rank).map { i in axes[i] ?? axes[i - rank] }
      return kerasShapeText(dims)
    }
    let last = axes.keys.filter { $0 < 0 }.sorted().map { axes[$0]! }
    let prefix = minimumRank.map { "rank >= \($0): " } ?? ""
    return prefix + "(..., " + last.map(String.init).joined(separator: ", ") + ")"
  }

  /// Whether a tensor of `shape` satisfies this spec.
  func accepts(_ shape: [Int]) -> Bool { accepts(shape.map { $0 }) }

  /// Whether inputs of `shape` (unknown dimensions `nil`) can satisfy this spec.
  func accepts(_ shape: [Int?]) -> Bool {
    if let rank, shape.count != rank { return false }
    if let minimumRank, shape.count < minimumRank { return false }
    for (axis, size) in axes {
      let a = axis < 0 ? axis + shape.count : axis
      guard a >= 0, a < shape.count else { return false }
      if let d = shape[a], d != size { return false }
    }
    return true
  }
}

/// The base of every layer: named weights created lazily from the first input shape,
/// a forward pass, an output-shape rule and a Keras config.
///
/// A subclass overrides ``build(inputShape:)`` to create its weights with
/// ``addWeight(_:shape:initializer:regularizer:trainable:)``, ``call(_:training:)``
/// for the forward pass (written with differentiable tensor ops, so it trains), and
/// ``outputShape(for:)`` and ``layerConfig`` as needed. Shapes passed to `build` and
/// `outputShape` include the batch dimension as `nil` (Keras' `None`).
open class Layer: @unchecked Sendable {
  /// The layer's unique name (`dense`, `dense_1`, ... by default, as Keras).
  public let name: String
  /// Whether the layer's weights are updated by training.
  public var trainable: Bool
  /// The input shape given at construction (`inputShape:`), without the batch dimension.
  public let declaredInputShape: [Int]?
  /// The shape the layer was built for (batch dimension `nil`), once built.
  public private(set) var builtInputShape: [Int?]?
  /// The accepted input, set by `build`; checked on every call.
  public var inputSpec: InputSpec?
  /// The layer's dtype policy (Keras' `dtype_policy`, the `dtype=` argument): the
  /// ``globalPolicy`` when the layer is constructed, or the one its file records when loaded.
  /// Under `"mixed_bfloat16"` the layer's floating-point inputs (unless ``autocast`` is off),
  /// weights (read with ``computeValue(_:)``) and outputs are rounded to bfloat16, and its
  /// matrix products multiply in bfloat16; its weights stay float32. Set it before the first
  /// call, as Keras' `dtype=` argument.
  public var dtypePolicy: DTypePolicy = globalPolicy
  /// The dtype the layer computes in, `"float32"` or `"bfloat16"` (Keras' `compute_dtype`).
  public var computeDType: String { dtypePolicy.computeDType }
  /// The dtype of the layer's weights, always `"float32"` (Keras' `variable_dtype`).
  public var variableDType: String { dtypePolicy.variableDType }
  /// Whether the layer's inputs are cast to its compute dtype before ``call(_:training:)``
  /// (Keras' `autocast`); `Embedding` (integer indices) and `LayerNormalization` say no, as in Keras.
  open var autocast: Bool { true }
  /// Whether the layer's output for a row at inference depends on that row alone, which lets
  /// `predict`, `evaluate` and calling the model divide a batch's rows between the threads for
  /// the whole pass through the layers (the Performance article has what that saves).
  ///
  /// True for every built-in layer (BatchNormalization uses its moving statistics at inference,
  /// Dropout passes its input through), for TimeDistributed around such a layer and for models
  /// made of such layers. A layer defined outside SwiftKeras is taken to look at its whole batch
  /// (false) unless it overrides this to say otherwise: override it with `true` only when each
  /// output row is computed from the same input row alone.
  open var computesRowsIndependentlyInInference: Bool {
    switch self {
    case let wrapper as TimeDistributed: return wrapper.layer.computesRowsIndependentlyInInference
    case let model as Model:
      return (model.graph != nil || model is Sequential) && model.layers.allSatisfy(\.computesRowsIndependentlyInInference)
    case is Merge: return true
    case let builtIn as any KerasDeserializable: return type(of: builtIn).computesRowsIndependentlyInInference
    default: return false
    }
  }
  /// The weights this layer created, trainable before non-trainable.
  public private(set) var ownWeights: [Variable] = []
  /// The weights in Keras order: this layer's, then those of wrapped layers.
  open var weights: [Variable] { ownWeights }
  private var regularizers: [(Variable, Regularizer)] = []
  /// The calls of this layer in model graphs, in order (Keras' inbound nodes), held weakly.
  var inboundNodes: [WeakNode] = []
  private var nodeCount = 0

  /// The Keras class name (`"Dense"`, `"LSTM"`), used for default names, summaries and configs.
  open class var className: String { String(describing: self) }

  /// Creates a layer; `name` defaults to a unique snake_case form of the class name.
  public init(name: String? = nil, trainable: Bool = true, inputShape: [Int]? = nil) {
    self.name = name ?? LayerNames.unique(LayerNames.snakeCase(Self.className))
    self.trainable = trainable
    self.declaredInputShape = inputShape
  }

  /// Whether the weights exist.
  open var isBuilt: Bool { builtInputShape != nil }

  /// The index the next graph call of this layer gets.
  func recordNode() -> Int {
    defer { nodeCount += 1 }
    return nodeCount
  }

  /// The output shapes of a call in a model graph on inputs of `inputShapes` (batch `nil`),
  /// building the layer. The default takes one input and no initial state.
  ///
  /// Layers that take several inputs (merge layers, models) or return several outputs
  /// (recurrent layers with `returnState`) override this and ``Layer/callNode(_:masks:initialState:training:)``.
  /// - Throws: when the inputs do not fit the layer, naming the layer and the shapes.
  open func symbolicOutputShapes(_ inputShapes: [[Int?]], initialStateShapes: [[Int?]], inputDTypes: [String]) throws
    -> [[Int?]]
  {
    guard inputShapes.count == 1 else {
      throw KerasError.invalidArgument(
        "Layer '\(name)' (\(Self.className)) takes one input, got \(inputShapes.count): "
          + inputShapes.map(kerasShapeText).joined(separator: ", "))
    }
    guard initialStateShapes.isEmpty else {
      throw KerasError.invalidArgument("Layer '\(name)' (\(Self.className)) takes no initialState")
    }
    try buildIfNeeded(inputShapes[0])
    return [try outputShape(for: inputShapes[0])]
  }

  /// One call in a model graph: the outputs and the masks they carry. The default runs the
  /// layer on its one input (``Layer/callAsFunction(_:mask:training:)``) and ``Layer/computeMask(_:mask:)``.
  open func callNode(_ inputs: [Tensor], masks: [Tensor?], initialState: [Tensor], training: Bool) throws -> (
    outputs: [Tensor], masks: [Tensor?]
  ) {
    // The graph applies the dtype policy's casts around the call (Model.runGraph).
    let output = try callChecked(inputs[0], mask: masks.first ?? nil, training: training)
    return ([output], [try computeMask(inputs[0], mask: masks.first ?? nil)])
  }

  /// A graph call whose output is a model output: as ``callNode(_:masks:initialState:training:)``,
  /// plus the logits of a sigmoid or softmax output for the loss (single-output calls only).
  func callNodeReturningLogits(_ inputs: [Tensor], masks: [Tensor?], initialState: [Tensor], training: Bool) throws -> (
    outputs: [Tensor], masks: [Tensor?], logits: OutputLogits?
  ) {
    guard inputs.count == 1, initialState.isEmpty, !(self is Model) else {
      let (outputs, masks) = try callNode(inputs, masks: masks, initialState: initialState, training: training)
      return (outputs, masks, nil)
    }
    try checkInput(inputs[0].shape.map { $0 })
    try buildIfNeeded([nil] + inputs[0].shape.dropFirst().map { $0 })
    try checkInput(inputs[0].shape.map { $0 })
    let mask = masks.first ?? nil
    let (output, logits) = try callReturningLogits(inputs[0], mask: mask, training: training)
    return ([output], [try computeMask(inputs[0], mask: mask)], logits)
  }

  /// Creates the weights for inputs of `inputShape` (batch dimension `nil`). The default creates none.
  open func build(inputShape: [Int?]) throws {}

  /// The forward pass. Subclasses override this (or ``Layer/call(_:mask:training:)`` to see the mask).
  open func call(_ input: Tensor, training: Bool) throws -> Tensor { input }

  /// The forward pass given the mask of padded time steps (`[N, T]`, 1 = real), if any.
  open func call(_ input: Tensor, mask: Tensor?, training: Bool) throws -> Tensor {
    try call(input, training: training)
  }

  /// The forward pass, plus the pre-activation values when the output came out of a sigmoid or
  /// softmax (so cross-entropy losses can use them, as Keras does). The default has no logits.
  open func callReturningLogits(_ input: Tensor, mask: Tensor?, training: Bool) throws -> (Tensor, OutputLogits?) {
    (try call(input, mask: mask, training: training), nil)
  }

  /// The mask this layer passes on to the next one; by default none.
  open func computeMask(_ input: Tensor, mask: Tensor?) throws -> Tensor? { nil }

  /// The output shape for an input shape (batch dimension `nil`). The default is the input shape.
  open func outputShape(for inputShape: [Int?]) throws -> [Int?] { inputShape }

  /// The layer-specific part of the Keras config, in Keras' key order (after `name`, `trainable`, `dtype`).
  open var layerConfig: [(String, ConfigValue)] { [] }

  /// The full Keras config (`layer.get_config()`).
  open var config: ConfigValue {
    .object(
      [
        ("name", .string(name)), ("trainable", .bool(trainable)),
        ("dtype", dtypePolicy.config),
      ] + layerConfig)
  }

  /// Builds the layer for `inputShape` if it is not built yet.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` when the shape does not fit
  ///   the layer's ``inputSpec`` (unknown dimensions are written -1).
  public func buildIfNeeded(_ inputShape: [Int?]) throws {
    try checkInput(inputShape)
    guard !isBuilt else { return }
    try build(inputShape: inputShape)
    builtInputShape = inputShape
    try checkInput(inputShape)
  }

  /// Runs the layer on `input` (batch first), building it on first use.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` naming this layer, the
  ///   accepted shape and the given one, before any work is done.
  open func callAsFunction(_ input: Tensor, training: Bool = false) throws -> Tensor {
    try callAsFunction(input, mask: nil, training: training)
  }

  /// Runs the layer with the mask of the previous layer, in its ``dtypePolicy``.
  open func callAsFunction(_ input: Tensor, mask: Tensor?, training: Bool) throws -> Tensor {
    castOutput(try callChecked(castInput(input), mask: mask, training: training))
  }

  /// Checks the input, builds the layer if needed and calls it, without the policy's casts.
  func callChecked(_ input: Tensor, mask: Tensor?, training: Bool) throws -> Tensor {
    try checkInput(input.shape.map { $0 })
    try buildIfNeeded([nil] + input.shape.dropFirst().map { $0 })
    try checkInput(input.shape.map { $0 })
    return try call(input, mask: mask, training: training)
  }

  // MARK: - The dtype policy's casts

  /// Whether the policy's bfloat16 casts apply to this layer's calls: a `"mixed_bfloat16"`
  /// layer that is not a model (a model's layers apply their own).
  var castsToBFloat16: Bool { dtypePolicy.computesInBFloat16 && !(self is Model) }

  /// An input of a call in the compute dtype (Keras' autocast of inputs). The casts cost no pass
  /// over a tensor already known to be bfloat16 (the previous layer's output,
  /// `Tensor.isKnownBFloat16`).
  func castInput(_ input: Tensor) -> Tensor { castsToBFloat16 && autocast ? input.roundedToBFloat16() : input }

  /// An output of a call in the compute dtype.
  func castOutput(_ output: Tensor) -> Tensor { castsToBFloat16 ? output.roundedToBFloat16() : output }

  /// Logits handed to the loss, in the compute dtype as the output they came with.
  func castOutput(_ logits: OutputLogits?) -> OutputLogits? {
    guard castsToBFloat16, let logits else { return logits }
    return OutputLogits(activation: logits.activation, values: logits.values.roundedToBFloat16())
  }

  /// The value of `weight` in the layer's compute dtype, for ``call(_:training:)``: rounded to
  /// bfloat16 under `"mixed_bfloat16"` (its gradient too, as Keras' autocast variables; rounded
  /// once per optimizer step, `Variable.bfloat16Value`), else the float32 value itself.
  public func computeValue(_ weight: Variable) -> Tensor {
    dtypePolicy.computesInBFloat16 ? weight.bfloat16Value : weight.value
  }

  /// The precision of the layer's matrix products under its policy.
  public var matMulPrecision: MatMulPrecision { dtypePolicy.matMulPrecision }

  /// Throws when `shape` (unknown dimensions `nil`) does not satisfy ``inputSpec``.
  public func checkInput(_ shape: [Int?]) throws {
    if let inputSpec, !inputSpec.accepts(shape) {
      throw KerasError.incompatibleInput(layer: name, expected: inputSpec.text, got: shape.map { $0 ?? -1 })
    }
  }

  /// Creates a weight named `name` (Keras' weight names: `kernel`, `bias`, `recurrent_kernel`, ...).
  @discardableResult
  public func addWeight(
    _ name: String, shape: [Int], initializer: Initializer, regularizer: Regularizer? = nil, trainable: Bool = true
  ) throws -> Variable {
    try WeightBudget.current?.reserve(shape, weight: name, layer: self.name)
    let variable = Variable(try initializer(shape), name: name, trainable: trainable)
    if trainable {
      let firstFrozen = ownWeights.firstIndex { !$0.trainable } ?? ownWeights.endIndex
      ownWeights.insert(variable, at: firstFrozen)
    } else {
      ownWeights.append(variable)
    }
    if let regularizer { regularizers.append((variable, regularizer)) }
    return variable
  }

  /// The weights training updates (none when the layer is frozen).
  open var trainableWeights: [Variable] { trainable ? weights.filter(\.trainable) : [] }
  /// The weights training does not update.
  open var nonTrainableWeights: [Variable] { trainable ? weights.filter { !$0.trainable } : weights }

  /// The regularization penalties of this layer's weights, for the training loss.
  open var regularizationLosses: [Tensor] { regularizers.map { variable, penalty in penalty(variable.value) } }

  /// The number of scalars in the weights.
  open func countParams() -> Int { weights.reduce(0) { $0 + $1.value.count } }

  /// The weight values in Keras order.
  public func getWeights() -> [Tensor] { weights.map(\.value) }

  /// Replaces the weight values, in Keras order.
  ///
  /// - Throws: ``KerasError/weightMismatch(_:)`` naming the layer, the weight and both shapes;
  ///   no weight changes unless all fit.
  open func setWeights(_ values: [Tensor]) throws {
    guard values.count == weights.count else {
      throw KerasError.weightMismatch(
        "Layer '\(name)' expects \(weights.count) weights (\(weights.map(\.name).joined(separator: ", "))), got \(values.count)")
    }
    for (w, v) in zip(weights, values) where w.shape != v.shape {
      throw KerasError.weightMismatch("Layer '\(name)': weight '\(w.name)' has shape \(w.shape), got \(v.shape)")
    }
    for (w, v) in zip(weights, values) { w.value = v }
  }
}

