import HDF5

extension Model {
  /// Saves the weights, and the optimizer's state when the model is compiled, to a Keras 3
  /// `.weights.h5` file (`model.save_weights`), which Python Keras loads with
  /// `model.load_weights`.
  ///
  /// The layout is Keras 3's: `layers/<key>/vars/0, 1, ...` per layer, with `<key>` the
  /// snake_case class name numbered per class in model order (`dense`, `dense_1`), recurrent
  /// weights under `layers/<key>/cell/vars`, wrapped layers under `forward_layer`,
  /// `backward_layer` or `layer`; `optimizer/vars` with `iteration` (int64), `learning_rate`
  /// and the slots; each `vars` group carries the object's `name` attribute. Values are
  /// float32. The file is written under a temporary name and renamed into place, so an
  /// existing file is replaced only by a complete one.
  ///
  /// - Parameter path: must end in `.weights.h5`, as Keras requires.
  /// - Throws: ``SavingError/invalidFileName(file:reason:)``, ``SavingError/notBuilt(model:file:)``
  ///   before writing anything; ``SavingError/ioFailure(file:reason:)`` naming the directory when it
  ///   does not exist, or when the file cannot be
  ///   written (the previous file, if any, is kept).
  public func saveWeights(_ path: String) throws {
    guard path.hasSuffix(".weights.h5") else {
      throw SavingError.invalidFileName(
        file: path, reason: "the file name must end in `.weights.h5`, as Keras requires")
    }
    guard isBuilt else { throw SavingError.notBuilt(model: name, file: path) }
    try SavingError.requireDirectory(of: path)
    do {
      try HDF5File.write(to: path) { file in
        let root = try file.root
        try root.createGroup("vars").setAttribute("name", to: name)
        for entry in SaveableNode.layerNodes(layers) {
          try Keras3WeightsH5.write(entry.node, at: "layers/\(entry.key)", under: root)
        }
        if let optimizer { try OptimizerStateH5.write(optimizer, to: root) }
      }
    } catch let error as HDF5Error {
      throw SavingError.ioFailure(file: path, reason: error.description)
    }
  }

  /// Loads weights saved by ``saveWeights(_:)-(String)`` or by Python Keras (`model.load_weights`):
  /// Keras 3 `.weights.h5` files, legacy `.h5` files of Keras 2 / tf.keras
  /// (`model.save_weights("x.h5")`, or the weights of a whole model saved as `.h5`), and the
  /// weights inside a `.keras` archive (its `model.weights.h5`, optimizer state included), as
  /// Keras 3's `load_weights` reads them. The format is recognised from the content, not the
  /// file name.
  ///
  /// Keras 3 files are matched as Keras matches them: layer by layer under the per-class keys
  /// (`dense`, `dense_1`; layer names play no part), variable by variable in order. Layers
  /// without weights (Dropout, Flatten, ...) may be added or removed freely; every layer with
  /// weights must be in the file and every layer with weights in the file must be in the model.
  /// When the model is compiled and the file has optimizer state, that state is restored too
  /// (the optimizer's slots are created first if it has not run yet), so training resumes
  /// exactly. An uncompiled model ignores the optimizer state, and so does a model whose
  /// optimizer has run when the file's had not (the file then holds no slots). Legacy files
  /// are matched by the order of the layers with weights, as Keras' legacy loader does, hold no
  /// optimizer state, and have the weights of older layers (`CuDNNLSTM`, `CuDNNGRU`, Keras 1's
  /// per-gate weights) converted as Keras converts them; to match them by layer name, see
  /// ``loadWeights(_:byName:skipMismatch:)-(String,Bool,Bool)``.
  ///
  /// Nothing changes unless everything fits: the whole file is read and checked first.
  ///
  /// - Throws: a ``SavingError`` naming the file and, where it applies, the layer, the
  ///   variable and both shapes: ``SavingError/fileNotFound(file:)``, ``SavingError/notHDF5(file:)``,
  ///   ``SavingError/corruptFile(file:reason:)``, ``SavingError/notBuilt(model:file:)``,
  ///   ``SavingError/layerMismatch(file:fileLayers:modelLayers:)``,
  ///   ``SavingError/layerCountMismatch(file:fileLayers:modelLayers:)``,
  ///   ``SavingError/variableCountMismatch(file:layer:path:expected:found:)``,
  ///   ``SavingError/shapeMismatch(file:layer:variable:index:path:expected:found:)``,
  ///   ``SavingError/optimizerMismatch(file:optimizer:expected:reason:)``,
  ///   ``SavingError/invalidFile(file:path:reason:)``; for a `.keras` archive also
  ///   ``SavingError/invalidArchive(file:entry:reason:)``.
  public func loadWeights(_ path: String) throws { try loadWeights(path, byName: false) }

  /// Loads weights as ``loadWeights(_:)-(String)`` does or, with `byName`, matches the layers of a
  /// legacy `.h5` file (Keras 2 / tf.keras) to the model's by name, as Keras'
  /// `load_weights(path, by_name=True, skip_mismatch=...)`: each layer of the file loads into the
  /// model's layers of the same name; layers on one side only are left alone.
  ///
  /// Weights saved by Keras 2.0-2.3 are converted as Keras converts them, by order or by name:
  /// layers trained as `CuDNNLSTM` load into ``LSTM`` (the doubled bias summed, the kernels re-laid),
  /// `CuDNNGRU` into ``GRU`` with `resetAfter: true`, and Keras 1 per-gate weights are joined.
  ///
  /// - Parameters:
  ///   - path: a legacy `.h5` weights or whole-model file (or, without `byName` and
  ///     `skipMismatch`, any file ``loadWeights(_:)-(String)`` reads).
  ///   - byName: match layers by name instead of by order (legacy `.h5` files only, as in Keras).
  ///   - skipMismatch: leave alone, with a warning on standard error, each weight whose shape in
  ///     the file differs from the model's (and, with `byName`, each layer whose number of
  ///     weights differs), instead of throwing (legacy `.h5` files only).
  /// - Throws: what ``loadWeights(_:)-(String)`` throws; ``SavingError/invalidFile(file:path:reason:)``
  ///   when `byName` or `skipMismatch` is asked of a Keras 3 `.weights.h5` or `.keras` file, or for
  ///   weights no conversion fits (a GRU of the other `resetAfter` kind), naming the layer.
  public func loadWeights(_ path: String, byName: Bool, skipMismatch: Bool = false) throws {
    func refuseOptions() throws {
      guard byName || skipMismatch else { return }
      throw SavingError.invalidFile(
        file: path, path: nil,
        reason: "byName and skipMismatch apply to legacy `.h5` weights files (Keras 2 / tf.keras), as in Keras; "
          + "Keras 3 `.weights.h5` files and `.keras` archives are matched by layer keys")
    }
    if KerasArchive.isArchive(path) {
      try refuseOptions()
      let archive = try KerasArchive(path: path)
      guard isBuilt else { throw SavingError.notBuilt(model: name, file: path) }
      try ModelLoading.loadWeights(from: archive, into: self)
      return
    }
    let file = try WeightsFileReader(path: path)
    guard isBuilt else { throw SavingError.notBuilt(model: name, file: path) }
    let loaded: LoadedWeights
    switch try WeightsFileFormat.detect(file) {
    case .keras3:
      try refuseOptions()
      loaded = try Keras3WeightsH5.read(file, into: self)
    case .legacy(let group):
      let legacy = try LegacyWeightsH5.read(group, from: file, into: layers, byName: byName, skipMismatch: skipMismatch)
      for message in legacy.skipped { FileHandleOutput.standardError("Warning: \(message)\n") }
      loaded = LoadedWeights(values: legacy.values, optimizer: nil)
    }
    try loaded.assign()
  }
}

/// Everything read from a weights file and checked against a model, assigned in one go.
struct LoadedWeights {
  /// Each model variable with its value from the file (shapes already checked).
  var values: [(variable: Variable, value: Tensor)]
  /// The optimizer state to restore, if any.
  var optimizer: OptimizerStateH5.Pending?

  /// Restores the optimizer state (checked already, so it does not throw in practice; it runs
  /// first so that a failure would leave the weights untouched), then the weights.
  func assign() throws {
    try optimizer?.restore()
    for (variable, value) in values { variable.value = value }
  }
}

/// The two layouts ``Model/loadWeights(_:)-(String)`` reads.
enum WeightsFileFormat {
  /// Keras 3 `.weights.h5`: `layers/...`, `vars`, `optimizer/...`.
  case keras3
  /// Keras 2 / legacy `.h5`: the group with the `layer_names` attribute (the root, or
  /// `model_weights` in a whole-model file).
  case legacy(HDF5Group)

  /// The layout of `file`.
  ///
  /// - Throws: ``SavingError/invalidFile(file:path:reason:)`` for an HDF5 file in neither layout.
  static func detect(_ file: WeightsFileReader) throws -> WeightsFileFormat {
    try file.reading {
      // Long lists are split into `layer_names0`, `layer_names1`, ...
      func listsLayers(_ group: HDF5Group) throws -> Bool {
        try group.hasAttribute("layer_names") || group.hasAttribute("layer_names0")
      }
      let root = file.root
      if try listsLayers(root) { return .legacy(root) }
      if try root.contains("model_weights") {
        let group = try root.group("model_weights")
        if try listsLayers(group) { return .legacy(group) }
      }
      for name in ["layers", "vars", Keras3WeightsH5.legacyLayersGroup] where try root.contains(name) {
        return .keras3
      }
      throw SavingError.invalidFile(
        file: file.path, path: nil,
        reason: "not a Keras weights file: neither a Keras 3 `.weights.h5` file (no 'layers' or 'vars' group) "
          + "nor a legacy Keras `.h5` file (no 'layer_names' attribute); its top level holds "
          + "[\(try root.names().joined(separator: ", "))]")
    }
  }
}

/// Reading and writing the layer part of Keras 3 `.weights.h5` files.
enum Keras3WeightsH5 {
  /// Where files written by Keras 2.13 keep the layers (read by Keras 3 as a fallback).
  static let legacyLayersGroup = "_layer_checkpoint_dependencies"

  /// Writes `node` at `path` below `root`: `path/vars` with the `name` attribute and the
  /// variables, then the children under their keys (Keras' order: own state first).
  static func write(_ node: SaveableNode, at path: String, under root: HDF5Group) throws {
    let group = try root.createGroup("\(path)/vars")
    try group.setAttribute("name", to: node.name)
    for (index, variable) in node.variables.enumerated() {
      let value = variable.value
      try group.createDataset("\(index)", shape: value.shape, values: value.scalars)
    }
    for child in node.children { try write(child.node, at: "\(path)/\(child.key)", under: root) }
  }

  /// Reads every layer's weights (and the optimizer state, when `model` is compiled and the
  /// file has some) and checks them against `model`, changing nothing.
  static func read(_ file: WeightsFileReader, into model: Model) throws -> LoadedWeights {
    let layersPath = try file.reading { try file.root.contains("layers") } ? "layers" : legacyLayersGroup
    let layersGroup = try file.groupIfPresent(layersPath)
    let nodes = SaveableNode.layerNodes(model.layers)
    var fileLayers: [String] = []
    if let layersGroup {
      for key in try file.reading({ try layersGroup.names() })
      where try file.reading({ try layersGroup.kind(of: key) == .group }) {
        if try file.holdsDatasets(try file.reading { try layersGroup.group(key) }) { fileLayers.append(key) }
      }
    }
    let modelLayers = nodes.filter(\.node.holdsVariables).map(\.key)
    guard Set(fileLayers) == Set(modelLayers) else {
      throw SavingError.layerMismatch(file: file.path, fileLayers: fileLayers, modelLayers: modelLayers)
    }
    var values: [(variable: Variable, value: Tensor)] = []
    for entry in nodes where entry.node.holdsVariables {
      try read(entry.node, at: "/\(layersPath)/\(entry.key)", from: file, into: &values)
    }
    var optimizerState: OptimizerStateH5.Pending? = nil
    if let optimizer = model.optimizer, let group = try file.groupIfPresent(OptimizerStateH5.path) {
      optimizerState = try OptimizerStateH5.read(
        group, from: file, for: optimizer, trainableVariables: model.trainableWeights)
    }
    return LoadedWeights(values: values, optimizer: optimizerState)
  }

  /// Reads `node`'s variables from `path/vars` and its children from `path/<key>`.
  private static func read(
    _ node: SaveableNode, at path: String, from file: WeightsFileReader,
    into values: inout [(variable: Variable, value: Tensor)]
  ) throws {
    let varsPath = "\(path)/vars"
    let group = try file.groupIfPresent(varsPath)
    let count = try group.map { group in try file.reading { try group.names().count } } ?? 0
    guard count == node.variables.count else {
      throw SavingError.variableCountMismatch(
        file: file.path, layer: node.layer, path: varsPath, expected: node.variables.map(\.name), found: count)
    }
    if let group {
      for (index, variable) in node.variables.enumerated() {
        let value = try file.tensor(
          at: "\(index)", in: group, shape: variable.shape, layer: node.layer, variable: variable.name, index: index)
        values.append((variable, value))
      }
    }
    for child in node.children { try read(child.node, at: "\(path)/\(child.key)", from: file, into: &values) }
  }
}
