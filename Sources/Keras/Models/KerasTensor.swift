/// A symbolic tensor of a model graph (Keras' `KerasTensor`): the shape of a value (batch
/// dimension `nil`) and the layer call that produces it.
///
/// ```swift
/// let seq = Input(shape: [10, 3], name: "seq")
/// let meta = Input(shape: [5], name: "meta")
/// let joined = Concatenate()([LSTM(8)(seq), Dense(8, activation: .relu)(meta)])
/// let model = try Model(inputs: [seq, meta], outputs: Dense(1, activation: .sigmoid)(joined))
/// ```
///
/// Calling a layer on symbolic tensors builds the layer and infers the output shape at once.
/// A call that cannot work (a shape the layer does not take) does not stop the program there:
/// the tensor it returns carries the error, which ``Model/init(inputs:outputs:name:)-([KerasTensor],[KerasTensor],_)`` throws,
/// naming the layer and both shapes.
public struct KerasTensor: Sendable, CustomStringConvertible {
  /// The layer call that produces this tensor.
  public let node: Node
  /// Which of the call's outputs this is.
  public let index: Int

  init(node: Node, index: Int) {
    self.node = node
    self.index = index
  }

  /// The shape, batch dimension `nil` (empty when the call that makes it failed).
  public var shape: [Int?] { node.outputShapes.indices.contains(index) ? node.outputShapes[index] : [] }
  /// The element type: `"float32"`, or `"int32"`/`"int64"` for an integer input.
  public var dtype: String { node.outputDTypes.indices.contains(index) ? node.outputDTypes[index] : "float32" }
  /// The layer that produces this tensor.
  public var layer: Layer { node.layer }
  /// The error of the call that produced this tensor or one before it, if any.
  public var graphError: (any Error)? { node.error }

  /// `<KerasTensor shape=(None, 8), dtype=float32, name=dense>`, as Keras prints it.
  public var description: String {
    "<KerasTensor shape=\(kerasShapeText(shape)), dtype=\(dtype), name=\(node.layer.name)>"
  }

  /// Whether two symbolic tensors are the same output of the same call.
  func isSame(as other: KerasTensor) -> Bool { node === other.node && index == other.index }
}

/// One call of a layer in a graph (Keras' `Node`): the symbolic inputs, the call's keyword
/// arguments (an RNN's `initialState`) and the output shapes.
public final class Node: @unchecked Sendable {
  /// The layer called.
  public let layer: Layer
  /// The positional inputs (one, or a list for merge layers and multi-input models).
  public let inputs: [KerasTensor]
  /// Whether the inputs were given as a list (`layer([a, b])`), as Keras records the call.
  let inputsAsList: Bool
  /// The `initial_state` of a recurrent layer call, if given.
  public let initialState: [KerasTensor]
  /// The call's other keyword arguments (``CallKeywords``): tensors such as an attention layer's
  /// `key` and `attention_mask`, and settings such as `use_causal_mask`.
  public let keywords: CallKeywords
  /// The output shapes, batch dimension `nil`.
  public let outputShapes: [[Int?]]
  /// The output element types.
  let outputDTypes: [String]
  /// Why the call failed (or an earlier one it depends on), if it did.
  public let error: (any Error)?
  /// This node's position among the calls of its layer (Keras' node index).
  public let indexInLayer: Int

  init(
    layer: Layer, inputs: [KerasTensor], inputsAsList: Bool, initialState: [KerasTensor], outputShapes: [[Int?]],
    outputDTypes: [String]? = nil, keywords: CallKeywords = CallKeywords(), error: (any Error)?
  ) {
    self.layer = layer
    self.inputs = inputs
    self.inputsAsList = inputsAsList
    self.initialState = initialState
    self.keywords = keywords
    self.outputShapes = outputShapes
    self.outputDTypes = outputDTypes ?? outputShapes.map { _ in "float32" }
    self.error = error
    self.indexInLayer = layer.recordNode()
    layer.inboundNodes.append(WeakNode(self))
  }

  /// The symbolic outputs of this call.
  public var outputs: [KerasTensor] { outputShapes.indices.map { KerasTensor(node: self, index: $0) } }
  /// Every symbolic tensor this call reads: inputs, then initial states, then keyword tensors.
  var allInputs: [KerasTensor] { inputs + initialState + keywords.tensors.map(\.tensor) }
}

/// A node held weakly by its layer (the model and the symbolic tensors own the graph).
struct WeakNode {
  weak var node: Node?
  init(_ node: Node) { self.node = node }
}

/// A symbolic model input (`keras.Input`): a tensor of `shape` (batch dimension excluded)
/// made by an ``InputLayer``.
///
/// In a ``Sequential`` builder it declares the input shape as before
/// (`Sequential { Input(shape: [60, 1]); LSTM(50) }`).
/// `dtype` is `"float32"` or `"int32"`/`"int64"` (token ids, as an Embedding's input).
public func Input(
  shape: [Int], batchSize: Int? = nil, name: String? = nil, dtype: String = "float32"
) -> KerasTensor {
  InputLayer(shape: shape, batchSize: batchSize, name: name, dtype: dtype).output
}

/// A symbolic model input with sizes left unknown (`nil`), as Keras' `Input(shape=(None, 13))`
/// for sequences of any length: `Input(shape: [nil, 13])`.
public func Input(
  shape: [Int?], batchSize: Int? = nil, name: String? = nil, dtype: String = "float32"
) -> KerasTensor {
  InputLayer(dimensions: shape, batchSize: batchSize, name: name, dtype: dtype).output
}

extension Layer {
  /// Calls the layer on a symbolic tensor, recording the call in the graph: the output's
  /// shape is inferred and the layer built now. See ``KerasTensor`` for how errors surface.
  public func callAsFunction(_ input: KerasTensor) -> KerasTensor {
    symbolicCall([input], asList: false, initialState: []).first ?? KerasTensor(node: failedNode(input), index: 0)
  }

  /// Calls the layer on a symbolic tensor with a `training` argument, as Keras'
  /// `base_model(x, training=False)`: the argument is recorded and saved in the model's config
  /// as Keras saves it, so files round-trip. As in Keras 3, the mode the model itself runs in
  /// wins (`fit` trains, `predict` infers); to keep a base's weights and BatchNormalization
  /// statistics fixed while the rest trains, set `base.trainable = false`.
  public func callAsFunction(_ input: KerasTensor, training: Bool) -> KerasTensor {
    symbolicCall([input], asList: false, initialState: [], keywords: CallKeywords(settings: [("training", .bool(training))]))
      .first ?? KerasTensor(node: failedNode(input), index: 0)
  }

  /// Calls a layer that takes several inputs (merge layers, models with several inputs).
  public func callAsFunction(_ inputs: [KerasTensor]) -> KerasTensor {
    symbolicCall(inputs, asList: true, initialState: []).first
      ?? KerasTensor(node: failedNode(inputs.first), index: 0)
  }

  /// Calls the layer and returns every output: `[output, h]` or `[output, h, c]` for a recurrent
  /// layer with `returnState: true`, one per output for a model with several outputs.
  ///
  /// ```swift
  /// let states: [KerasTensor] = LSTM(64, returnState: true)(encoderInputs)   // [output, h, c]
  /// let decoded: [KerasTensor] = decoderLSTM(decoderInputs, initialState: Array(states[1...]))
  /// ```
  @_disfavoredOverload
  public func callAsFunction(_ input: KerasTensor, initialState: [KerasTensor]? = nil) -> [KerasTensor] {
    symbolicCall([input], asList: false, initialState: initialState ?? [])
  }

  /// Calls the layer on several inputs and returns every output.
  @_disfavoredOverload
  public func callAsFunction(_ inputs: [KerasTensor]) -> [KerasTensor] {
    symbolicCall(inputs, asList: true, initialState: [])
  }

  /// Calls a recurrent layer from given initial states (`initial_state=` in Keras), returning its output.
  public func callAsFunction(_ input: KerasTensor, initialState: [KerasTensor]) -> KerasTensor {
    let outputs: [KerasTensor] = symbolicCall([input], asList: false, initialState: initialState)
    return outputs.first ?? KerasTensor(node: failedNode(input), index: 0)
  }

  /// The output of the layer's first call (`layer.output`), e.g. for a feature extractor:
  /// `Model(inputs: model.inputs, outputs: model.getLayer("lstm").output)`.
  public var output: KerasTensor {
    if let input = self as? InputLayer { return KerasTensor(node: input.makeSourceNode(), index: 0) }
    guard let node = inboundNodes.lazy.compactMap(\.node).first, let first = node.outputs.first else {
      return KerasTensor(
        node: Node(
          layer: self, inputs: [], inputsAsList: false, initialState: [], outputShapes: [],
          error: KerasError.notBuilt("Layer '\(name)' has never been called, so it has no output yet")), index: 0)
    }
    return first
  }

  /// The input of the layer's first call (`layer.input`).
  public var input: KerasTensor? { inboundNodes.lazy.compactMap(\.node).first?.inputs.first }

  private func failedNode(_ input: KerasTensor?) -> Node {
    Node(
      layer: self, inputs: input.map { [$0] } ?? [], inputsAsList: false, initialState: [], outputShapes: [],
      error: input?.graphError ?? KerasError.invalidArgument("Layer '\(name)': called on no inputs"))
  }

  /// Records one call: shapes checked and inferred, the layer built, the node created.
  func symbolicCall(
    _ inputs: [KerasTensor], asList: Bool, initialState: [KerasTensor], keywords: CallKeywords = CallKeywords()
  ) -> [KerasTensor] {
    func node(_ shapes: [[Int?]], _ error: (any Error)?) -> Node {
      Node(
        layer: self, inputs: inputs, inputsAsList: asList, initialState: initialState, outputShapes: shapes,
        keywords: keywords, error: error)
    }
    if let failed = (inputs + initialState + keywords.tensors.map(\.tensor)).first(where: { $0.graphError != nil }) {
      return [KerasTensor(node: node([], failed.graphError), index: 0)]
    }
    do {
      let shapes: [[Int?]]
      if let keywordLayer = self as? KeywordCallLayer {
        guard initialState.isEmpty else { throw KerasError.invalidArgument("Layer '\(name)' takes no initialState") }
        shapes = try keywordLayer.symbolicOutputShapes(inputs.map(\.shape), keywords: keywords)
      } else {
        if let name = keywords.tensors.first?.name ?? keywords.settings.first(where: { $0.name != "training" })?.name {
          throw KerasError.invalidArgument("Layer '\(self.name)' (\(Self.className)) takes no keyword argument '\(name)'")
        }
        shapes = try symbolicOutputShapes(
          inputs.map(\.shape), initialStateShapes: initialState.map(\.shape), inputDTypes: inputs.map(\.dtype))
      }
      return node(shapes, nil).outputs
    } catch {
      return [KerasTensor(node: node([], error), index: 0)]
    }
  }
}

/// The keyword arguments of a graph call besides `initial_state`, as Keras records them in the
/// node's `kwargs`: tensors (`key`, `attention_mask`) and settings (`use_causal_mask: true`).
public struct CallKeywords: Sendable {
  /// Keyword tensors, by Keras' argument name.
  public var tensors: [(name: String, tensor: KerasTensor)]
  /// Other keyword arguments, by Keras' argument name, as config values.
  public var settings: [(name: String, value: ConfigValue)]

  /// Keyword arguments of a call (none by default).
  public init(tensors: [(name: String, tensor: KerasTensor)] = [], settings: [(name: String, value: ConfigValue)] = []) {
    self.tensors = tensors
    self.settings = settings
  }

  /// Whether there are none.
  public var isEmpty: Bool { tensors.isEmpty && settings.isEmpty }

  /// The keyword tensor `name`, if given.
  func tensor(_ name: String) -> KerasTensor? { tensors.first { $0.name == name }?.tensor }

  /// The setting `name`, if given.
  func setting(_ name: String) -> ConfigValue? { settings.first { $0.name == name }?.value }
}

/// A layer whose graph calls take keyword arguments (``CallKeywords``), such as the attention
/// layers' `key`, `attention_mask`, `use_causal_mask` and `return_attention_scores`.
protocol KeywordCallLayer: Layer {
  /// The output shapes of a call on `inputShapes` with `keywords`, building the layer.
  ///
  /// - Throws: for an input or a keyword the layer does not take, naming the layer.
  func symbolicOutputShapes(_ inputShapes: [[Int?]], keywords: CallKeywords) throws -> [[Int?]]

  /// One call in a model graph: `keywordValues` holds the value and mask of each keyword tensor.
  func callNode(
    _ inputs: [Tensor], masks: [Tensor?], keywords: CallKeywords, keywordValues: [String: (Tensor, Tensor?)],
    training: Bool
  ) throws -> (outputs: [Tensor], masks: [Tensor?])

  /// The `build_config` Keras writes for the layer's first call `node`, or nil for the usual
  /// `input_shape`.
  func buildConfig(for node: Node) -> ConfigValue?
}

extension KeywordCallLayer {
  func buildConfig(for node: Node) -> ConfigValue? { nil }
}

extension CallKeywords {
  /// The Boolean setting `name` (false when absent).
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the layer when it is not a Boolean.
  func flag(_ name: String, layer: String) throws -> Bool {
    switch setting(name) {
    case nil, .null?: return false
    case .bool(let value)?: return value
    case let value?:
      throw KerasError.invalidArgument("Layer '\(layer)': keyword argument '\(name)' must be true or false, got \(value.json)")
    }
  }

  /// Throws unless every keyword is one of `tensorNames` or `settingNames` (`training` is always allowed).
  func check(tensorNames: [String], settingNames: [String], layer: String, className: String) throws {
    for name in tensors.map(\.name) where !tensorNames.contains(name) {
      throw KerasError.invalidArgument("Layer '\(layer)' (\(className)) takes no keyword tensor '\(name)'")
    }
    for name in settings.map(\.name) where !settingNames.contains(name) && name != "training" {
      throw KerasError.invalidArgument("Layer '\(layer)' (\(className)) takes no keyword argument '\(name)'")
    }
  }
}
