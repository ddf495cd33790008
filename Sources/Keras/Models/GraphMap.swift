/// The calls between a model's inputs and outputs, ordered as Keras orders them
/// (`keras.src.ops.function.map_graph`): nodes to run in dependency order, and the layers by
/// decreasing depth (inputs first), ties broken by the order a depth-first walk from the
/// outputs first meets them. That layer order is `model.layers`, the order of `summary()`,
/// of the config's `layers` and of the weights.
struct GraphMap {
  /// Every call to run, each after the calls it reads (input calls excluded).
  let nodes: [Node]
  /// The layers, input layers included, in Keras' order.
  let layers: [Layer]
  /// Each node's depth, 0 at the outputs and growing towards the inputs (a shared layer's
  /// calls all at its deepest), by the node's identity.
  let depths: [ObjectIdentifier: Int]

  /// The depth of `node` (0 when it is not in the graph).
  func depth(of node: Node) -> Int { depths[ObjectIdentifier(node)] ?? 0 }

  /// Walks the graph from `outputs` back to `inputs`.
  ///
  /// - Throws: when an output depends on an input that is not among `inputs` ("graph
  ///   disconnected", naming the layer and the input), or when two layers share a name.
  static func build(inputs: [KerasTensor], outputs: [KerasTensor], model: String) throws -> GraphMap {
    var finished = Set<ObjectIdentifier>()
    var inProgress = Set<ObjectIdentifier>()
    var ordered: [Node] = []
    var layerIndex: [ObjectIdentifier: Int] = [:]
    let inputKeys = Set(inputs.map { TensorKey($0) })

    func visit(_ tensor: KerasTensor) throws {
      let node = tensor.node
      let id = ObjectIdentifier(node)
      if finished.contains(id) { return }
      if !node.inputs.isEmpty || !node.initialState.isEmpty, inputKeys.contains(TensorKey(tensor)) {
        finished.insert(id)
        return
      }
      guard !inProgress.contains(id) else {
        throw KerasError.invalidArgument("Model '\(model)': the tensor from layer '\(node.layer.name)' is part of a cycle")
      }
      if layerIndex[ObjectIdentifier(node.layer)] == nil { layerIndex[ObjectIdentifier(node.layer)] = layerIndex.count }
      inProgress.insert(id)
      for input in node.allInputs { try visit(input) }
      finished.insert(id)
      inProgress.remove(id)
      ordered.append(node)
    }
    for output in outputs { try visit(output) }

    // Depths: 0 at the outputs, growing towards the inputs; a layer called several times
    // takes the largest depth of its calls.
    var nodeDepth: [ObjectIdentifier: Int] = [:]
    var layerDepth: [ObjectIdentifier: Int] = [:]
    let inGraph = Set(ordered.map { ObjectIdentifier($0) })
    for node in ordered.reversed() {
      var depth = nodeDepth[ObjectIdentifier(node), default: 0]
      depth = Swift.max(depth, layerDepth[ObjectIdentifier(node.layer), default: 0])
      layerDepth[ObjectIdentifier(node.layer)] = depth
      nodeDepth[ObjectIdentifier(node)] = depth
      for parent in node.allInputs.map(\.node) where inGraph.contains(ObjectIdentifier(parent)) {
        nodeDepth[ObjectIdentifier(parent)] = Swift.max(depth + 1, nodeDepth[ObjectIdentifier(parent), default: 0])
      }
    }
    var layersByID: [ObjectIdentifier: Layer] = [:]
    for node in ordered { layersByID[ObjectIdentifier(node.layer)] = node.layer }
    for input in inputs where layerDepth[ObjectIdentifier(input.layer)] == nil && input.node.inputs.isEmpty {
      layerDepth[ObjectIdentifier(input.layer)] = 0
      layerIndex[ObjectIdentifier(input.layer)] = -1
      layersByID[ObjectIdentifier(input.layer)] = input.layer
    }
    let layers = layersByID.values.sorted { a, b in
      let (da, db) = (layerDepth[ObjectIdentifier(a)]!, layerDepth[ObjectIdentifier(b)]!)
      return da != db ? da > db : layerIndex[ObjectIdentifier(a)]! < layerIndex[ObjectIdentifier(b)]!
    }

    // Every tensor a call reads must come from the inputs or an earlier call.
    var computable = inputKeys
    let runnable = ordered.filter { !(($0.inputs.isEmpty && $0.initialState.isEmpty)) }
    for node in ordered {
      if node.inputs.isEmpty && node.initialState.isEmpty {
        let key = TensorKey(KerasTensor(node: node, index: 0))
        guard computable.contains(key) else {
          let input = node.layer.name
          throw KerasError.invalidArgument(
            "Model '\(model)': graph disconnected: the outputs depend on input '\(input)', which is not among the "
              + "model's inputs (\(inputs.map(\.layer.name).joined(separator: ", "))); add it to `inputs:`")
        }
        continue
      }
      for tensor in node.allInputs where !computable.contains(TensorKey(tensor)) {
        throw KerasError.invalidArgument(
          "Model '\(model)': graph disconnected: layer '\(node.layer.name)' reads \(tensor), which cannot be "
            + "computed from the model's inputs")
      }
      for output in node.outputs { computable.insert(TensorKey(output)) }
    }
    var seen = Set<String>()
    for layer in layers where !seen.insert(layer.name).inserted {
      throw KerasError.invalidArgument(
        "Model '\(model)': the name \"\(layer.name)\" is used by more than one layer; all layer names must be unique")
    }
    return GraphMap(nodes: runnable, layers: layers, depths: nodeDepth)
  }
}

/// A symbolic tensor as a dictionary key: its node and output index.
struct TensorKey: Hashable {
  let node: ObjectIdentifier
  let index: Int
  init(_ tensor: KerasTensor) {
    node = ObjectIdentifier(tensor.node)
    index = tensor.index
  }
}
