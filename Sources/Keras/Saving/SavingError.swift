import Foundation

/// An error from saving or loading a weights file, naming the file and, where it applies, the
/// layer, the variable and both shapes.
///
/// Loading throws these before anything changes: a model whose load failed keeps its weights
/// and its optimizer state.
public enum SavingError: Error, CustomStringConvertible, Equatable, Sendable {
  /// No file exists at `file`.
  case fileNotFound(file: String)
  /// The file exists but is not an HDF5 file.
  case notHDF5(file: String)
  /// The file is an HDF5 file but truncated or damaged.
  case corruptFile(file: String, reason: String)
  /// The file is readable HDF5 but not a weights file this library reads, or an entry in it
  /// (at `path`, when known) is missing or of the wrong kind.
  case invalidFile(file: String, path: String?, reason: String)
  /// The file name does not fit the format (Keras requires `.weights.h5` for `save_weights`).
  case invalidFileName(file: String, reason: String)
  /// The model has no weights yet: give it an input shape or call it once first.
  case notBuilt(model: String, file: String)
  /// The file's layers holding weights are not the model's: `fileLayers` and `modelLayers`
  /// list both sides (Keras 3 keys such as `dense_1`, or the layer names of a legacy file).
  case layerMismatch(file: String, fileLayers: [String], modelLayers: [String])
  /// A legacy `.h5` file has another number of layers with weights than the model; legacy
  /// files are matched by the order of the layers with weights, so both lists are shown.
  case layerCountMismatch(file: String, fileLayers: [String], modelLayers: [String])
  /// A layer (or its RNN cell) has another number of variables in the file than in the model;
  /// `path` is the group in the file, `expected` the model's variable names.
  case variableCountMismatch(file: String, layer: String, path: String, expected: [String], found: Int)
  /// A variable has another shape in the file than in the model; `index` is its position in
  /// the layer (the dataset name in a Keras 3 file), `path` the dataset in the file.
  case shapeMismatch(
    file: String, layer: String, variable: String, index: Int, path: String, expected: [Int], found: [Int])
  /// The file's optimizer state does not fit the compiled optimizer (another optimizer, or
  /// other variables); `expected` names the optimizer's variables.
  case optimizerMismatch(file: String, optimizer: String, expected: [String], reason: String)
  /// Reading or writing the file failed (no such directory, no permission, disk full, ...).
  case ioFailure(file: String, reason: String)
  /// A `.keras` file is not a zip archive, or an entry of it (`entry`, when known) is missing,
  /// unsafe (a path leaving the archive), too large or damaged.
  case invalidArchive(file: String, entry: String?, reason: String)
  /// The model or compile config stored in the file (`entry`: `config.json`, `model_config`,
  /// `training_config`, ...) cannot be read or rebuilt.
  case invalidModelConfig(file: String, entry: String, reason: String)
  /// ``loadModel(_:)-(String)`` was given a file it cannot read as a model: missing, or neither a `.keras`
  /// zip archive nor an HDF5 `.h5` file; `reason` says which (and what the file is, when known).
  case notAModelFile(file: String, reason: String)

  /// A message naming the file, the layer and the variable at fault.
  public var description: String {
    switch self {
    case .fileNotFound(let file):
      return "Cannot load weights: no such file '\(file)'"
    case .notHDF5(let file):
      return "Cannot load weights from '\(file)': not an HDF5 file (loadWeights reads `.weights.h5` and `.h5` "
        + "files, and the weights inside a `.keras` archive)"
    case .corruptFile(let file, let reason):
      return "Cannot load weights from '\(file)': the file is truncated or damaged (\(reason))"
    case .invalidFile(let file, let path, let reason):
      let location = path.map { " at '\($0)'" } ?? ""
      return "Cannot load weights from '\(file)'\(location): \(reason)"
    case .invalidFileName(let file, let reason):
      return "Cannot save weights to '\(file)': \(reason)"
    case .notBuilt(let model, let file):
      return "Cannot save or load weights of '\(file)': model '\(model)' is not built yet; give it an input shape "
        + "(Input(shape:) or inputShape:) or call it on data first"
    case .layerMismatch(let file, let fileLayers, let modelLayers):
      let missing = modelLayers.filter { !fileLayers.contains($0) }
      let extra = fileLayers.filter { !modelLayers.contains($0) }
      var details: [String] = []
      if !missing.isEmpty { details.append("missing from the file: \(missing.joined(separator: ", "))") }
      if !extra.isEmpty { details.append("not in the model: \(extra.joined(separator: ", "))") }
      if details.isEmpty {
        details.append("\(fileLayers.count) layers with weights in the file, \(modelLayers.count) in the model")
      }
      return
        "Cannot load weights from '\(file)': the file is for a different architecture (\(details.joined(separator: "; "))). "
        + "Layers with weights in the file: [\(fileLayers.joined(separator: ", "))]; "
        + "in the model: [\(modelLayers.joined(separator: ", "))]"
    case .layerCountMismatch(let file, let fileLayers, let modelLayers):
      return "Cannot load weights from '\(file)': the file holds \(fileLayers.count) layers with weights "
        + "[\(fileLayers.joined(separator: ", "))] but the model has \(modelLayers.count) "
        + "[\(modelLayers.joined(separator: ", "))] (legacy .h5 weights are matched by the order of the layers "
        + "with weights)"
    case .variableCountMismatch(let file, let layer, let path, let expected, let found):
      return "Cannot load weights from '\(file)': layer '\(layer)' expects \(variables(expected.count)) "
        + "[\(expected.joined(separator: ", "))], but '\(path)' holds \(found)"
    case .shapeMismatch(let file, let layer, let variable, let index, let path, let expected, let found):
      return "Cannot load weights from '\(file)': layer '\(layer)' variable \(index) ('\(variable)') has shape "
        + "\(expected) in the model but \(found) in the file at '\(path)'"
    case .optimizerMismatch(let file, let optimizer, let expected, let reason):
      return "Cannot load weights from '\(file)': the optimizer state does not fit optimizer '\(optimizer)' "
        + "(\(reason)); it expects [\(expected.joined(separator: ", "))]. Load the weights before compile() "
        + "to skip the optimizer state"
    case .ioFailure(let file, let reason):
      return "Cannot read or write '\(file)': \(reason)"
    case .invalidArchive(let file, let entry, let reason):
      let location = entry.map { " (entry '\($0)')" } ?? ""
      return "Cannot load model from '\(file)'\(location): \(reason)"
    case .invalidModelConfig(let file, let entry, let reason):
      return "Cannot load model from '\(file)': the '\(entry)' entry cannot be read: \(reason)"
    case .notAModelFile(let file, let reason):
      return "loadModel cannot read '\(file)': \(reason). loadModel reads a whole model as saved by save() or by "
        + "Keras' model.save(): a `.keras` file (a zip archive) or an `.h5` file (HDF5); for a `.weights.h5` file, "
        + "build the model and call loadWeights"
    }
  }

  /// `1 variable`, `2 variables`.
  private func variables(_ count: Int) -> String { count == 1 ? "1 variable" : "\(count) variables" }
}

extension SavingError: LocalizedError {
  /// The message of `description`, so that `error.localizedDescription` shows it too (Foundation
  /// would otherwise print "The operation could not be completed").
  public var errorDescription: String? { description }
}
