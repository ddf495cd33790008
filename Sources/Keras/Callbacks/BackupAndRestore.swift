import Foundation

/// Backs up the training state during `fit` and restores it when `fit` runs again after an
/// interruption (`keras.callbacks.BackupAndRestore`), so the run ends with the weights an
/// uninterrupted run would have.
///
/// ```swift
/// let backup = try BackupAndRestore(backupDir: "/tmp/backup")
/// try model.fit(x, y, epochs: 10, callbacks: [backup])   // killed during epoch 4...
/// try model.fit(x, y, epochs: 10, callbacks: [backup])   // ...continues with epoch 4
/// ```
///
/// A backup holds the weights, the optimizer's state (step count and slots), where training
/// stands (epoch, and batch with `saveFreq: .batches(n)`) and the random state `fit` draws
/// from: the current generator (TensorCore's `RandomGenerator.withCurrent`, which shuffles and draws
/// unseeded dropout masks) and the own generator of every seeded `Dropout` or recurrent layer.
/// Restored in a new process with the same model, compile settings, data and `fit` arguments,
/// training continues bit for bit as if it had not stopped. Unlike Keras, which restarts an
/// interrupted epoch from its first batch, a batch-level backup continues from the next batch,
/// with the epoch's shuffle drawn again from the saved state; the metrics logged for that epoch
/// then cover only the batches after the restart.
///
/// The directory holds, as Keras' names where they exist:
/// - `backup-<n>.weights.h5`: ``Model/saveWeights(_:)-(String)`` with the optimizer state;
/// - `training_metadata.json`: `{"epoch": e, "batch": b, "weights": "backup-<n>.weights.h5",
///   "random_state": [...], "epoch_random_state": [...] or null, "dropout_random_states": [...],
///   "model": name, "format": "swift-keras-backup", "version": 1}`, generator states as
///   16-digit hexadecimal words; `epoch` is the epoch to continue (0-based) and `batch` the
///   batches of it already trained.
///
/// Each save writes a new weights file (atomically), then replaces the metadata atomically: the
/// rename of the metadata commits the backup, so a crash at any moment leaves the previous
/// complete backup. Weights files the metadata does not name, and temporary files of
/// interrupted writes, are removed on the next save.
///
/// Errors while saving or restoring stop `fit`, which throws them; the backup is then kept.
/// When `fit` ends normally and `deleteCheckpoint` is true, the backup's files (and the
/// directory, if that leaves it empty) are removed.
public final class BackupAndRestore: Callback {
  /// When a backup is written.
  public enum SaveFrequency: Sendable, Equatable {
    /// At the end of every epoch (Keras' `save_freq="epoch"`).
    case epoch
    /// After every `n` training batches, counted across epochs (Keras' `save_freq=n`).
    case batches(Int)
  }

  /// The directory of the backup; nothing else should write there.
  public let backupDir: String
  /// When a backup is written.
  public let saveFreq: SaveFrequency
  /// Whether the backup is removed when `fit` completes.
  public let deleteCheckpoint: Bool
  /// The epoch the last `fit` continued from a backup (0-based), nil when it found none.
  public private(set) var restoredEpoch: Int?

  /// The metadata file, whose replacement commits a backup.
  static let metadataName = "training_metadata.json"
  private weak var model: Model?
  private var savesWritten = 0
  private var batchesSinceSave = 0
  private var currentEpoch = 0
  /// The current generator's state at the start of the epoch in progress (before its shuffle).
  private var epochRandomState: [UInt64]?
  /// The epoch restored in the middle, whose start state came from the backup.
  private var resumedMidEpoch: Int?

  /// A callback backing up to `backupDir`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for an empty `backupDir` or a batch count
  ///   below 1.
  public init(backupDir: String, saveFreq: SaveFrequency = .epoch, deleteCheckpoint: Bool = true) throws {
    guard !backupDir.isEmpty else { throw KerasError.invalidArgument("BackupAndRestore: empty backupDir") }
    if case .batches(let n) = saveFreq, n < 1 {
      throw KerasError.invalidArgument("BackupAndRestore: saveFreq must be .epoch or .batches(n) with n >= 1, got \(n)")
    }
    self.backupDir = backupDir
    self.saveFreq = saveFreq
    self.deleteCheckpoint = deleteCheckpoint
  }

  public func setModel(_ model: Model) { self.model = model }

  public func onTrainBegin(_ logs: Logs) {
    guard let model else { return }
    batchesSinceSave = 0
    resumedMidEpoch = nil
    restoredEpoch = nil
    do {
      try restore(into: model)
    } catch {
      model.failTraining(with: error)
    }
  }

  public func onEpochBegin(_ epoch: Int, _ logs: Logs) {
    currentEpoch = epoch
    if resumedMidEpoch == epoch {
      resumedMidEpoch = nil
    } else {
      epochRandomState = RandomGenerator.withCurrent { $0.state }
    }
  }

  public func onTrainBatchEnd(_ batch: Int, _ logs: Logs) {
    guard case .batches(let n) = saveFreq else { return }
    batchesSinceSave += 1
    guard batchesSinceSave >= n else { return }
    batchesSinceSave = 0
    save(TrainingPosition(epoch: currentEpoch, batch: batch + 1, epochRandomState: epochRandomState))
  }

  public func onEpochEnd(_ epoch: Int, _ logs: Logs) {
    guard saveFreq == .epoch else { return }
    save(TrainingPosition(epoch: epoch + 1, batch: 0))
  }

  public func onTrainEnd(_ logs: Logs) {
    guard deleteCheckpoint, let model, model.trainer?.callbackError == nil else { return }
    let directory = URL(fileURLWithPath: backupDir)
    let files = (try? FileManager.default.contentsOfDirectory(atPath: backupDir)) ?? []
    for name in files where Self.ownsFile(name) {
      try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
    }
    if (try? FileManager.default.contentsOfDirectory(atPath: backupDir))?.isEmpty == true {
      try? FileManager.default.removeItem(atPath: backupDir)
    }
  }

  // MARK: Saving

  /// Writes a backup at `position`; a failure stops `fit`.
  private func save(_ position: TrainingPosition) {
    guard let model else { return }
    do {
      try FileManager.default.createDirectory(atPath: backupDir, withIntermediateDirectories: true)
    } catch {
      model.failTraining(
        with: SavingError.ioFailure(file: backupDir, reason: "cannot create the backup directory: \(error)"))
      return
    }
    savesWritten += 1
    let weightsName = "backup-\(savesWritten).weights.h5"
    let metadata = BackupMetadata(
      epoch: position.epoch, batch: position.batch, weights: weightsName, model: model.name,
      randomState: RandomGenerator.withCurrent { $0.state },
      epochRandomState: position.batch > 0 ? position.epochRandomState : nil,
      dropoutRandomStates: model.layers.flatMap(\.dropoutGeneratorStates))
    do {
      try model.saveWeights(path(weightsName))
      try writeTextAtomically(try metadata.json(), to: URL(fileURLWithPath: path(Self.metadataName)))
    } catch {
      model.failTraining(with: SavingError.ioFailure(file: backupDir, reason: "cannot write the backup: \(error)"))
      return
    }
    removeLeftovers(keeping: weightsName)
  }

  /// Removes weights files other than `weightsName` and temporary files of interrupted writes.
  private func removeLeftovers(keeping weightsName: String) {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: backupDir)) ?? []
    for name in files where Self.ownsFile(name) && name != weightsName && name != Self.metadataName {
      try? FileManager.default.removeItem(atPath: path(name))
    }
  }

  /// Whether the backup wrote `name`: its metadata, a weights file, or a temporary file of either.
  static func ownsFile(_ name: String) -> Bool {
    let isWeights = { (name: Substring) in name.hasPrefix("backup-") && name.hasSuffix(".weights.h5") }
    if name == metadataName || isWeights(Substring(name)) { return true }
    // Temporary files are `.<name>.tmp-<pid>-<n>` (AtomicFile), or `.<name>.<uuid>.tmp` of
    // earlier releases.
    guard name.hasPrefix(".") else { return false }
    let rest = name.dropFirst()
    if rest.hasPrefix(metadataName + ".") && (rest.hasSuffix(".tmp") || rest.hasPrefix(metadataName + ".tmp-")) {
      return true
    }
    guard let marker = rest.range(of: ".weights.h5.tmp-") else { return false }
    return isWeights(rest[..<marker.lowerBound] + ".weights.h5")
  }

  private func path(_ name: String) -> String { URL(fileURLWithPath: backupDir).appendingPathComponent(name).path }

  // MARK: Restoring

  /// Restores the backup in ``backupDir``, if there is one: everything is read and checked
  /// before the model, its optimizer or any generator changes.
  private func restore(into model: Model) throws {
    let metadataPath = path(Self.metadataName)
    savesWritten = 0
    guard FileManager.default.fileExists(atPath: metadataPath) else { return }
    let metadata = try BackupMetadata.read(metadataPath)
    func mismatch(_ reason: String) -> SavingError {
      .invalidFile(
        file: backupDir, path: nil,
        reason: "the backup does not belong to model '\(model.name)': \(reason); "
          + "remove the directory to start afresh")
    }
    let dropoutStates = model.layers.flatMap(\.dropoutGeneratorStates)
    guard metadata.dropoutRandomStates.count == dropoutStates.count,
      zip(metadata.dropoutRandomStates, dropoutStates).allSatisfy({ ($0 == nil) == ($1 == nil) })
    else {
      throw mismatch(
        "it holds \(metadata.dropoutRandomStates.count) dropout generators (seeded: "
          + "\(metadata.dropoutRandomStates.filter { $0 != nil }.count)), the model has \(dropoutStates.count) "
          + "(seeded: \(dropoutStates.filter { $0 != nil }.count))")
    }
    guard model.optimizer != nil else {
      throw KerasError.notBuilt("BackupAndRestore: compile model '\(model.name)' before restoring '\(backupDir)'")
    }
    guard FileManager.default.fileExists(atPath: path(metadata.weights)) else {
      throw SavingError.invalidFile(
        file: backupDir, path: nil, reason: "'\(Self.metadataName)' names '\(metadata.weights)', which is missing")
    }
    do {
      try model.loadWeights(path(metadata.weights))
    } catch let error as SavingError {
      throw mismatch(error.description)
    }
    RandomGenerator.withCurrent { $0.state = metadata.randomState }
    var layerStates = metadata.dropoutRandomStates[...]
    for layer in model.layers {
      let count = layer.dropoutGeneratorStates.count
      layer.dropoutGeneratorStates = Array(layerStates.prefix(count))
      layerStates = layerStates.dropFirst(count)
    }
    savesWritten = metadata.savesWritten
    currentEpoch = metadata.epoch
    if metadata.batch > 0 {
      resumedMidEpoch = metadata.epoch
      epochRandomState = metadata.epochRandomState
    }
    restoredEpoch = metadata.epoch
    model.trainer?.resumePosition = TrainingPosition(
      epoch: metadata.epoch, batch: metadata.batch, epochRandomState: metadata.epochRandomState)
  }
}

/// The contents of `training_metadata.json` (see ``BackupAndRestore``).
struct BackupMetadata: Equatable {
  static let format = "swift-keras-backup"
  static let version = 1

  var epoch: Int
  var batch: Int
  var weights: String
  var model: String
  var randomState: [UInt64]
  var epochRandomState: [UInt64]?
  var dropoutRandomStates: [[UInt64]?]

  /// The number in the weights file name (`backup-<n>.weights.h5`), so later saves number on.
  var savesWritten: Int {
    Int(weights.dropFirst("backup-".count).dropLast(".weights.h5".count)) ?? 0
  }

  private struct Document: Codable {
    var format: String
    var version: Int
    var epoch: Int
    var batch: Int
    var weights: String
    var model: String
    var random_state: [String]
    var epoch_random_state: [String]?
    var dropout_random_states: [[String]?]
  }

  private static func hex(_ state: [UInt64]) -> [String] {
    state.map { String(repeating: "0", count: 16 - String($0, radix: 16).count) + String($0, radix: 16) }
  }

  /// The JSON text, keys sorted.
  func json() throws -> String {
    let document = Document(
      format: Self.format, version: Self.version, epoch: epoch, batch: batch, weights: weights, model: model,
      random_state: Self.hex(randomState), epoch_random_state: epochRandomState.map(Self.hex),
      dropout_random_states: dropoutRandomStates.map { $0.map(Self.hex) })
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(document), as: UTF8.self)
  }

  /// Reads and checks the metadata file at `path`.
  ///
  /// - Throws: ``SavingError/invalidFile(file:path:reason:)`` naming the file for unreadable
  ///   JSON, another format or version, a position out of range, a weights file name outside
  ///   the directory, or a generator state that is not four non-zero hexadecimal words.
  static func read(_ path: String) throws -> BackupMetadata {
    func invalid(_ reason: String) -> SavingError { .invalidFile(file: path, path: nil, reason: reason) }
    let document: Document
    do {
      document = try JSONDecoder().decode(Document.self, from: try Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      throw invalid("not BackupAndRestore metadata: \(error)")
    }
    guard document.format == format, document.version == version else {
      throw invalid("format '\(document.format)' version \(document.version); expected '\(format)' version \(version)")
    }
    guard document.epoch >= 0, document.batch >= 0 else {
      throw invalid("negative epoch \(document.epoch) or batch \(document.batch)")
    }
    guard !document.weights.contains("/"), document.weights.hasPrefix("backup-"),
      document.weights.hasSuffix(".weights.h5")
    else { throw invalid("weights file name '\(document.weights)' is not a backup-<n>.weights.h5 in the directory") }
    func state(_ words: [String]) throws -> [UInt64] {
      let state = words.compactMap { UInt64($0, radix: 16) }
      guard state.count == words.count, (try? RandomGenerator(state: state)) != nil else {
        throw invalid("random state \(words) is not four hexadecimal words, not all zero")
      }
      return state
    }
    return BackupMetadata(
      epoch: document.epoch, batch: document.batch, weights: document.weights, model: document.model,
      randomState: try state(document.random_state), epochRandomState: try document.epoch_random_state.map(state),
      dropoutRandomStates: try document.dropout_random_states.map { try $0.map(state) })
  }
}
