/// One object of the tree Keras 3 walks to save state (`saving_lib._save_state`): a layer, an
/// RNN cell or a wrapped layer, with its own variables and the objects it holds.
///
/// In a `.weights.h5` file each node is a group whose `vars` subgroup carries the node's `name`
/// as an attribute and its variables as datasets `0`, `1`, ... (Keras'
/// `_trainable_variables + _non_trainable_variables`, i.e. creation order with trainable
/// weights first, which is ``Layer/ownWeights``); children follow under their attribute key.
/// SwiftKeras layers map onto Keras' objects like this:
///
/// - a recurrent layer (`LSTM`, `GRU`, `SimpleRNN`) holds no variables itself; its weights
///   belong to its `cell` (named `lstm_cell`, `gru_cell`, `simple_rnn_cell`);
/// - ``Bidirectional`` holds `backward_layer` and `forward_layer` (Keras visits attributes in
///   name order);
/// - ``TimeDistributed`` holds `layer`;
/// - ``MultiHeadAttention`` holds `key_dense`, `output_dense`, `query_dense` and `value_dense`
///   (named `key`, `attention_output`, `query`, `value`);
/// - a nested model (``Sequential``, Functional) holds its layers under `layers/<key>`;
/// - every other layer keeps its ``Layer/ownWeights`` itself.
struct SaveableNode {
  /// The `name` attribute of the node's `vars` group (the layer's or cell's Keras name).
  let name: String
  /// The model's layer the node belongs to, for error messages (a cell reports its layer).
  let layer: String
  /// The node's own variables, in the order of the datasets `0`, `1`, ...
  let variables: [Variable]
  /// The nodes it holds, by attribute key, in the order Keras visits them.
  let children: [Child]

  /// A node held by another under an attribute key (`cell`, `forward_layer`, `layer`).
  struct Child {
    /// The attribute name, the group's name in the file.
    let key: String
    /// The node held.
    let node: SaveableNode
  }

  /// The node for `layer` and the objects inside it.
  init(_ layer: Layer) {
    switch layer {
    case let model as Model:
      // A nested model keeps its layers under `layers/<key>`, as at the top level.
      let children = SaveableNode.layerNodes(model.layers).map { Child(key: "layers/" + $0.key, node: $0.node) }
      self.init(name: layer.name, layer: layer.name, variables: [], children: children)
    case let recurrent as RecurrentLayer:
      let cellName = LayerNames.snakeCase(type(of: recurrent).className) + "_cell"
      let cell = SaveableNode(name: cellName, layer: layer.name, variables: layer.ownWeights, children: [])
      self.init(name: layer.name, layer: layer.name, variables: [], children: [Child(key: "cell", node: cell)])
    case let bidirectional as Bidirectional:
      self.init(
        name: layer.name, layer: layer.name, variables: layer.ownWeights,
        children: [
          Child(key: "backward_layer", node: SaveableNode(bidirectional.backwardLayer)),
          Child(key: "forward_layer", node: SaveableNode(bidirectional.forwardLayer)),
        ])
    case let attention as MultiHeadAttention:
      // Keras keeps the four projections in EinsumDense sublayers, visited in attribute order.
      let children = attention.projections.sorted { $0.key < $1.key }.map {
        Child(key: $0.key, node: SaveableNode(name: $0.name, layer: layer.name, variables: $0.weights, children: []))
      }
      self.init(name: layer.name, layer: layer.name, variables: [], children: children)
    case let wrapper as TimeDistributed:
      self.init(
        name: layer.name, layer: layer.name, variables: layer.ownWeights,
        children: [Child(key: "layer", node: SaveableNode(wrapper.layer))])
    default:
      self.init(name: layer.name, layer: layer.name, variables: layer.ownWeights, children: [])
    }
  }

  private init(name: String, layer: String, variables: [Variable], children: [Child]) {
    self.name = name
    self.layer = layer
    self.variables = variables
    self.children = children
  }

  /// Whether the node or any node inside it has variables.
  var holdsVariables: Bool { !variables.isEmpty || children.contains { $0.node.holdsVariables } }

  /// The nodes of a model's layers under the keys Keras gives them in `layers/`: the snake_case
  /// class name, numbered per class in model order (`dense`, `lstm`, `dense_1`), as
  /// `saving_lib._save_container_state` does; layer names play no part.
  static func layerNodes(_ layers: [Layer]) -> [Child] {
    var used: [String: Int] = [:]
    return layers.map { layer in
      let base = LayerNames.snakeCase(type(of: layer).className)
      let key: String
      if let count = used[base] {
        used[base] = count + 1
        key = "\(base)_\(count + 1)"
      } else {
        used[base] = 0
        key = base
      }
      return Child(key: key, node: SaveableNode(layer))
    }
  }
}
