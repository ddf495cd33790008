import HDF5

/// A whole model in Keras' legacy `.h5` format, Keras 3's flavour (`model.save("m.h5")`): root
/// attributes `backend`, `keras_version`, `model_config` (JSON) and, when compiled,
/// `training_config` (JSON); `model_weights` with `layer_names` and, per layer, a group whose
/// `weight_names` attribute lists the datasets holding its weights (`sequential/dense/kernel`),
/// trainable weights first.
enum LegacyModelH5 {
  /// The Keras version written into saved files (the version whose format is followed).
  static let kerasVersion = "3.15.1"

  /// Writes `model` to `path` atomically.
  static func write(_ model: Model, to path: String) throws {
    try HDF5File.write(to: path) { file in
      let root = try file.root
      try root.setAttribute("backend", to: "tensorflow")
      try root.setAttribute("keras_version", to: kerasVersion)
      try root.setAttribute("model_config", to: model.legacyModelConfig.json)
      if let compiled = model.compiled { try root.setAttribute("training_config", to: compiled.trainingConfig.json) }
      let weightsGroup = try root.createGroup("model_weights")
      try weightsGroup.setAttribute("backend", to: "tensorflow")
      try weightsGroup.setAttribute("keras_version", to: kerasVersion)
      try weightsGroup.setAttribute("layer_names", to: model.layers.map(\.name))
      for layer in model.layers {
        let layerGroup = try weightsGroup.createGroup(layer.name)
        let variables = LegacyWeightsH5.legacyWeights(layer)
        let names = weightNames(of: layer, in: model.name, variables: variables)
        try setWeightNames(names, on: layerGroup)
        for (name, variable) in zip(names, variables) {
          let value = variable.value
          try layerGroup.createDataset(name, shape: value.shape, values: value.scalars)
        }
      }
      try setWeightNames([], on: try weightsGroup.createGroup("top_level_model_weights"))
    }
  }

  /// Sets `weight_names`; Keras writes an empty float array for a layer without weights.
  private static func setWeightNames(_ names: [String], on group: HDF5Group) throws {
    if names.isEmpty {
      try group.setAttribute("weight_names", to: [Double]())
    } else {
      try group.setAttribute("weight_names", to: names)
    }
  }

  /// The dataset paths of `variables` as Keras 3 names them: the model, the layer, the objects
  /// inside it (`lstm_cell`, `forward_gru/gru_cell`) and the variable, made unique when two
  /// variables share a name.
  static func weightNames(of layer: Layer, in modelName: String, variables: [Variable]) -> [String] {
    var paths: [ObjectIdentifier: String] = [:]
    func visit(_ node: SaveableNode, prefix: String) {
      for variable in node.variables { paths[ObjectIdentifier(variable)] = "\(prefix)/\(variable.name)" }
      for child in node.children { visit(child.node, prefix: "\(prefix)/\(child.node.name)") }
    }
    visit(SaveableNode(layer), prefix: "\(modelName)/\(layer.name)")
    var used: Set<String> = []
    return variables.enumerated().map { index, variable in
      var name = paths[ObjectIdentifier(variable)] ?? "\(modelName)/\(layer.name)/\(variable.name)"
      if used.contains(name) { name += "_\(index)" }
      used.insert(name)
      return name
    }
  }
}
