import Foundation
import HDF5

extension Model {
  /// Saves the whole model (`model.save`): architecture, weights and, when compiled, the
  /// compile settings, so that ``loadModel(_:)-(String)`` or Python's `keras.models.load_model` rebuilds
  /// it ready to predict and to keep training.
  ///
  /// - `.keras`: a zip of `metadata.json`, `config.json` (Keras' own schema, with
  ///   `build_config` and `compile_config`) and `model.weights.h5` (the ``saveWeights(_:)-(String)``
  ///   layout, optimizer state included), stored uncompressed as Keras writes it.
  /// - `.h5`: Keras 3's legacy format: root attributes `backend`, `keras_version`,
  ///   `model_config` and `training_config`, weights under `model_weights`; no optimizer state
  ///   (Keras 3.15 cannot keep training a model loaded from an `.h5` file with
  ///   `optimizer_weights`; use `.keras` to carry the state).
  ///
  /// Either file is written under a temporary name and renamed into place.
  ///
  /// - Parameter path: ending in `.keras` or `.h5` (not `.weights.h5`: use ``saveWeights(_:)-(String)``).
  /// - Throws: ``SavingError/invalidFileName(file:reason:)``, ``SavingError/notBuilt(model:file:)``
  ///   before writing anything; ``SavingError/ioFailure(file:reason:)`` naming the directory when it
  ///   does not exist, or when the file cannot be
  ///   written (an existing file is kept).
  public func save(_ path: String) throws {
    let isKeras = path.hasSuffix(".keras")
    guard isKeras || (path.hasSuffix(".h5") && !path.hasSuffix(".weights.h5")) else {
      throw SavingError.invalidFileName(
        file: path,
        reason: "the file name must end in `.keras` (or `.h5` for the legacy format); use saveWeights for `.weights.h5`"
      )
    }
    guard isBuilt else { throw SavingError.notBuilt(model: name, file: path) }
    try SavingError.requireDirectory(of: path)
    if let textVectorization, !isKeras {
      throw SavingError.invalidFileName(
        file: path,
        reason: "the model's TextVectorization '\(textVectorization.name)' keeps its vocabulary as an asset, "
          + "which only `.keras` files hold (as in Keras)")
    }
    if isKeras {
      try saveKerasArchive(path)
    } else {
      do {
        try LegacyModelH5.write(self, to: path)
      } catch let error as HDF5Error {
        throw SavingError.ioFailure(file: path, reason: error.description)
      }
    }
  }

  /// Writes the `.keras` zip, building `model.weights.h5` in a temporary directory first.
  private func saveKerasArchive(_ path: String) throws {
    let weights: Data
    do {
      weights = try ScratchDirectory.with("save") { directory in
        let weightsPath = directory.appendingPathComponent(KerasArchive.weightsEntry).path
        try saveWeights(weightsPath)
        return try Data(contentsOf: URL(fileURLWithPath: weightsPath))
      }
    } catch {
      throw SavingError.ioFailure(file: path, reason: "cannot write the weights: \(error)")
    }
    let metadata: ConfigValue = .object([
      ("keras_version", .string(LegacyModelH5.kerasVersion)), ("date_saved", .string(Self.saveDate())),
    ])
    var config = serializedConfig
    if let textVectorization { config = try TextModelArchive.joinStringInput(config, textVectorization, model: self) }
    try KerasArchive.write(
      [
        (KerasArchive.metadataEntry, Data(metadata.json.utf8)),
        (KerasArchive.configEntry, Data(config.json.utf8)),
        (KerasArchive.weightsEntry, weights),
      ] + (textVectorization.map(TextModelArchive.assetEntries) ?? []), to: path)
  }

  /// The date as Keras writes `date_saved`: `2024-05-01@12:30:00`.
  private static func saveDate() -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.dateFormat = "yyyy-MM-dd@HH:mm:ss"
    return formatter.string(from: Date())
  }
}

/// Loads a whole model saved by ``Model/save(_:)-(String)`` or by Python Keras (`model.save`,
/// `keras.models.load_model`): a `.keras` zip archive, or a legacy `.h5` file of Keras 3 or
/// Keras 2 / tf.keras. The format is recognised from the content.
///
/// The model is rebuilt from its config (see ``deserializeSequential(_:)``), its weights are
/// loaded and, when the file holds compile settings, it is compiled again with the same
/// optimizer (class and hyperparameters), loss and metrics, so it can keep training. The
/// optimizer state (step count and slots) is restored as well: from a `.keras` file exactly,
/// from a legacy `.h5` file as Keras' `set_weights` does (a file whose state does not fit, such
/// as tf.keras 2's, prints Keras' warning and leaves the optimizer fresh).
///
/// ```swift
/// let model = try loadModel("classifier.keras")
/// let predictions = try model.predict(x)
/// ```
///
/// - Throws: ``SavingError/notAModelFile(file:reason:)`` for a missing file or one neither a zip
///   archive nor HDF5 (such as a `.npy` array); ``SavingError/invalidArchive(file:entry:reason:)``
///   for a damaged, truncated or unsafe `.keras` archive (entries leaving the archive, sizes
///   over 2 GiB) or a missing entry; ``SavingError/invalidModelConfig(file:entry:reason:)`` for
///   a config that cannot be rebuilt; ``KerasError/unknownName(kind:name:valid:)`` for a layer
///   class SwiftKeras does not have (listing those it has); the ``SavingError``s of
///   ``Model/loadWeights(_:)-(String)``.
public func loadModel(_ path: String) throws -> Model {
  guard FileManager.default.fileExists(atPath: path) else {
    throw SavingError.notAModelFile(file: path, reason: "no such file")
  }
  if KerasArchive.isArchive(path) || path.hasSuffix(".keras") { return try ModelLoading.loadKeras(path) }
  do {
    return try ModelLoading.loadLegacyH5(path)
  } catch SavingError.notHDF5 {
    throw SavingError.notAModelFile(file: path, reason: KerasArchive.describeUnknownFile(path))
  }
}

/// The two whole-model formats ``loadModel(_:)-(String)`` reads.
enum ModelLoading {
  /// Loads a `.keras` zip archive.
  static func loadKeras(_ path: String) throws -> Model {
    let archive = try KerasArchive(path: path)
    let fullConfig = try parseJSON(
      try archive.data(KerasArchive.configEntry, limit: KerasArchive.maxJSONSize), file: path,
      entry: KerasArchive.configEntry)
    // tf_keras 2.13+ writes `.keras` archives too; their metadata names the Keras version.
    let metadata = (try? archive.data(KerasArchive.metadataEntry, limit: KerasArchive.maxJSONSize))
      .flatMap { try? ConfigValue.parse(json: String(decoding: $0, as: UTF8.self)) }
    let dialect = metadata?["keras_version"]?.stringValue.map { KerasDialect.of(kerasVersion: $0) } ?? .keras3
    let (config, textVectorization): (ConfigValue, TextVectorization?)
    do {
      (config, textVectorization) = try TextModelArchive.splitStringInput(fullConfig, archive: archive)
    } catch let error as KerasError {
      throw SavingError.invalidModelConfig(file: path, entry: KerasArchive.configEntry, reason: error.description)
    }
    let model = try WeightBudget.limiting(file: path, fileBytes: archive.declaredSize(KerasArchive.weightsEntry)) {
      try KerasDialect.$current.withValue(dialect) { try rebuild(config, file: path, entry: KerasArchive.configEntry) }
    }
    model.textVectorization = textVectorization
    // Keras 3.15 writes an uncompiled model's compile config as `{}`.
    if let compileConfig = config["compile_config"], compileConfig != .null, compileConfig != .object([]) {
      try compile(model, from: compileConfig, file: path, entry: "\(KerasArchive.configEntry): compile_config")
    }
    try loadWeights(from: archive, into: model)
    return model
  }

  /// Loads the weights (and optimizer state) of the archive's `model.weights.h5` into `model`;
  /// errors name the archive and the entry, not the temporary file.
  static func loadWeights(from archive: KerasArchive, into model: Model) throws {
    let path = archive.path
    // The weights go to disk chunk by chunk: they may be large, and libhdf5 reads files.
    do {
      try ScratchDirectory.with("load") { directory in
        let weightsPath = directory.appendingPathComponent(KerasArchive.weightsEntry).path
        try archive.extract(KerasArchive.weightsEntry, to: weightsPath)
        do {
          try model.loadWeights(weightsPath)
        } catch let error as SavingError {
          throw error.naming("\(path) (entry '\(KerasArchive.weightsEntry)')", insteadOf: weightsPath)
        }
      }
    } catch let error as CocoaError {
      throw SavingError.ioFailure(file: path, reason: "cannot extract '\(KerasArchive.weightsEntry)': \(error)")
    }
  }

  /// Loads a legacy `.h5` model file (Keras 3 or Keras 2 / tf.keras).
  static func loadLegacyH5(_ path: String) throws -> Model {
    let file = try WeightsFileReader(path: path)
    func textAttribute(_ name: String) throws -> String? {
      try file.reading {
        guard try file.root.hasAttribute(name) else { return nil }
        return try file.root.attribute(name, as: String.self)
      }
    }
    guard let modelConfigText = try textAttribute("model_config") else {
      throw SavingError.invalidModelConfig(
        file: path, entry: "model_config",
        reason: "the file has no 'model_config' attribute: it holds weights only; build the model and use loadWeights")
    }
    let modelConfig = try parseJSON(Data(modelConfigText.utf8), file: path, entry: "model_config")
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    let fileBytes = (attributes?[.size] as? NSNumber)?.uint64Value ?? 0
    // Keras 1 wrote no `keras_version`; Keras 2 and 3 write theirs.
    let dialect = KerasDialect.of(kerasVersion: try textAttribute("keras_version"))
    let model = try WeightBudget.limiting(file: path, fileBytes: fileBytes) {
      try KerasDialect.$current.withValue(dialect) { try rebuild(modelConfig, file: path, entry: "model_config") }
    }
    if let trainingText = try textAttribute("training_config") {
      let trainingConfig = try parseJSON(Data(trainingText.utf8), file: path, entry: "training_config")
      if trainingConfig != .null { try compile(model, from: trainingConfig, file: path, entry: "training_config") }
    }
    try model.loadWeights(path)
    try LegacyOptimizerWeightsH5.restore(from: file, into: model)
    return model
  }

  /// The JSON in `data`.
  private static func parseJSON(_ data: Data, file: String, entry: String) throws -> ConfigValue {
    guard let text = String(data: data, encoding: .utf8) else {
      throw SavingError.invalidModelConfig(file: file, entry: entry, reason: "not UTF-8 text")
    }
    do {
      return try ConfigValue.parse(json: text)
    } catch {
      throw SavingError.invalidModelConfig(file: file, entry: entry, reason: "\(error)")
    }
  }

  /// The model of `config`; unknown layer classes keep their error, which lists the known ones.
  private static func rebuild(_ config: ConfigValue, file: String, entry: String) throws -> Model {
    do {
      switch config["class_name"]?.stringValue {
      case "Functional", "Model": return try deserializeFunctional(config)
      default: return try deserializeSequential(config)
      }
    } catch let error as KerasError {
      if case .unknownName = error { throw error }
      throw SavingError.invalidModelConfig(file: file, entry: entry, reason: error.description)
    }
  }

  /// Compiles `model` with the settings of a `compile_config` or `training_config`.
  private static func compile(_ model: Model, from config: ConfigValue, file: String, entry: String) throws {
    do {
      if model.outputCount > 1 {
        let settings = try CompileConfigReading.readPerOutput(config, outputNames: model.outputNames)
        try model.compile(
          optimizer: settings.optimizer, loss: settings.loss, lossWeights: settings.lossWeights,
          metrics: settings.metrics, weightedMetrics: settings.weightedMetrics)
        return
      }
      let settings = try CompileConfigReading.read(config)
      try model.compile(
        optimizer: settings.optimizer, loss: settings.loss, metrics: settings.metrics,
        weightedMetrics: settings.weightedMetrics)
    } catch let error as KerasError {
      throw SavingError.invalidModelConfig(file: file, entry: entry, reason: error.description)
    }
  }
}

extension SavingError {
  /// The same error about `file` instead of `original` (a temporary file extracted from an archive).
  func naming(_ file: String, insteadOf original: String) -> SavingError {
    func swap(_ name: String) -> String { name == original ? file : name }
    switch self {
    case .fileNotFound(let name): return .fileNotFound(file: swap(name))
    case .notHDF5(let name): return .notHDF5(file: swap(name))
    case .corruptFile(let name, let reason): return .corruptFile(file: swap(name), reason: reason)
    case .invalidFile(let name, let path, let reason): return .invalidFile(file: swap(name), path: path, reason: reason)
    case .invalidFileName(let name, let reason): return .invalidFileName(file: swap(name), reason: reason)
    case .notBuilt(let model, let name): return .notBuilt(model: model, file: swap(name))
    case .layerMismatch(let name, let fileLayers, let modelLayers):
      return .layerMismatch(file: swap(name), fileLayers: fileLayers, modelLayers: modelLayers)
    case .layerCountMismatch(let name, let fileLayers, let modelLayers):
      return .layerCountMismatch(file: swap(name), fileLayers: fileLayers, modelLayers: modelLayers)
    case .variableCountMismatch(let name, let layer, let path, let expected, let found):
      return .variableCountMismatch(file: swap(name), layer: layer, path: path, expected: expected, found: found)
    case .shapeMismatch(let name, let layer, let variable, let index, let path, let expected, let found):
      return .shapeMismatch(
        file: swap(name), layer: layer, variable: variable, index: index, path: path, expected: expected, found: found)
    case .optimizerMismatch(let name, let optimizer, let expected, let reason):
      return .optimizerMismatch(file: swap(name), optimizer: optimizer, expected: expected, reason: reason)
    case .ioFailure(let name, let reason): return .ioFailure(file: swap(name), reason: reason)
    case .invalidArchive(let name, let entry, let reason):
      return .invalidArchive(file: swap(name), entry: entry, reason: reason)
    case .invalidModelConfig(let name, let entry, let reason):
      return .invalidModelConfig(file: swap(name), entry: entry, reason: reason)
    case .notAModelFile(let name, let reason): return .notAModelFile(file: swap(name), reason: reason)
    }
  }
}
