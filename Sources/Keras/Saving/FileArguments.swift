import Foundation

// The file arguments of saving and loading: every function that takes a path as a `String`
// takes a file `URL` too, and a save into a directory that does not exist says so.

extension Model {
  /// Saves the whole model to the file at `url`; see ``save(_:)-(String)``.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for a URL that is not a file URL; the errors
  ///   of ``save(_:)-(String)``.
  public func save(_ url: URL) throws { try save(try filePath(url, for: "save")) }

  /// Saves the weights to the `.weights.h5` file at `url`; see ``saveWeights(_:)-(String)``.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for a URL that is not a file URL; the errors
  ///   of ``saveWeights(_:)-(String)``.
  public func saveWeights(_ url: URL) throws { try saveWeights(try filePath(url, for: "saveWeights")) }

  /// Loads weights from the file at `url`; see ``loadWeights(_:)-(String)``.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for a URL that is not a file URL; the errors
  ///   of ``loadWeights(_:)-(String)``.
  public func loadWeights(_ url: URL) throws { try loadWeights(try filePath(url, for: "loadWeights")) }

  /// Loads weights from the file at `url`, by layer name with `byName`; see
  /// ``loadWeights(_:byName:skipMismatch:)-(String,Bool,Bool)``.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for a URL that is not a file URL; the errors
  ///   of ``loadWeights(_:byName:skipMismatch:)-(String,Bool,Bool)``.
  public func loadWeights(_ url: URL, byName: Bool, skipMismatch: Bool = false) throws {
    try loadWeights(try filePath(url, for: "loadWeights"), byName: byName, skipMismatch: skipMismatch)
  }
}

/// Loads the whole model in the file at `url`; see ``loadModel(_:)-(String)``.
///
/// - Throws: ``KerasError/invalidArgument(_:)`` for a URL that is not a file URL; the errors of
///   ``loadModel(_:)-(String)``.
public func loadModel(_ url: URL) throws -> Model { try loadModel(try filePath(url, for: "loadModel")) }

/// The structure of the model file at `url` as text; see ``inspectModelFile(_:attributeWidth:)-(String,Int)``.
///
/// - Throws: ``KerasError/invalidArgument(_:)`` for a URL that is not a file URL; the errors of
///   ``inspectModelFile(_:attributeWidth:)-(String,Int)``.
public func inspectModelFile(_ url: URL, attributeWidth: Int = 100) throws -> String {
  try inspectModelFile(try filePath(url, for: "inspectModelFile"), attributeWidth: attributeWidth)
}

/// The path of a file URL given to `operation`.
///
/// - Throws: ``KerasError/invalidArgument(_:)`` for another kind of URL (`https:`, ...).
func filePath(_ url: URL, for operation: String) throws -> String {
  guard url.isFileURL else {
    throw KerasError.invalidArgument(
      "\(operation): '\(url.absoluteString)' is not a file URL; pass a path, or URL(fileURLWithPath:)")
  }
  return url.path
}

extension SavingError {
  /// Checks that the directory a file is to be written in exists.
  ///
  /// - Throws: ``SavingError/ioFailure(file:reason:)`` naming the missing directory.
  static func requireDirectory(of path: String) throws {
    let directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
      throw SavingError.ioFailure(
        file: path,
        reason: "the directory '\(directory)' does not exist; create it first "
          + "(FileManager.default.createDirectory(atPath:withIntermediateDirectories:))")
    }
    guard isDirectory.boolValue else {
      throw SavingError.ioFailure(file: path, reason: "'\(directory)' is not a directory")
    }
  }
}

extension CSVLogger {
  /// A logger writing to the file at `url`; see ``init(_:separator:append:)-(String,String,Bool)``.
  public convenience init(_ url: URL, separator: String = ",", append: Bool = false) {
    self.init(url.path, separator: separator, append: append)
  }
}

extension ModelCheckpoint {
  /// A checkpoint writing to the file at `url` (which may hold Keras' templates, such as
  /// `{epoch:02d}`); see the initializer taking the path as a `String`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for a URL that is not a file URL, or when the
  ///   file name does not fit the mode.
  public convenience init(
    _ url: URL, monitor: String = "val_loss", verbose: Int = 0, saveBestOnly: Bool = false,
    saveWeightsOnly: Bool = false, mode: MonitorMode = .auto, initialValueThreshold: Float? = nil
  ) throws {
    try self.init(
      try filePath(url, for: "ModelCheckpoint"), monitor: monitor, verbose: verbose, saveBestOnly: saveBestOnly,
      saveWeightsOnly: saveWeightsOnly, mode: mode, initialValueThreshold: initialValueThreshold)
  }
}

extension BackupAndRestore {
  /// A callback backing up to the directory at `backupDir`; see the initializer taking the path
  /// as a `String`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for a URL that is not a file URL, or a batch
  ///   count below 1.
  public convenience init(backupDir: URL, saveFreq: SaveFrequency = .epoch, deleteCheckpoint: Bool = true) throws {
    try self.init(
      backupDir: try filePath(backupDir, for: "BackupAndRestore"), saveFreq: saveFreq,
      deleteCheckpoint: deleteCheckpoint)
  }
}
