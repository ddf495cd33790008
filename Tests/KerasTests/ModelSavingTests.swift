import Foundation
import HDF5
import Testing
import ZIPFoundation

@testable import Keras

/// Whole models Keras saved (make_model_files.py): input, labels and each file's predictions.
struct ModelFileFixture: Decodable {
  let x: LayerFixture.Array
  let y: LayerFixture.Array
  let keras3: LayerFixture.Array
  let tf_keras: LayerFixture.Array

  static let names = ["lstm_classifier", "embedding_bidirectional", "conv_batchnorm", "simple_rnn_stack"]

  /// The path of `Fixtures/model_files/<file>`.
  static func path(_ file: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/model_files/\(file)").path
  }

  /// Loads `Fixtures/model_files/<name>.json`.
  static func load(_ name: String) throws -> ModelFileFixture {
    try JSONDecoder().decode(
      ModelFileFixture.self, from: Data(contentsOf: URL(fileURLWithPath: path("\(name).json"))))
  }
}

/// A fresh temporary directory for one test.
private func temporaryDirectory() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("model-saving-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// The error `body` throws, as a SavingError.
private func savingError(_ body: () throws -> Void) -> SavingError? {
  do {
    try body()
  } catch let error as SavingError {
    return error
  } catch {
    Issue.record("expected a SavingError, got \(error)")
  }
  return nil
}

/// Writes a zip of `entries` to `url`, stored unless `compression` says otherwise.
private func writeZip(_ entries: [(String, Data)], to url: URL, compression: CompressionMethod = .none) throws {
  let archive = try Archive(url: url, accessMode: .create)
  for (name, data) in entries {
    try archive.addEntry(
      with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: compression
    ) { position, size in
      data.subdata(in: Int(position)..<(Int(position) + size))
    }
  }
}

/// The entries of the zip at `path`, by name.
private func readZip(_ path: String) throws -> [(String, Data)] {
  let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
  return try archive.map { entry in
    var data = Data()
    _ = try archive.extract(entry) { data.append($0) }
    return (entry.path, data)
  }
}

@Suite("Whole-model saving and loading")
struct ModelSavingTests {
  @Test(
    "Models Keras 3 and tf_keras saved load, predict as Keras and keep training",
    arguments: ModelFileFixture.names.flatMap { name in
      [(name, "\(name).keras"), (name, "\(name).h5"), (name, "\(name).tf_keras.h5")]
    })
  func loadsKerasFiles(name: String, file: String) throws {
    let fixture = try ModelFileFixture.load(name)
    let model = try loadModel(ModelFileFixture.path(file))
    let expected = file.hasSuffix(".tf_keras.h5") ? fixture.tf_keras.tensor : fixture.keras3.tensor
    let predictions = try model.predict(fixture.x.tensor, verbose: 0)
    #expect(maxDifference(predictions, expected) < 1e-5)
    #expect(model.optimizer != nil)
    #expect(model.loss != nil)
    if file.hasSuffix(".keras") { #expect(model.optimizer?.iterations == 2) }
    try model.fit(fixture.x.tensor, fixture.y.tensor, batchSize: 4, epochs: 1, verbose: 0)
    #expect(maxDifference(try model.predict(fixture.x.tensor, verbose: 0), predictions) > 0)
  }

  @Test("The compile settings Keras stored come back: optimizer hyperparameters, loss and metrics")
  func compileSettings() throws {
    let conv = try loadModel(ModelFileFixture.path("conv_batchnorm.tf_keras.h5"))
    let sgd = try #require(conv.optimizer as? SGD)
    #expect(abs(sgd.currentLearningRate - 0.05) < 1e-7)
    #expect(sgd.config["momentum"] == 0.9)
    #expect(conv.loss?.name == "mean_squared_error")
    #expect(conv.compiled?.metricSpecifiers.map(\.description) == ["mae"])
    let lstm = try loadModel(ModelFileFixture.path("lstm_classifier.keras"))
    #expect(lstm.optimizer is Adam)
    #expect(lstm.compiled?.metricSpecifiers.map(\.description) == ["accuracy"])
  }

  @Test("Swift save then load gives the same weights, config and compile settings", arguments: ["keras", "h5"])
  func roundTrip(format: String) throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    for name in ModelFileFixture.names {
      let fixture = try ModelFileFixture.load(name)
      let original = try loadModel(ModelFileFixture.path("\(name).keras"))
      try original.fit(fixture.x.tensor, fixture.y.tensor, batchSize: 4, epochs: 1, verbose: 0)
      let path = directory.appendingPathComponent("\(name).\(format)").path
      try original.save(path)
      let loaded = try loadModel(path)
      #expect(loaded.getWeights() == original.getWeights())
      #expect(loaded.serializedConfig == original.serializedConfig)
      #expect(loaded.optimizer?.config == original.optimizer?.config)
      #expect(loaded.loss?.config == original.loss?.config)
      #expect(loaded.compiled?.metricSpecifiers.map(\.config) == original.compiled?.metricSpecifiers.map(\.config))
      if format == "keras" {
        #expect(loaded.optimizer?.iterations == original.optimizer?.iterations)
        #expect(
          loaded.optimizer?.variablesForSaving.map(\.value) == original.optimizer?.variablesForSaving.map(\.value))
      }
      let predictions = try original.predict(fixture.x.tensor, verbose: 0)
      #expect(try loaded.predict(fixture.x.tensor, verbose: 0) == predictions)
    }
  }

  @Test("A model compiled with a learning-rate schedule saves and loads it, and .keras resumes training exactly",
    arguments: ["keras", "h5"])
  func scheduleRoundTrip(format: String) throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let x = Tensor.randomUniform([16, 3], min: -1, max: 1, seed: 5)
    let y = Tensor.randomUniform([16, 1], min: -1, max: 1, seed: 6)
    func makeModel() throws -> Sequential {
      let model = Sequential {
        Input(shape: [3])
        Dense(4, activation: .tanh, kernelInitializer: .glorotUniform(seed: 1))
        Dense(1, kernelInitializer: .glorotUniform(seed: 2))
      }
      let schedule = ExponentialDecay(initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.5, staircase: true)
      try model.compile(optimizer: SGD(learningRate: .schedule(schedule), momentum: 0.9), loss: "mse")
      return model
    }
    let original = try makeModel()
    try original.fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false)
    let path = directory.appendingPathComponent("scheduled.\(format)").path
    try original.save(path)
    let loaded = try loadModel(path)
    #expect(loaded.optimizer?.config == original.optimizer?.config)
    guard case .schedule(let schedule)? = loaded.optimizer?.learningRate else {
      Issue.record("the schedule did not come back")
      return
    }
    #expect(schedule.className == "ExponentialDecay")
    guard format == "keras" else { return }  // SwiftKeras' .h5 files keep no optimizer state (see save(_:))
    #expect(loaded.optimizer?.iterations == 4)
    #expect(loaded.optimizer?.currentLearningRate == original.optimizer?.currentLearningRate)
    try original.fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false)
    try loaded.fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false)
    #expect(loaded.getWeights() == original.getWeights())
  }

  @Test("weighted_metrics are saved in Keras' compile_config and come back", arguments: ["keras", "h5"])
  func weightedMetricsRoundTrip(format: String) throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let model = Sequential {
      Input(shape: [3])
      Dense(2, activation: .softmax)
    }
    try model.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"], weightedMetrics: ["accuracy", "mae"])
    let path = directory.appendingPathComponent("weighted.\(format)").path
    try model.save(path)
    let loaded = try loadModel(path)
    #expect(loaded.compiled?.weightedMetricSpecifiers.map(\.config) == [.string("accuracy"), .string("mae")])
    #expect(loaded.compiled?.metricSpecifiers.map(\.config) == [.string("accuracy")])
    let x = Tensor.randomUniform([6, 3], seed: 3)
    let y = try Tensor(shape: [6, 2], scalars: [1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1])
    let scores = try loaded.evaluate(x, y, verbose: 0, sampleWeight: Tensor([1, 2, 3, 4, 5, 6]))
    #expect(Set(scores.keys) == ["accuracy", "weighted_accuracy", "mae", "loss"])
  }

  @Test("A Keras 3 legacy .h5 file's optimizer_weights restore the state its .keras twin holds",
    arguments: ModelFileFixture.names)
  func legacyOptimizerWeights(_ name: String) throws {
    // make_model_files.py saved both files from the same trained Keras model.
    let fromH5 = try loadModel(ModelFileFixture.path("\(name).h5"))
    let fromKeras = try loadModel(ModelFileFixture.path("\(name).keras"))
    let h5State = try #require(fromH5.optimizer).variablesForSaving
    let kerasState = try #require(fromKeras.optimizer).variablesForSaving
    #expect(h5State.count > 2)  // iteration, learning_rate and the slots
    #expect(h5State.map(\.value) == kerasState.map(\.value))
    #expect(fromH5.optimizer?.iterations == fromKeras.optimizer?.iterations)
    #expect(fromH5.optimizer!.iterations > 0)
  }

  @Test("A tf.keras 2 .h5 file's optimizer state does not fit Keras 3's layout: as Keras' set_weights, only the step count before the mismatch is kept")
  func tfKerasOptimizerWeights() throws {
    let path = ModelFileFixture.path("lstm_classifier.tf_keras.h5")
    let model = try loadModel(path)
    // tf.keras 2 lists `iteration:0` first, then the slots; Keras 3 expects `learning_rate` second.
    let group = try HDF5File(path: path).root.group("optimizer_weights")
    let iteration = try group.dataset("iteration:0").readScalar(as: Int.self)
    #expect(iteration > 0)
    #expect(model.optimizer?.iterations == iteration)
    #expect(model.optimizer?.slots.allSatisfy { $0.allSatisfy { $0.scalars.allSatisfy { $0 == 0 } } } == true)
  }

  @Test("writes files for check_swift_models.py (Keras loads what Swift saved)", arguments: ModelFileFixture.names)
  func writesFilesForPythonCheck(_ name: String) throws {
    let directory =
      ProcessInfo.processInfo.environment["SWIFTKERAS_MODELS_CHECK_DIR"]
      ?? FileManager.default.temporaryDirectory.appendingPathComponent("swiftkeras-models-check").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let fixture = try ModelFileFixture.load(name)
    let (x, y) = (fixture.x.tensor, fixture.y.tensor)
    let model = try loadModel(ModelFileFixture.path("\(name).keras"))
    try model.fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false)
    try model.save("\(directory)/\(name).keras")
    try model.save("\(directory)/\(name).h5")
    let saved = try model.predict(x, verbose: 0)
    try model.fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false)
    let afterEpoch = try model.predict(x, verbose: 0)
    let record: [String: Any] = [
      "prediction_saved": ["shape": saved.shape, "data": saved.scalars.map(Double.init)],
      "prediction_after_epoch": ["shape": afterEpoch.shape, "data": afterEpoch.scalars.map(Double.init)],
    ]
    try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: "\(directory)/\(name).json"))
  }

  @Test("A .keras file holds metadata.json, config.json and model.weights.h5, stored")
  func archiveLayout() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let model = try loadModel(ModelFileFixture.path("lstm_classifier.keras"))
    let path = directory.appendingPathComponent("m.keras")
    try model.save(path.path)
    let archive = try Archive(url: path, accessMode: .read)
    #expect(archive.map(\.path) == ["metadata.json", "config.json", "model.weights.h5"])
    #expect(archive.allSatisfy { $0.compressedSize == $0.uncompressedSize })
    var text = Data()
    _ = try archive.extract(archive["config.json"]!) { text.append($0) }
    let config = try ConfigValue.parse(json: String(decoding: text, as: UTF8.self))
    #expect(config["class_name"] == "Sequential")
    #expect(config["module"] == "keras")
    #expect(config["compile_config"]?["optimizer"]?["class_name"] == "Adam")
    #expect(config["config"]?["layers"].map { if case .array(let layers) = $0 { layers.count } else { 0 } } == 3)
  }

  @Test("A .keras file that is not a zip archive is refused, naming the file")
  func notZip() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("text.keras").path
    try Data("not a zip".utf8).write(to: URL(fileURLWithPath: path))
    let error = savingError { _ = try loadModel(path) }
    guard case .invalidArchive(let file, nil, _)? = error else {
      Issue.record("expected invalidArchive, got \(String(describing: error))")
      return
    }
    #expect(file == path)
  }

  @Test("A zip without config.json is refused, naming the file and the entry")
  func missingConfig() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("empty.keras")
    try writeZip([("metadata.json", Data("{}".utf8))], to: url)
    let error = savingError { _ = try loadModel(url.path) }
    guard case .invalidArchive(let file, let entry, _)? = error else {
      Issue.record("expected invalidArchive, got \(String(describing: error))")
      return
    }
    #expect(file == url.path)
    #expect(entry == "config.json")
    #expect(error?.description.contains(url.path) == true)
  }

  @Test("An entry whose name leaves the archive is refused")
  func pathTraversal() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("evil.keras")
    try writeZip([("config.json", Data("{}".utf8)), ("../../evil.txt", Data("x".utf8))], to: url)
    let error = savingError { _ = try loadModel(url.path) }
    guard case .invalidArchive(let file, let entry, _)? = error else {
      Issue.record("expected invalidArchive, got \(String(describing: error))")
      return
    }
    #expect(file == url.path)
    #expect(entry == "../../evil.txt")
    #expect(!KerasArchive.isSafe("/etc/passwd"))
    #expect(!KerasArchive.isSafe("assets/../../x"))
    #expect(KerasArchive.isSafe("assets/vocab.txt"))
  }

  @Test("Entries declaring more than 2 GiB are refused before anything is extracted")
  func zipBomb() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("bomb.keras")
    try writeZip([("config.json", Data("{}".utf8))], to: url)
    var bytes = [UInt8](try Data(contentsOf: url))
    // Declare 4 GiB - 256 bytes uncompressed in the central directory header (offset 24).
    let header = try #require(
      (0..<(bytes.count - 4)).first { bytes[$0..<($0 + 4)].elementsEqual([0x50, 0x4B, 0x01, 0x02]) })
    bytes.replaceSubrange((header + 24)..<(header + 28), with: [0x00, 0xFF, 0xFF, 0xFF])
    try Data(bytes).write(to: url)
    let error = savingError { _ = try loadModel(url.path) }
    guard case .invalidArchive(let file, "config.json", let reason)? = error else {
      Issue.record("expected invalidArchive, got \(String(describing: error))")
      return
    }
    #expect(file == url.path)
    #expect(reason.contains("zip bomb"))
  }

  @Test("A truncated .keras file is refused, naming the file")
  func truncated() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let bytes = try Data(contentsOf: URL(fileURLWithPath: ModelFileFixture.path("lstm_classifier.keras")))
    let path = directory.appendingPathComponent("cut.keras").path
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
    let error = savingError { _ = try loadModel(path) }
    #expect(error?.description.contains(path) == true)
  }

  @Test("A deflated entry expanding more than 100:1 is refused as a zip bomb before anything is extracted")
  func compressedZipBomb() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("bomb.keras")
    try writeZip(
      [("config.json", Data("{}".utf8)), ("model.weights.h5", Data(count: 16 << 20))], to: url, compression: .deflate)
    let error = savingError { _ = try loadModel(url.path) }
    guard case .invalidArchive(let file, "model.weights.h5", let reason)? = error else {
      Issue.record("expected invalidArchive, got \(String(describing: error))")
      return
    }
    #expect(file == url.path)
    #expect(reason.contains("zip bomb"))
  }

  @Test(
    "A config declaring more weights than the file can hold is refused before they are allocated",
    arguments: ["lstm_classifier.keras", "lstm_classifier.h5"])
  func absurdSizes(file: String) throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent(file).path
    // The Dense layer's 1 unit becomes 2^40: a kernel of 4 TiB.
    func hostile(_ config: String) -> String {
      config.replacingOccurrences(of: "\"units\": 1,", with: "\"units\": 1099511627776,")
    }
    if file.hasSuffix(".keras") {
      let entries = try readZip(ModelFileFixture.path(file)).map { name, data in
        (name, name == "config.json" ? Data(hostile(String(decoding: data, as: UTF8.self)).utf8) : data)
      }
      try writeZip(entries, to: URL(fileURLWithPath: path))
    } else {
      try FileManager.default.copyItem(atPath: ModelFileFixture.path(file), toPath: path)
      let root = try HDF5File(path: path, mode: .readWrite).root
      try root.setAttribute("model_config", to: hostile(try root.attribute("model_config", as: String.self)))
    }
    let error = savingError { _ = try loadModel(path) }
    guard case .invalidModelConfig(path, _, let reason)? = error else {
      Issue.record("expected invalidModelConfig naming \(path), got \(String(describing: error))")
      return
    }
    #expect(
      reason.contains("'dense'") && reason.contains("'kernel'") && reason.contains("[4, 1099511627776]"), "\(reason)")
  }

  @Test("save refuses other file names and unbuilt models before writing")
  func saveRefusals() throws {
    let model = Sequential {
      Input(shape: [3]); Dense(2)
    }
    #expect(throws: SavingError.self) { try model.save("/tmp/m.weights.h5") }
    #expect(throws: SavingError.self) { try model.save("/tmp/m.txt") }
    let unbuilt = Sequential()
    #expect(throws: SavingError.self) { try unbuilt.save("/tmp/unbuilt.keras") }
  }

  @Test("An unknown layer class gives the error listing the supported ones")
  func unknownLayer() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("unknown.keras")
    let config = """
      {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
      {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 3]}},
      {"module": "keras.layers", "class_name": "MysteryLayer", "config": {"name": "m"}}]}}
      """
    try writeZip([("config.json", Data(config.utf8)), ("model.weights.h5", Data())], to: url)
    #expect {
      _ = try loadModel(url.path)
    } throws: { error in
      guard case KerasError.unknownName(_, "MysteryLayer", let valid) = error else { return false }
      return valid.contains("Dense")
    }
  }
}

@Suite("Scratch directories of .keras saves and loads")
struct ScratchDirectoryTests {
  /// The id of a process that has exited.
  func deadProcessID() throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    return process.processIdentifier
  }

  @Test("a scratch directory a killed process left is removed by the next save; live ones stay")
  func staleDirectoriesAreRemoved() throws {
    let temporary = FileManager.default.temporaryDirectory
    let stale = temporary.appendingPathComponent("swift-keras-save-\(try deadProcessID())-\(UUID().uuidString)")
    let live = temporary.appendingPathComponent("swift-keras-save-\(getpid())-\(UUID().uuidString)")
    let unrelated = temporary.appendingPathComponent("swift-keras-save-notes-\(UUID().uuidString)")
    for directory in [stale, live, unrelated] {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }
    defer { for directory in [stale, live, unrelated] { try? FileManager.default.removeItem(at: directory) } }

    let model = Sequential { Dense(2, inputShape: [3]) }
    try model.compile(optimizer: "adam", loss: "mse")
    let file = temporary.appendingPathComponent("scratch-\(UUID().uuidString).keras")
    defer { try? FileManager.default.removeItem(at: file) }
    try model.save(file.path)

    #expect(!FileManager.default.fileExists(atPath: stale.path))
    #expect(FileManager.default.fileExists(atPath: live.path))
    #expect(FileManager.default.fileExists(atPath: unrelated.path))
    #expect(try loadModel(file.path).getWeights() == model.getWeights())
  }
}
