extension Model {
  /// A Functional model's config as Keras 3 writes it in `config.json`: the layers in graph
  /// order, each with its `inbound_nodes` (`args` of `__keras_tensor__` histories and `kwargs`
  /// such as `initial_state`), then `input_layers` and `output_layers` (one triple for a single
  /// input or output, a list of triples for several).
  var functionalSerializedConfig: ConfigValue {
    var pairs: [(String, ConfigValue)] = [
      ("module", "keras.src.models.functional"), ("class_name", "Functional"), ("config", functionalBody(legacy: false)),
      ("registered_name", "Functional"), ("build_config", .object([("input_shape", .null)])),
    ]
    pairs.append(("compile_config", compiled?.compileConfig ?? .object([])))
    return .object(pairs)
  }

  /// The `model_config` of a Keras 3 legacy `.h5` file: the same body without `module`,
  /// `registered_name`, `build_config` and `compile_config` on the layers.
  var functionalLegacyModelConfig: ConfigValue {
    .object([("class_name", "Functional"), ("config", functionalBody(legacy: true))])
  }

  private func functionalBody(legacy: Bool) -> ConfigValue {
    guard let graph else { return .object([("name", .string(name)), ("trainable", .bool(trainable)), ("layers", .array([]))]) }
    let layers: [ConfigValue] = graph.layers.map { layer in
      var pairs: [(String, ConfigValue)]
      if let nested = layer as? Model {
        guard case .object(let serialized) = (legacy ? nested.legacyModelConfig : nested.serializedConfig) else { return .null }
        pairs = serialized.filter { !legacy || ($0.0 != "module" && $0.0 != "registered_name") }
      } else {
        pairs = layer.serializationHeader.filter { !legacy || ($0.0 != "module" && $0.0 != "registered_name") }
        if !legacy {
          // As Keras: the input shape of the first call, a list of shapes for a merge layer;
          // none for a call with an initial state (Keras writes a shapes_dict, and builds on call).
          let first = layer.inboundNodes.compactMap(\.node).first { node in graph.nodes.contains { $0 === node } }
          if let first, let keywordLayer = layer as? KeywordCallLayer, let buildConfig = keywordLayer.buildConfig(for: first) {
            pairs.append(("build_config", buildConfig))
          } else if let first, !(layer is InputLayer), first.initialState.isEmpty {
            let shapes = first.inputs.map(\.shape)
            let value: ConfigValue = first.inputsAsList ? .array(shapes.map { .shape($0) }) : .shape(shapes[0])
            pairs.append(("build_config", .object([("input_shape", value)])))
          }
        }
      }
      pairs.append(("name", .string(layer.name)))
      let nodes = layer.inboundNodes.compactMap(\.node).filter { node in
        graph.nodes.contains { $0 === node }
      }
      pairs.append(("inbound_nodes", .array(nodes.map { nodeConfig($0, graph) })))
      return .object(pairs)
    }
    return .object([
      ("name", .string(name)), ("trainable", .bool(trainable)), ("layers", .array(layers)),
      ("input_layers", historyList(inputs, graph)), ("output_layers", historyList(outputs, graph)),
    ])
  }

  private func nodeConfig(_ node: Node, _ graph: GraphMap) -> ConfigValue {
    let tensors = node.inputs.map { tensorConfig($0, graph) }
    let args: ConfigValue = node.inputsAsList ? .array([.array(tensors)]) : .array(tensors)
    var kwargs: [(String, ConfigValue)] = []
    if !node.initialState.isEmpty {
      kwargs.append(("initial_state", .array(node.initialState.map { tensorConfig($0, graph) })))
    }
    for (name, tensor) in node.keywords.tensors { kwargs.append((name, tensorConfig(tensor, graph))) }
    for (name, value) in node.keywords.settings { kwargs.append((name, value)) }
    return .object([("args", args), ("kwargs", .object(kwargs))])
  }

  private func tensorConfig(_ tensor: KerasTensor, _ graph: GraphMap) -> ConfigValue {
    .object([
      ("class_name", "__keras_tensor__"),
      (
        "config",
        .object([
          ("shape", .shape(tensor.shape)), ("dtype", .string(tensor.dtype)),
          ("keras_history", history(tensor, graph)),
        ])
      ),
    ])
  }

  private func history(_ tensor: KerasTensor, _ graph: GraphMap) -> ConfigValue {
    .array([.string(tensor.layer.name), .int(graphNodeIndex(tensor.node, graph)), .int(tensor.index)])
  }

  private func historyList(_ tensors: [KerasTensor], _ graph: GraphMap) -> ConfigValue {
    tensors.count == 1 ? history(tensors[0], graph) : .array(tensors.map { history($0, graph) })
  }
}

/// The names of the Keras 3 config entries that only compute masks, with their class names:
/// the entries whose results are used, directly or through other such entries, only as the
/// `mask` argument of a call (never as a positional input, an initial state or a model output).
/// Keras 3 writes them as operation nodes (`NotEqual`, `ExpandDims`, `ZerosLike`, `LogicalOr`,
/// `Concatenate` of `keras.src.ops.numpy`, `Any`, ...); a legacy `.h5` config omits their
/// module, so they are told apart by how they are used rather than by name.
func kerasMaskOperations(_ layerConfigs: [ConfigValue], outputs: ConfigValue?) -> [String: String] {
  /// The layer names of the `__keras_tensor__` histories inside `value`.
  func sources(_ value: ConfigValue?) -> [String] {
    switch value {
    case .object(let pairs)?:
      if value?["class_name"]?.stringValue == "__keras_tensor__",
        case .array(let history)? = value?["config"]?["keras_history"], let name = history.first?.stringValue
      {
        return [name]
      }
      return pairs.flatMap { sources($0.1) }
    case .array(let items)?: return items.flatMap { sources($0) }
    default: return []
    }
  }
  /// The layer names of `output_layers` (`[name, node, index]` triples, or one triple).
  func endpoints(_ value: ConfigValue?) -> [String] {
    guard case .array(let list)? = value else { return [] }
    if let name = list.first?.stringValue { return [name] }
    return list.flatMap { endpoints($0) }
  }
  var classes: [String: String] = [:]
  var positional: [String: Set<String>] = [:]  // entry -> the entries it reads as inputs
  var maskReads = Set<String>()
  for value in layerConfigs {
    guard let name = value["name"]?.stringValue, let className = value["class_name"]?.stringValue,
      className != "InputLayer", case .array(let nodes)? = value["inbound_nodes"]
    else { continue }
    classes[name] = className
    for node in nodes where node["args"] != nil {
      positional[name, default: []].formUnion(sources(node["args"]))
      if case .object(let kwargs)? = node["kwargs"] {
        for (key, argument) in kwargs {
          if key == "mask" {
            maskReads.formUnion(sources(argument))
          } else {
            positional[name, default: []].formUnion(sources(argument))
          }
        }
      }
    }
  }
  // Candidates shrink until no entry outside them reads one of them as an input.
  var candidates = Set(classes.keys).subtracting(endpoints(outputs))
  var changed = true
  while changed {
    changed = false
    for (reader, inputs) in positional where !candidates.contains(reader) {
      let used = inputs.intersection(candidates)
      if !used.isEmpty {
        candidates.subtract(used)
        changed = true
      }
    }
  }
  // Keep the candidates a mask argument reaches.
  var reached = Set<String>()
  var frontier = Array(maskReads.intersection(candidates))
  while let name = frontier.popLast() {
    guard reached.insert(name).inserted else { continue }
    frontier.append(contentsOf: (positional[name] ?? []).intersection(candidates))
  }
  return classes.filter { reached.contains($0.key) }
}

/// Builds a Functional model from its Keras config (`keras.Model.from_config`), in Keras 3's
/// layout (`inbound_nodes` of `{"args": [...], "kwargs": {...}}` with `__keras_tensor__`
/// histories) and tf.keras 2's (`[[[name, node, tensor, {kwargs}], ...]]`).
///
/// Layers are made by ``deserializeLayer(_:)``'s rules (nested `Sequential` and `Functional`
/// models included) and called in the order their inputs become available, so a shared layer
/// keeps one set of weights across its calls.
///
/// - Throws: ``KerasError/invalidArgument(_:)`` naming the layer for a history that points
///   at no layer or node; the errors of ``deserializeLayer(_:)``; a graph error of the rebuilt model.
public func deserializeFunctional(_ config: ConfigValue) throws -> Model {
  try KerasDialect.reading(config) { try functional(from: config) }
}

/// The Functional model of `config`, read in the current ``KerasDialect``.
private func functional(from config: ConfigValue) throws -> Model {
  let body = config["config"] ?? config
  let modelName = body["name"]?.stringValue
  let owner = "Functional model '\(modelName ?? "?")'"
  guard case .array(let layerConfigs)? = body["layers"] else {
    throw KerasError.invalidArgument("\(owner): the config has no 'layers' list")
  }
  struct PendingLayer {
    let layer: Layer
    let nodes: [ConfigValue]
  }
  var pending: [PendingLayer] = []
  var byName: [String: Layer] = [:]
  // Keras 3 records the mask computations of a graph (`not_equal` of an Embedding's ids, the
  // `logical_or`s and `any` of a Concatenate's masks, ...) as operation nodes whose results
  // reach layers only as `mask` arguments. The layers here compute the same masks themselves
  // (``Layer/computeMask(_:mask:)``), so these nodes are left out. An operation whose result
  // a layer takes as an input is not one of them, and fails as an unknown layer class.
  let maskOperations = kerasMaskOperations(layerConfigs, outputs: body["output_layers"])
  for value in layerConfigs {
    guard let className = value["class_name"]?.stringValue else {
      throw KerasError.invalidArgument("\(owner): a layer has no 'class_name'")
    }
    if let name = value["name"]?.stringValue, maskOperations[name] != nil { continue }
    let layer: Layer
    switch className {
    case "Sequential": layer = try deserializeSequential(value)
    case "Functional", "Model": layer = try deserializeFunctional(value)
    default: layer = try deserializeLayer(value)
    }
    let name = value["name"]?.stringValue ?? layer.name
    byName[name] = layer
    let nodes: [ConfigValue]
    if case .array(let list)? = value["inbound_nodes"] { nodes = list } else { nodes = [] }
    pending.append(PendingLayer(layer: layer, nodes: nodes))
  }

  // Output tensors of each layer's calls, by call index.
  var made: [String: [[KerasTensor]]] = [:]
  for case let input as InputLayer in pending.map(\.layer) { made[input.name] = [[input.output]] }

  func resolve(_ history: ConfigValue, in layerName: String) throws -> KerasTensor? {
    // Keras 3: {"class_name": "__keras_tensor__", "config": {"keras_history": [name, node, tensor]}}
    // tf.keras 2: [name, node, tensor, kwargs]
    let triple: [ConfigValue]
    if case .array(let list)? = history["config"]?["keras_history"] {
      triple = list
    } else if case .array(let list) = history {
      triple = list
    } else {
      throw KerasError.invalidArgument("\(owner): layer '\(layerName)' has an input that is not a tensor history")
    }
    guard triple.count >= 3, let source = triple[0].stringValue, let node = triple[1].intValue,
      let index = triple[2].intValue
    else {
      throw KerasError.invalidArgument("\(owner): layer '\(layerName)' has a malformed keras_history \(triple)")
    }
    guard byName[source] != nil else {
      throw KerasError.invalidArgument("\(owner): layer '\(layerName)' reads layer '\(source)', which the config does not have")
    }
    guard let calls = made[source], node < calls.count else { return nil }
    guard index < calls[node].count else {
      throw KerasError.invalidArgument(
        "\(owner): layer '\(layerName)' reads output \(index) of '\(source)', which has \(calls[node].count)")
    }
    return calls[node][index]
  }

  /// The keyword arguments of a call of a layer that takes them (``KeywordCallLayer``), besides
  /// `initial_state`, `mask` and `training`; nil while a keyword tensor is not made yet.
  func callKeywords(_ kwargs: ConfigValue?, layer: String, isTensor: (ConfigValue) -> Bool) throws -> CallKeywords? {
    guard case .object(let pairs)? = kwargs else { return CallKeywords() }
    var keywords = CallKeywords()
    // `training=True/False` given to a call of any layer (a frozen base model) is kept; null is Keras' default.
    if case .bool(let training)? = kwargs?["training"] { keywords.settings.append(("training", .bool(training))) }
    guard byName[layer] is KeywordCallLayer else { return keywords }
    for (name, value) in pairs where !["initial_state", "mask", "training"].contains(name) {
      if isTensor(value) {
        guard let tensor = try resolve(value, in: layer) else { return nil }
        keywords.tensors.append((name, tensor))
      } else {
        keywords.settings.append((name, value))
      }
    }
    return keywords
  }

  /// One call's positional inputs, whether they were a list, and its initial state; nil while
  /// an input is not made yet.
  func callArguments(_ node: ConfigValue, layer: String) throws -> (
    inputs: [KerasTensor], list: Bool, state: [KerasTensor], keywords: CallKeywords
  )? {
    if let args = node["args"] {
      guard case .array(var positional) = args else { return nil }
      var list = false
      if positional.count == 1, case .array(let inner) = positional[0] {
        positional = inner
        list = true
      }
      var inputs: [KerasTensor] = []
      for value in positional {
        guard let tensor = try resolve(value, in: layer) else { return nil }
        inputs.append(tensor)
      }
      var state: [KerasTensor] = []
      if case .array(let states)? = node["kwargs"]?["initial_state"] {
        for value in states {
          guard let tensor = try resolve(value, in: layer) else { return nil }
          state.append(tensor)
        }
      }
      guard let keywords = try callKeywords(node["kwargs"], layer: layer, isTensor: { $0["class_name"]?.stringValue == "__keras_tensor__" })
      else { return nil }
      return (inputs, list, state, keywords)
    }
    // tf.keras 2: a list of [name, node, tensor, kwargs].
    guard case .array(let entries) = node else {
      throw KerasError.invalidArgument("\(owner): layer '\(layer)' has a malformed inbound node")
    }
    var inputs: [KerasTensor] = []
    var state: [KerasTensor] = []
    var keywords = CallKeywords()
    for entry in entries {
      guard let tensor = try resolve(entry, in: layer) else { return nil }
      inputs.append(tensor)
      if case .array(let parts) = entry, parts.count > 3, case .array(let states)? = parts[3]["initial_state"] {
        for value in states {
          guard let s = try resolve(value, in: layer) else { return nil }
          state.append(s)
        }
      }
      // tf.keras 2 writes keyword tensors as [name, node, tensor] triples (a MultiHeadAttention's `value`).
      if case .array(let parts) = entry, parts.count > 3 {
        guard
          let found = try callKeywords(
            parts[3], layer: layer,
            isTensor: {
              if case .array(let t) = $0, t.count >= 3, t[0].stringValue != nil, t[1].intValue != nil { return true }
              return false
            })
        else { return nil }
        // tf.keras repeats a list call's keyword arguments on each of its inputs.
        keywords.tensors += found.tensors.filter { keywords.tensor($0.name) == nil }
        keywords.settings += found.settings.filter { keywords.setting($0.name) == nil }
      }
    }
    return (inputs, entries.count > 1, state, keywords)
  }

  // Call the layers as their inputs become available (Keras' from_config does the same).
  var nextNode = [Int](repeating: 0, count: pending.count)
  var progress = true
  while progress {
    progress = false
    for (i, item) in pending.enumerated() where !(item.layer is InputLayer) {
      while nextNode[i] < item.nodes.count {
        guard let call = try callArguments(item.nodes[nextNode[i]], layer: item.layer.name) else { break }
        let outputs: [KerasTensor] = item.layer.symbolicCall(
          call.inputs, asList: call.list, initialState: call.state, keywords: call.keywords)
        if let error = outputs.first?.graphError { throw error }
        made[item.layer.name, default: []].append(outputs)
        nextNode[i] += 1
        progress = true
      }
    }
  }
  for (i, item) in pending.enumerated() where !(item.layer is InputLayer) && nextNode[i] < item.nodes.count {
    throw KerasError.invalidArgument(
      "\(owner): layer '\(item.layer.name)' cannot be called: its inputs are never computed (a cycle or a missing layer)")
  }

  func endpoints(_ key: String) throws -> [KerasTensor] {
    guard case .array(let list)? = body[key] else {
      throw KerasError.invalidArgument("\(owner): the config has no '\(key)'")
    }
    let triples: [ConfigValue] = list.first.map { if case .array = $0 { return list } else { return [.array(list)] } } ?? []
    return try triples.map { triple in
      guard let tensor = try resolve(triple, in: key) else {
        throw KerasError.invalidArgument("\(owner): '\(key)' names a tensor that is never computed: \(triple)")
      }
      return tensor
    }
  }
  let model = try Model(inputs: try endpoints("input_layers"), outputs: try endpoints("output_layers"), name: modelName)
  if case .bool(false)? = body["trainable"] { model.trainable = false }
  return model
}
