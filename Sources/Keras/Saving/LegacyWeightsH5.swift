import HDF5

/// Reading legacy `.h5` weights, as Keras 2 / tf.keras `model.save_weights("x.h5")` writes them
/// (and the `model_weights` group of a whole model saved as `.h5` by Keras 2 or 3).
///
/// The group lists its layers in the `layer_names` attribute; each layer's group lists its
/// weights in `weight_names` (`dense/kernel:0` in Keras 2, `sequential/dense/kernel` in Keras
/// 3), each the path of a dataset inside the layer's group. Layers are matched by order,
/// counting only layers with weights on both sides, and each layer's weights are its
/// trainable weights then its non-trainable ones (Keras' `_legacy_weights`), as
/// `legacy_h5_format.load_weights_from_hdf5_group` does.
enum LegacyWeightsH5 {
  /// Reads the weights of `layers` from `group` and checks every count and shape, changing nothing.
  static func read(_ group: HDF5Group, from file: WeightsFileReader, into layers: [Layer]) throws
    -> [(variable: Variable, value: Tensor)]
  {
    var fileLayers: [(name: String, group: HDF5Group, weightNames: [String])] = []
    for name in try file.stringList("layer_names", of: group) {
      let layerGroup = try file.reading { try group.group(name) }
      let weightNames = try file.stringList("weight_names", of: layerGroup)
      if !weightNames.isEmpty { fileLayers.append((name, layerGroup, weightNames)) }
    }
    let modelLayers = layers.filter { !legacyWeights($0).isEmpty }
    guard fileLayers.count == modelLayers.count else {
      throw SavingError.layerCountMismatch(
        file: file.path, fileLayers: fileLayers.map(\.name), modelLayers: modelLayers.map(\.name))
    }
    var values: [(variable: Variable, value: Tensor)] = []
    for (saved, layer) in zip(fileLayers, modelLayers) {
      let variables = legacyWeights(layer)
      guard saved.weightNames.count == variables.count else {
        throw SavingError.variableCountMismatch(
          file: file.path, layer: layer.name, path: saved.group.path, expected: variables.map(\.name),
          found: saved.weightNames.count)
      }
      for (index, (weightName, variable)) in zip(saved.weightNames, variables).enumerated() {
        let value = try file.tensor(
          at: weightName, in: saved.group, shape: variable.shape, layer: layer.name, variable: variable.name,
          index: index)
        values.append((variable, value))
      }
    }
    return values
  }

  /// A layer's weights in legacy order: trainable, then non-trainable.
  static func legacyWeights(_ layer: Layer) -> [Variable] {
    layer.trainableWeights + layer.nonTrainableWeights
  }
}
