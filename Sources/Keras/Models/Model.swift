import Foundation

/// A model: layers that train, evaluate, predict and save together (`keras.Model`).
///
/// Three kinds, as in Keras:
/// - **Functional**: a graph of layer calls on symbolic tensors, from ``Input(shape:batchSize:name:dtype:)-([Int],_,_,_)``s
///   to outputs, with several inputs and outputs, shared layers and nested models:
///   ```swift
///   let seq = Input(shape: [10, 3], name: "seq")
///   let meta = Input(shape: [5], name: "meta")
///   let joined = Concatenate()([LSTM(8)(seq), Dense(8, activation: .relu)(meta)])
///   let model = try Model(inputs: [seq, meta], outputs: Dense(1, activation: .sigmoid)(joined))
///   ```
/// - **Sequential**: a ``Sequential`` stack, a special case of the same graph.
/// - **Subclassed**: a subclass creates its layers in `init` (stored properties, found by
///   reflection as mlx-swift finds them) and overrides ``Layer/call(_:training:)``; it trains
///   with `compile`/`fit` like the others and saves its weights as `.weights.h5`.
///
/// A model is a ``Layer``, so models nest: call one on a symbolic tensor to use it inside another.
open class Model: Layer, @unchecked Sendable {
  /// The symbolic inputs (`model.inputs`), in order; empty for a subclassed model.
  public internal(set) var inputs: [KerasTensor] = []
  /// The symbolic outputs (`model.outputs`), in order; empty for a subclassed model.
  public internal(set) var outputs: [KerasTensor] = []
  /// The graph's calls and layers in Keras' order, for a Functional model.
  var graph: GraphMap?

  /// The training side (compiled configuration and the state of a `fit` run): `nil` until
  /// the model is compiled. Inference never touches it.
  public internal(set) var trainer: Trainer?
  /// The step that turns strings into this model's input, for a Keras model whose input is
  /// text (see ``predict(texts:batchSize:verbose:)``); saved into `.keras` files as Keras does.
  public var textVectorization: TextVectorization?

  /// `"Functional"` for a graph model, the subclass' own name for a subclassed one.
  open override class var className: String { self == Model.self ? "Functional" : String(describing: self) }

  /// A subclassed model: create the layers in your `init` after calling this, and override
  /// ``Layer/call(_:training:)``.
  public init(name: String? = nil, trainable: Bool = true) {
    super.init(name: name, trainable: trainable)
  }

  /// A Functional model from symbolic inputs to outputs (`keras.Model(inputs, outputs)`).
  ///
  /// - Throws: the first error of a layer call in the graph (a shape a layer cannot take,
  ///   naming the layer and both shapes); a graph whose outputs need an input not listed in
  ///   `inputs`; two layers with one name.
  public init(inputs: [KerasTensor], outputs: [KerasTensor], name: String? = nil) throws {
    super.init(name: name)
    try setGraph(inputs: inputs, outputs: outputs)
  }

  /// A Functional model with one input and one output.
  public convenience init(inputs: KerasTensor, outputs: KerasTensor, name: String? = nil) throws {
    try self.init(inputs: [inputs], outputs: [outputs], name: name)
  }

  /// A Functional model with one input and several outputs.
  public convenience init(inputs: KerasTensor, outputs: [KerasTensor], name: String? = nil) throws {
    try self.init(inputs: [inputs], outputs: outputs, name: name)
  }

  /// A Functional model with several inputs and one output.
  public convenience init(inputs: [KerasTensor], outputs: KerasTensor, name: String? = nil) throws {
    try self.init(inputs: inputs, outputs: [outputs], name: name)
  }

  /// Makes this model the graph from `inputs` to `outputs`.
  func setGraph(inputs: [KerasTensor], outputs: [KerasTensor]) throws {
    guard !inputs.isEmpty, !outputs.isEmpty else {
      throw KerasError.invalidArgument("Model '\(name)': give at least one input and one output")
    }
    for tensor in inputs + outputs {
      if let error = tensor.graphError { throw error }
    }
    for input in inputs where !(input.layer is InputLayer) {
      throw KerasError.invalidArgument(
        "Model '\(name)': input \(input) is not made by Input(shape:); model inputs must be Input tensors")
    }
    graph = try GraphMap.build(inputs: inputs, outputs: outputs, model: name)
    self.inputs = inputs
    self.outputs = outputs
  }

  /// Whether the model is a graph (Functional or Sequential) rather than subclassed.
  public var isGraphModel: Bool { graph != nil }

  /// The layers: in Keras' graph order for a Functional model (input layers included), the
  /// stack for a ``Sequential``, the layers held by a subclass' stored properties.
  open var layers: [Layer] {
    if let graph { return graph.layers }
    return discoveredLayers
  }

  /// The layers a subclassed model holds in stored properties (single layers, arrays and
  /// optionals of layers), in declaration order.
  var discoveredLayers: [Layer] {
    var found: [Layer] = []
    var seen = Set<ObjectIdentifier>()
    func collect(_ value: Any) {
      if let layer = value as? Layer {
        if seen.insert(ObjectIdentifier(layer)).inserted { found.append(layer) }
      } else if let layers = value as? [Layer] {
        for layer in layers where seen.insert(ObjectIdentifier(layer)).inserted { found.append(layer) }
      }
    }
    var mirror: Mirror? = Mirror(reflecting: self)
    var chain: [Mirror] = []
    while let current = mirror {
      chain.insert(current, at: 0)
      mirror = current.superclassMirror
    }
    for current in chain {
      for child in current.children {
        if case Optional<Any>.some(let wrapped) = child.value as Any? { collect(wrapped) }
      }
    }
    return found
  }

  /// The layer named `name` (`model.get_layer(name)`).
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` listing the model's layer names.
  public func getLayer(_ name: String) throws -> Layer {
    guard let layer = layers.first(where: { $0.name == name }) else {
      throw KerasError.invalidArgument(
        "Model '\(self.name)' has no layer '\(name)'; layers: \(layers.map(\.name).joined(separator: ", "))")
    }
    return layer
  }

  /// The layer at position `index` of ``layers`` (`model.get_layer(index=...)`).
  public func getLayer(index: Int) throws -> Layer {
    let all = layers
    guard all.indices.contains(index) else {
      throw KerasError.invalidArgument("Model '\(name)' has \(all.count) layers; index \(index) is out of range")
    }
    return all[index]
  }

  /// The layers whose weights belong to this model, each once (a shared layer counts once).
  var weightedLayers: [Layer] {
    var seen = Set<ObjectIdentifier>()
    return layers.filter { seen.insert(ObjectIdentifier($0)).inserted }
  }

  /// All weights in Keras order (layer by layer, a shared layer's once).
  open override var weights: [Variable] { weightedLayers.flatMap(\.weights) }
  /// The weights training updates (none of a frozen layer's, none when the model is frozen).
  open override var trainableWeights: [Variable] { trainable ? weightedLayers.flatMap(\.trainableWeights) : [] }
  /// The weights training leaves alone.
  open override var nonTrainableWeights: [Variable] {
    trainable ? weightedLayers.flatMap(\.nonTrainableWeights) : weights
  }
  /// The regularization penalties of every layer.
  open override var regularizationLosses: [Tensor] { weightedLayers.flatMap(\.regularizationLosses) }
  /// The number of scalars in all weights.
  open override func countParams() -> Int { weightedLayers.reduce(0) { $0 + $1.countParams() } }

  /// Whether every layer has its weights (a graph model is built when it is made).
  open override var isBuilt: Bool {
    if graph != nil { return true }
    let all = layers
    return !all.isEmpty && all.allSatisfy(\.isBuilt)
  }

  /// The shape of the model's one input (batch `nil`), when known (`model.input_shape`).
  open var inputShape: [Int?]? { inputs.count == 1 ? inputs[0].shape : nil }

  /// The input shapes (batch `nil`) of a graph model, in input order.
  public var inputShapes: [[Int?]] { inputs.map(\.shape) }
  /// The output shapes (batch `nil`) of a graph model, in output order.
  public var outputShapes: [[Int?]] { outputs.map(\.shape) }
  /// The names of the output layers, in output order (the keys of per-output losses and logs).
  public var outputNames: [String] { outputs.map(\.layer.name) }
  /// The names of the input layers, in input order.
  public var inputNames: [String] { inputs.map(\.layer.name) }

  /// The number of model inputs the forward pass takes (1 for a subclassed model).
  var inputCount: Int { graph == nil ? 1 : inputs.count }
  /// The number of outputs the forward pass returns (1 for a subclassed model).
  var outputCount: Int { graph == nil ? 1 : outputs.count }

  // MARK: - The forward pass

  /// The outputs for `inputs` (one tensor per model input, batch first), with the logits of
  /// each sigmoid or softmax output for the losses. Every way of running a model (calling it,
  /// `predict`, `fit`, `evaluate`, use inside another model) comes here.
  open func forward(_ inputs: [Tensor], training: Bool) throws -> [(output: Tensor, logits: OutputLogits?)] {
    guard let graph else {
      guard inputs.count == 1 else {
        throw KerasError.invalidArgument(
          "Model '\(name)' (\(Self.className)) takes one input in call(_:training:), got \(inputs.count)")
      }
      return [(try call(inputs[0], mask: nil, training: training), nil)]
    }
    if !training, let parts = graphRowParts(inputs) {
      // A part that fails runs again as the whole batch, for the error naming the batch's shape.
      if let result = try? forwardGraphInParts(graph, inputs, parts: parts) { return result }
    }
    return try runGraph(graph, inputs, masks: inputs.map { _ in nil }, training: training).map { ($0.output, $0.logits) }
  }

  /// Into how many parts inference may split the rows (nil: not at all): as a Sequential's, when
  /// every layer computes each row from that row alone at inference.
  private func graphRowParts(_ inputs: [Tensor]) -> Int? {
    guard let first = inputs.first, first.rank >= 1, !ParallelParts.isRecordingGradients,
      inputs.allSatisfy({ $0.rank >= 1 && $0.shape[0] == first.shape[0] }),
      layers.allSatisfy(\.computesRowsIndependentlyInInference)
    else { return nil }
    let parts = ParallelParts.count(rows: first.shape[0], minimumRows: 8)
    return parts > 1 ? parts : nil
  }

  /// Inference with the rows divided among the threads for the whole graph, the parts' outputs
  /// joined in row order.
  private func forwardGraphInParts(_ graph: GraphMap, _ inputs: [Tensor], parts: Int) throws -> [(
    output: Tensor, logits: OutputLogits?
  )] {
    let rows = inputs[0].shape[0]
    let slices = try (0..<parts).map { part in
      try inputs.map { try $0.slice(axis: 0, ((part * rows) / parts)..<(((part + 1) * rows) / parts)) }
    }
    let results = GraphPartResults(count: parts)
    let shared = GraphPartInputs(value: (self, graph, slices, results))
    ParallelParts.run(parts: parts) { part in
      let (model, graph, slices, results) = shared.value
      results.set(
        part,
        Result {
          try model.runGraph(graph, slices[part], masks: slices[part].map { _ in nil }, training: false).map {
            ($0.output, $0.logits)
          }
        })
    }
    let outcomes = try results.values.map { try $0.get() }
    return try outputs.indices.map { index in
      let output = try Tensor.concatenate(outcomes.map { $0[index].output }, axis: 0)
      let logits = outcomes.compactMap { $0[index].logits }
      guard let first = logits.first, logits.count == parts else { return (output, nil) }
      return (
        output,
        OutputLogits(activation: first.activation, values: try Tensor.concatenate(logits.map(\.values), axis: 0))
      )
    }
  }

  /// Runs the graph's calls in order on `inputs`.
  func runGraph(_ graph: GraphMap, _ given: [Tensor], masks: [Tensor?], training: Bool) throws -> [(
    output: Tensor, mask: Tensor?, logits: OutputLogits?
  )] {
    guard given.count == self.inputs.count else {
      throw KerasError.invalidArgument(
        "Model '\(name)' expects \(self.inputs.count) inputs (\(inputNames.joined(separator: ", "))), got \(given.count)")
    }
    var values: [TensorKey: (Tensor, Tensor?)] = [:]
    for (i, (input, tensor)) in zip(self.inputs, given).enumerated() {
      try checkModelInput(tensor, against: input, position: i)
      values[TensorKey(input)] = (tensor, masks[i])
    }
    let outputKeys = Set(outputs.map { TensorKey($0) })
    var logits: [TensorKey: OutputLogits] = [:]
    for node in graph.nodes {
      // A call's own `training` (`base(x, training: false)`) is recorded and saved, but the
      // model's mode wins, as in Keras 3's Functional call, which passes its `training` to
      // every layer whenever it is given (and SwiftKeras always gives it).
      // The layer's dtype policy: float inputs cast to its compute dtype, its outputs in it (Keras' autocast).
      let layer = node.layer
      let args = try node.inputs.map { input in
        let (tensor, mask) = try value(of: input, in: values)
        return (layer.castInput(tensor), mask)
      }
      let states = try node.initialState.map { layer.castInput(try value(of: $0, in: values).0) }
      // Only a call with one output can hand its logits to the loss.
      let producesOutput = node.outputShapes.count == 1 && node.outputs.contains { outputKeys.contains(TensorKey($0)) }
      if let keywordLayer = node.layer as? KeywordCallLayer {
        var keywordValues: [String: (Tensor, Tensor?)] = [:]
        for (name, tensor) in node.keywords.tensors {
          let (keywordValue, mask) = try value(of: tensor, in: values)
          keywordValues[name] = (layer.castInput(keywordValue), mask)
        }
        let result = try keywordLayer.callNode(
          args.map(\.0), masks: args.map(\.1), keywords: node.keywords, keywordValues: keywordValues, training: training)
        for (i, output) in result.outputs.enumerated() {
          values[TensorKey(KerasTensor(node: node, index: i))] = (
            layer.castOutput(output), result.masks.indices.contains(i) ? result.masks[i] : nil
          )
        }
      } else if producesOutput {
        let result = try node.layer.callNodeReturningLogits(
          args.map(\.0), masks: args.map(\.1), initialState: states, training: training)
        for (i, output) in result.outputs.enumerated() {
          values[TensorKey(KerasTensor(node: node, index: i))] = (
            layer.castOutput(output), result.masks.indices.contains(i) ? result.masks[i] : nil
          )
        }
        if let l = layer.castOutput(result.logits) { logits[TensorKey(KerasTensor(node: node, index: 0))] = l }
      } else {
        let result = try node.layer.callNode(args.map(\.0), masks: args.map(\.1), initialState: states, training: training)
        for (i, output) in result.outputs.enumerated() {
          values[TensorKey(KerasTensor(node: node, index: i))] = (
            layer.castOutput(output), result.masks.indices.contains(i) ? result.masks[i] : nil
          )
        }
      }
    }
    return try outputs.map { output in
      let (tensor, mask) = try value(of: output, in: values)
      return (tensor, mask, logits[TensorKey(output)])
    }
  }

  private func value(of tensor: KerasTensor, in values: [TensorKey: (Tensor, Tensor?)]) throws -> (Tensor, Tensor?) {
    guard let value = values[TensorKey(tensor)] else {
      throw KerasError.invalidArgument("Model '\(name)': layer '\(tensor.layer.name)' returned fewer outputs than its call declared")
    }
    return value
  }

  /// Whether data of `shape` can be a model input declared `expected` (batch first, `nil` for
  /// any size): the same rank, every fixed size but the batch equal; a sequence `[N, T, F]`
  /// may also have another length, as recurrent models in Keras accept.
  static func accepts(_ shape: [Int], as expected: [Int?]) -> Bool {
    guard shape.count == expected.count else { return false }
    let fits = zip(expected.dropFirst(), shape.dropFirst()).allSatisfy { e, g in e == nil || e == g }
    return fits || (shape.count == 3 && expected.last == shape.last)
  }

  /// Throws when `tensor` cannot be the model input `input` (rank or a fixed size differs),
  /// naming the input and both shapes as Keras does.
  func checkModelInput(_ tensor: Tensor, against input: KerasTensor, position: Int) throws {
    let expected = input.shape
    guard Model.accepts(tensor.shape, as: expected) else {
      throw KerasError.invalidArgument(
        "Model '\(name)': input \(position) ('\(input.layer.name)') expects shape \(kerasShapeText(expected)), "
          + "got \(kerasShapeText(tensor.shape.map { $0 }))")
    }
  }

  /// The model's output for one input (batch first); a model with several outputs returns the first.
  open override func call(_ input: Tensor, mask: Tensor?, training: Bool) throws -> Tensor {
    guard let graph else { return try call(input, training: training) }
    return try runGraph(graph, [input], masks: [mask], training: training)[0].output
  }

  /// Calls the model on one input tensor (batch first), in inference mode unless `training`.
  open override func callAsFunction(_ input: Tensor, training: Bool = false) throws -> Tensor {
    try callAsFunction([input], training: training)[0]
  }

  /// The outputs for several input tensors (one per model input).
  public func callAsFunction(_ inputs: [Tensor], training: Bool = false) throws -> [Tensor] {
    if graph == nil, inputs.count == 1 {
      // A subclassed model's layers build on their first call.
      return [try call(inputs[0], mask: nil, training: training)]
    }
    return try forward(inputs, training: training).map(\.output)
  }

  // MARK: - A model inside another model

  open override func symbolicOutputShapes(
    _ inputShapes: [[Int?]], initialStateShapes: [[Int?]], inputDTypes: [String]
  ) throws -> [[Int?]] {
    guard initialStateShapes.isEmpty else { throw KerasError.invalidArgument("Model '\(name)' takes no initialState") }
    guard graph != nil else {
      guard inputShapes.count == 1 else {
        throw KerasError.invalidArgument("Model '\(name)' takes one input, got \(inputShapes.count)")
      }
      return [try outputShape(for: inputShapes[0])]
    }
    guard inputShapes.count == inputs.count else {
      throw KerasError.invalidArgument(
        "Model '\(name)' takes \(inputs.count) inputs (\(inputNames.joined(separator: ", "))), got \(inputShapes.count)")
    }
    for (i, (shape, input)) in zip(inputShapes, inputs).enumerated() {
      let expected = input.shape
      let fits = shape.count == expected.count && zip(expected, shape).allSatisfy { e, g in e == nil || g == nil || e == g }
      guard fits else {
        throw KerasError.incompatibleInput(
          layer: name, expected: kerasShapeText(expected), got: shape.map { $0 ?? -1 })
      }
      _ = i
    }
    return outputShapes
  }

  open override func callNode(_ inputs: [Tensor], masks: [Tensor?], initialState: [Tensor], training: Bool) throws -> (
    outputs: [Tensor], masks: [Tensor?]
  ) {
    guard let graph else {
      return ([try call(inputs[0], mask: masks.first ?? nil, training: training)], [nil])
    }
    let results = try runGraph(graph, inputs, masks: masks, training: training)
    return (results.map(\.output), results.map(\.mask))
  }

  open override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    if graph != nil { return outputs.first?.shape ?? inputShape }
    return inputShape
  }
}

/// The values a parallel graph pass hands its threads, each of which only reads them.
private struct GraphPartInputs: @unchecked Sendable {
  let value: (Model, GraphMap, [[Tensor]], GraphPartResults)
}

/// Each part's outputs of a parallel graph pass, in a slot that only that part's thread writes.
private final class GraphPartResults: @unchecked Sendable {
  typealias Outcome = Result<[(output: Tensor, logits: OutputLogits?)], any Error>
  private var slots: [Outcome?]
  private let lock = NSLock()

  init(count: Int) { slots = Array(repeating: nil, count: count) }

  func set(_ part: Int, _ outcome: Outcome) { lock.withLock { slots[part] = outcome } }

  /// The outcomes in part order (read after every part is done).
  var values: [Outcome] {
    lock.withLock { slots.enumerated().map { $0.element ?? .failure(KerasError.invalidArgument("part \($0.offset) did not run")) } }
  }
}
