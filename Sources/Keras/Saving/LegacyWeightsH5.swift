import HDF5

/// Reading legacy `.h5` weights, as Keras 2 / tf.keras `model.save_weights("x.h5")` writes them
/// (and the `model_weights` group of a whole model saved as `.h5` by Keras 2 or 3), from the
/// Keras 2.0-2.3 releases on.
///
/// The group lists its layers in the `layer_names` attribute; each layer's group lists its
/// weights in `weight_names` (`dense_1/kernel:0` in Keras 2, `sequential/dense/kernel` in Keras
/// 3), each the path of a dataset inside the layer's group. Each layer's weights are its
/// trainable weights then its non-trainable ones (Keras' `_legacy_weights`), converted as Keras
/// converts them (``LegacyWeightConversion``: CuDNNLSTM/CuDNNGRU weights, Keras 1 gates).
///
/// Layers are matched as `legacy_h5_format.load_weights_from_hdf5_group` matches them: by order,
/// counting only layers with weights on both sides; or, with `byName`, as
/// `load_weights_from_hdf5_group_by_name`: each layer of the file loads into the model's layers
/// of the same name, and layers on one side only are left alone.
enum LegacyWeightsH5 {
  /// What a legacy file sets, checked against the model, and the weights it skips.
  struct Loaded {
    /// Each model variable with its value from the file (shapes checked).
    var values: [(variable: Variable, value: Tensor)] = []
    /// One message per layer or weight left alone because it did not fit (with `skipMismatch`).
    var skipped: [String] = []
  }

  /// A layer's group in the file.
  private struct SavedLayer {
    let name: String
    let group: HDF5Group
    let weightNames: [String]
  }

  /// Reads the weights of `layers` from `group` and checks every count and shape, changing nothing.
  ///
  /// - Parameters:
  ///   - byName: match layers by name (Keras' `by_name=True`) instead of by order.
  ///   - skipMismatch: leave alone, with a message in ``Loaded/skipped``, a weight whose shape
  ///     differs (and, with `byName`, a layer whose weight count differs), as Keras'
  ///     `skip_mismatch=True`; otherwise these throw.
  /// - Throws: ``SavingError/layerCountMismatch(file:fileLayers:modelLayers:)`` (by order),
  ///   ``SavingError/variableCountMismatch(file:layer:path:expected:found:)``,
  ///   ``SavingError/shapeMismatch(file:layer:variable:index:path:expected:found:)``,
  ///   ``SavingError/invalidFile(file:path:reason:)`` for weights that cannot be converted.
  static func read(
    _ group: HDF5Group, from file: WeightsFileReader, into layers: [Layer], byName: Bool = false,
    skipMismatch: Bool = false
  ) throws -> Loaded {
    var savedLayers: [SavedLayer] = []
    for name in try file.stringList("layer_names", of: group) {
      let layerGroup = try file.reading { try group.group(name) }
      savedLayers.append(
        SavedLayer(name: name, group: layerGroup, weightNames: try file.stringList("weight_names", of: layerGroup)))
    }
    let kerasVersion = try file.reading {
      // Keras reads a file without `keras_version` as Keras 1's.
      try group.hasAttribute("keras_version") ? (try? group.attribute("keras_version", as: String.self)) ?? "" : "1"
    }
    var loaded = Loaded()
    if byName {
      for saved in savedLayers {
        for layer in layers where layer.name == saved.name {
          try load(saved, into: layer, from: file, kerasVersion: kerasVersion, skipMismatch: skipMismatch, &loaded)
        }
      }
      return loaded
    }
    let fileLayers = savedLayers.filter { !$0.weightNames.isEmpty }
    let modelLayers = layers.filter { !legacyWeights($0).isEmpty }
    guard fileLayers.count == modelLayers.count else {
      throw SavingError.layerCountMismatch(
        file: file.path, fileLayers: fileLayers.map(\.name), modelLayers: modelLayers.map(\.name))
    }
    for (saved, layer) in zip(fileLayers, modelLayers) {
      try load(saved, into: layer, from: file, kerasVersion: kerasVersion, skipMismatch: skipMismatch, &loaded)
    }
    return loaded
  }

  /// Reads `saved`, converts it for `layer` and adds what fits to `loaded`.
  private static func load(
    _ saved: SavedLayer, into layer: Layer, from file: WeightsFileReader, kerasVersion: String, skipMismatch: Bool,
    _ loaded: inout Loaded
  ) throws {
    let groupPath = try file.reading { saved.group.path }
    let raw = try saved.weightNames.map { name in
      try file.reading {
        let dataset = try saved.group.dataset(name)
        return LegacyWeightConversion.Value(shape: dataset.shape, scalars: try dataset.read(as: Float.self))
      }
    }
    let values: [LegacyWeightConversion.Value]
    do {
      values = try LegacyWeightConversion.convert(raw, for: layer, kerasVersion: kerasVersion)
    } catch let error as LegacyWeightConversion.Incompatible {
      throw SavingError.invalidFile(
        file: file.path, path: groupPath,
        reason: "the weights of layer '\(saved.name)' do not fit layer '\(layer.name)' (\(layerKind(layer))): "
          + error.reason)
    }
    let variables = legacyWeights(layer)
    guard values.count == variables.count else {
      let error = SavingError.variableCountMismatch(
        file: file.path, layer: layer.name, path: groupPath, expected: variables.map(\.name), found: values.count)
      guard skipMismatch else { throw error }
      loaded.skipped.append("layer '\(layer.name)' skipped: \(error)")
      return
    }
    for (index, (value, variable)) in zip(values, variables).enumerated() {
      guard value.shape == variable.shape else {
        let path = values.count == saved.weightNames.count ? "\(groupPath)/\(saved.weightNames[index])" : groupPath
        let error = SavingError.shapeMismatch(
          file: file.path, layer: layer.name, variable: variable.name, index: index, path: path,
          expected: variable.shape, found: value.shape)
        guard skipMismatch else { throw error }
        loaded.skipped.append("weight \(index) ('\(variable.name)') of layer '\(layer.name)' skipped: \(error)")
        continue
      }
      loaded.values.append((variable, try Tensor(shape: value.shape, scalars: value.scalars)))
    }
  }

  /// The layer's class, as errors name it (`LSTM`).
  private static func layerKind(_ layer: Layer) -> String { String(describing: type(of: layer)) }

  /// A layer's weights in legacy order: trainable, then non-trainable.
  static func legacyWeights(_ layer: Layer) -> [Variable] {
    layer.trainableWeights + layer.nonTrainableWeights
  }
}
