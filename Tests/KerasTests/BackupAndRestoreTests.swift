import Foundation
import Testing

@testable import Keras

/// Stops `fit` with an error, as a crash would, after the epoch or batch given.
final class TrainingInterruption: Callback {
  struct Interrupted: Error {}
  let epoch: Int
  let batch: Int?
  private weak var model: Model?

  init(afterEpoch epoch: Int, batch: Int? = nil) {
    self.epoch = epoch
    self.batch = batch
  }

  func setModel(_ model: Model) { self.model = model }
  private var currentEpoch = 0
  func onEpochBegin(_ epoch: Int, _ logs: Logs) { currentEpoch = epoch }
  func onTrainBatchEnd(_ batch: Int, _ logs: Logs) {
    if currentEpoch == epoch, batch == self.batch { model?.failTraining(with: Interrupted()) }
  }
  func onEpochEnd(_ epoch: Int, _ logs: Logs) {
    if epoch == self.epoch, batch == nil { model?.failTraining(with: Interrupted()) }
  }
}

@Suite("BackupAndRestore resumes training exactly")
struct BackupAndRestoreTests {
  /// 48 samples of 4 features, 3 classes; from their own generator.
  let data: (x: Tensor, y: Tensor) = {
    var generator = RandomGenerator(seed: 21)
    let x = Tensor.randomNormal([48, 4], using: &generator)
    let y = Tensor((0..<48).map { Float($0 % 3) })
    return (x, y)
  }()

  /// A model with dropout (from the current generator, or its own when `dropoutSeed` is set).
  func makeModel(dropoutSeed: UInt64? = nil) throws -> Sequential {
    let model = Sequential {
      Dense(8, activation: .relu, inputShape: [4])
      Dropout(0.3, seed: dropoutSeed)
      Dense(3, activation: .softmax)
    }
    try model.compile(optimizer: Adam(learningRate: 0.01), loss: "sparse_categorical_crossentropy")
    return model
  }

  func temporaryDirectory() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("backup-test-\(UUID().uuidString)").path
  }

  func weights(_ model: Sequential) -> [[Float]] { model.weights.map(\.value.scalars) }

  /// Trains 4 epochs uninterrupted; then interrupted by `interruption` and resumed in a fresh
  /// model under another seed; returns both final weights and the resumed run's history.
  func compareRuns(
    saveFreq: BackupAndRestore.SaveFrequency, interruption: TrainingInterruption, dropoutSeed: UInt64? = nil
  )
    throws -> (uninterrupted: [[Float]], resumed: [[Float]], history: History, directory: String)
  {
    let uninterrupted = try withRandomSeed(7) {
      let model = try makeModel(dropoutSeed: dropoutSeed)
      try model.fit(data.x, data.y, batchSize: 8, epochs: 4, verbose: 0)
      return weights(model)
    }
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try withRandomSeed(7) {
      let model = try makeModel(dropoutSeed: dropoutSeed)
      let backup = try BackupAndRestore(backupDir: directory, saveFreq: saveFreq)
      #expect(throws: TrainingInterruption.Interrupted.self) {
        try model.fit(data.x, data.y, batchSize: 8, epochs: 4, verbose: 0, callbacks: [backup, interruption])
      }
    }
    #expect(FileManager.default.fileExists(atPath: directory + "/training_metadata.json"))
    // A new "process": new model, new compile, a different random state; the backup restores it.
    let (resumed, history) = try withRandomSeed(99) {
      let model = try makeModel(dropoutSeed: dropoutSeed.map { $0 + 1 })
      let backup = try BackupAndRestore(backupDir: directory, saveFreq: saveFreq)
      let history = try model.fit(data.x, data.y, batchSize: 8, epochs: 4, verbose: 0, callbacks: [backup])
      return (weights(model), history)
    }
    return (uninterrupted, resumed, history, directory)
  }

  @Test("A run interrupted after epoch 2 and resumed ends with the uninterrupted run's weights")
  func resumesAfterEpoch() throws {
    let run = try compareRuns(saveFreq: .epoch, interruption: TrainingInterruption(afterEpoch: 1))
    #expect(run.resumed == run.uninterrupted)
    #expect(run.history.epochs == [2, 3])
    #expect(run.history.history["loss"]?.count == 2)
    #expect(!FileManager.default.fileExists(atPath: run.directory), "the backup is deleted when fit completes")
  }

  @Test("A batch-level backup resumes in the middle of an epoch with the same shuffle and dropout")
  func resumesMidEpoch() throws {
    let run = try compareRuns(saveFreq: .batches(4), interruption: TrainingInterruption(afterEpoch: 1, batch: 4))
    #expect(run.resumed == run.uninterrupted)
    #expect(run.history.epochs == [1, 2, 3])
  }

  @Test("The own generators of seeded Dropout layers are restored too")
  func restoresSeededLayerGenerators() throws {
    let run = try compareRuns(saveFreq: .epoch, interruption: TrainingInterruption(afterEpoch: 0), dropoutSeed: 5)
    #expect(run.resumed == run.uninterrupted)
    #expect(run.history.epochs == [1, 2, 3])
  }

  @Test("A backup of another model throws naming the backup directory, and leaves the model unchanged")
  func rejectsBackupOfAnotherModel() throws {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try withRandomSeed(3) {
      let model = try makeModel()
      #expect(throws: TrainingInterruption.Interrupted.self) {
        try model.fit(
          data.x, data.y, batchSize: 8, epochs: 3, verbose: 0,
          callbacks: [try BackupAndRestore(backupDir: directory), TrainingInterruption(afterEpoch: 0)])
      }
    }
    try withRandomSeed(3) {
      let other = Sequential {
        Dense(5, activation: .relu, inputShape: [4])
        Dense(3, activation: .softmax)
      }
      try other.compile(optimizer: "adam", loss: "sparse_categorical_crossentropy")
      let before = weights(other)
      let error = #expect(throws: SavingError.self) {
        try other.fit(data.x, data.y, epochs: 1, verbose: 0, callbacks: [try BackupAndRestore(backupDir: directory)])
      }
      #expect(error?.description.contains(directory) == true)
      #expect(error?.description.contains("does not belong to model") == true)
      #expect(weights(other) == before)
    }
    #expect(
      FileManager.default.fileExists(atPath: directory + "/training_metadata.json"), "a failed run keeps the backup")
  }

  @Test("Leftovers of a save killed midway neither disturb the restore nor survive the next save")
  func leftoversAreRemoved() throws {
    let directory = temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try withRandomSeed(4) {
      let model = try makeModel()
      #expect(throws: TrainingInterruption.Interrupted.self) {
        try model.fit(
          data.x, data.y, batchSize: 8, epochs: 3, verbose: 0,
          callbacks: [try BackupAndRestore(backupDir: directory), TrainingInterruption(afterEpoch: 0)])
      }
    }
    // What a kill leaves: a weights file not yet committed, half-written temporary files.
    let leftovers = [
      "backup-9.weights.h5", ".backup-9.weights.h5.tmp-12345-678", ".training_metadata.json.\(UUID().uuidString).tmp",
    ]
    for name in leftovers {
      _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: Data("x".utf8))
    }
    try withRandomSeed(4) {
      let model = try makeModel()
      let backup = try BackupAndRestore(backupDir: directory, deleteCheckpoint: false)
      try model.fit(data.x, data.y, batchSize: 8, epochs: 3, verbose: 0, callbacks: [backup])
      #expect(backup.restoredEpoch == 1)
    }
    let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    #expect(names == ["backup-3.weights.h5", "training_metadata.json"])
  }

  @Test("saveFreq must be positive and backupDir non-empty")
  func rejectsBadArguments() {
    #expect(throws: KerasError.self) { try BackupAndRestore(backupDir: "") }
    #expect(throws: KerasError.self) { try BackupAndRestore(backupDir: "/tmp/x", saveFreq: .batches(0)) }
  }
}
