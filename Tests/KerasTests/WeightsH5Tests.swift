import Foundation
import HDF5
import Testing

@testable import Keras

/// A model whose weights real Keras saved (make_weights_fixtures.py): input, targets, predictions.
struct WeightsFixture: Decodable {
  let name: String
  let optimizer: String
  let loss: String
  let batch_size: Int
  let input: LayerFixture.Array
  let target: LayerFixture.Array
  let output: LayerFixture.Array

  /// The path of `Fixtures/weights/<file>`.
  static func path(_ file: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/weights/\(file)").path
  }

  /// Loads `Fixtures/weights/<name>.json`.
  static func load(_ name: String) throws -> WeightsFixture {
    try JSONDecoder().decode(WeightsFixture.self, from: Data(contentsOf: URL(fileURLWithPath: path("\(name).json"))))
  }

  /// The Swift twin of the fixture's Keras model, built but not compiled.
  static func model(_ name: String) -> Sequential {
    switch name {
    case "dense":
      Sequential {
        Input(shape: [4]); Dense(6, activation: .relu); Dense(3, activation: .softmax)
      }
    case "lstm":
      Sequential {
        Input(shape: [5, 3]); LSTM(4, returnSequences: true); LSTM(2); Dense(1); Dense(1)
      }
    case "gru":
      Sequential {
        Input(shape: [5, 3]); GRU(3); Dense(1)
      }
    case "simple_rnn":
      Sequential {
        Input(shape: [4, 2]); SimpleRNN(3, returnSequences: true); SimpleRNN(2)
      }
    case "embedding_gru":
      Sequential {
        Input(shape: [6]); Embedding(10, 4); GRU(3); Dense(1, activation: .sigmoid)
      }
    case "bidirectional":
      Sequential {
        Input(shape: [5, 3])
        Bidirectional(LSTM(3, returnSequences: true))
        TimeDistributed(Dense(2))
        Bidirectional(GRU(2), mergeMode: .sum)
        Dense(1)
      }
    case "conv1d_batchnorm":
      Sequential {
        Input(shape: [8, 3])
        Conv1D(4, kernelSize: 3, activation: .relu)
        BatchNormalization()
        MaxPooling1D(poolSize: 2)
        LayerNormalization()
        GlobalAveragePooling1D()
        Dense(1)
      }
    default:
      fatalError("no Swift model for fixture '\(name)'")
    }
  }

  /// The fixture's model compiled with the fixture's optimizer and loss.
  static func compiledModel(_ name: String) throws -> Sequential {
    let fixture = try load(name)
    let model = model(name)
    try model.compile(optimizer: fixture.optimizer, loss: fixture.loss)
    return model
  }

  static let names = ["dense", "lstm", "gru", "simple_rnn", "embedding_gru", "bidirectional", "conv1d_batchnorm"]
}

/// A fresh directory under the system's temporary directory.
private func temporaryDirectory(_ label: String) throws -> String {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("swiftkeras-\(label)-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url.path
}

/// Every group and dataset in an HDF5 file: path, kind, shape, element type and attribute names,
/// in name order, for comparing layouts.
private func layoutLines(of path: String) throws -> [String] {
  var lines: [String] = []
  func walk(_ group: HDF5Group) throws {
    lines.append("G \(group.path) attrs=\(try group.attributeNames(order: .name))")
    for name in try group.names(order: .name) {
      if try group.kind(of: name) == .group {
        try walk(try group.group(name))
      } else {
        let dataset = try group.dataset(name)
        lines.append("D \(dataset.path) \(dataset.shape) \(dataset.elementType)")
      }
    }
  }
  try walk(try HDF5File(path: path).root)
  return lines
}

/// The values of all weights and of the optimizer's state, for exact comparisons.
private func stateSnapshot(_ model: Sequential) -> [[Float]] {
  model.getWeights().map(\.scalars) + (model.optimizer?.variablesForSaving.map(\.value.scalars) ?? [])
}

@Suite("Keras .weights.h5 and legacy .h5 weights files")
struct WeightsH5Tests {
  // MARK: Reading files written by Keras

  @Test("loads Keras 3 .weights.h5 files and predicts as Keras (1e-5)", arguments: WeightsFixture.names)
  func loadsKeras3(_ name: String) throws {
    let fixture = try WeightsFixture.load(name)
    let model = WeightsFixture.model(name)
    try model.loadWeights(WeightsFixture.path("\(name).weights.h5"))
    let difference = maxDifference(try model.predict(fixture.input.tensor, verbose: 0), fixture.output.tensor)
    #expect(difference <= 1e-5, "\(name): predictions differ from Keras by \(difference)")
  }

  @Test("loads legacy .h5 files of tf_keras (Keras 2) and predicts as Keras (1e-5)", arguments: WeightsFixture.names)
  func loadsKeras2(_ name: String) throws {
    let fixture = try WeightsFixture.load(name)
    let model = WeightsFixture.model(name)
    try model.loadWeights(WeightsFixture.path("\(name).h5"))
    let difference = maxDifference(try model.predict(fixture.input.tensor, verbose: 0), fixture.output.tensor)
    #expect(difference <= 1e-5, "\(name): predictions differ from Keras by \(difference)")
  }

  @Test(
    "restores Keras' optimizer state into a compiled model whose optimizer has not run", arguments: WeightsFixture.names
  )
  func restoresKerasOptimizerState(_ name: String) throws {
    let model = try WeightsFixture.compiledModel(name)
    let path = WeightsFixture.path("\(name).weights.h5")
    try model.loadWeights(path)
    let optimizer = try #require(model.optimizer)
    #expect(optimizer.iterations == 4, "2 epochs of 2 batches")
    let group = try HDF5File(path: path).root.group("optimizer/vars")
    let saved = optimizer.variablesForSaving
    #expect(try group.names().count == saved.count)
    for (index, entry) in saved.enumerated() {
      let stored = try group.dataset("\(index)").read(as: Float.self)
      #expect(stored == entry.value.scalars, "\(name): optimizer variable \(index) ('\(entry.name)')")
    }
  }

  @Test("loads the weights of a whole model saved by Keras 3 as legacy .h5 (model_weights group)")
  func loadsKeras3WholeModelH5() throws {
    let fixture = try WeightsFixture.load("lstm")
    let model = try WeightsFixture.compiledModel("lstm")
    try model.loadWeights(WeightsFixture.path("lstm.model.h5"))
    #expect(maxDifference(try model.predict(fixture.input.tensor, verbose: 0), fixture.output.tensor) <= 1e-5)
    #expect(model.optimizer?.isBuilt == false, "legacy files restore no optimizer state")
  }

  @Test("reads legacy names stored as fixed-length strings and split into chunks (weight_names0, ...)")
  func legacyChunkedFixedLengthNames() throws {
    let source = Sequential {
      Input(shape: [3]); Dense(2); Dense(1, useBias: false)
    }
    let path = try temporaryDirectory("chunks") + "/old.h5"
    try HDF5File.write(to: path) { file in
      let root = try file.root
      try root.setAttribute("layer_names0", to: ["first"], encoding: .fixedLength)
      try root.setAttribute("layer_names1", to: ["empty", "second"], encoding: .fixedLength)
      try root.createGroup("empty").setAttribute("weight_names", to: [Float]())
      let first = try root.createGroup("first")
      try first.setAttribute("weight_names0", to: ["first/kernel:0"], encoding: .fixedLength)
      try first.setAttribute("weight_names1", to: ["first/bias:0"], encoding: .fixedLength)
      try root.createGroup("second").setAttribute("weight_names", to: ["second/kernel:0"], encoding: .fixedLength)
      for (name, weight) in zip(
        ["first/first/kernel:0", "first/first/bias:0", "second/second/kernel:0"], source.weights)
      {
        try root.createDataset(name, shape: weight.shape, values: weight.value.scalars)
      }
    }
    let model = Sequential {
      Input(shape: [3]); Dense(2); Dense(1, useBias: false)
    }
    try model.loadWeights(path)
    #expect(model.getWeights().map(\.scalars) == source.getWeights().map(\.scalars))
  }

  @Test("a file saved before its optimizer ran leaves an optimizer that has run alone")
  func unbuiltFileStateIsSkipped() throws {
    let fixture = try WeightsFixture.load("dense")
    let unbuilt = try WeightsFixture.compiledModel("dense")
    try unbuilt.loadWeights(WeightsFixture.path("dense.h5"))
    let path = try temporaryDirectory("skip") + "/dense.weights.h5"
    try unbuilt.saveWeights(path)

    let trained = try WeightsFixture.compiledModel("dense")
    _ = try trained.fit(
      fixture.input.tensor, fixture.target.tensor, batchSize: 4, epochs: 1, verbose: 0, shuffle: false)
    let optimizerState = try #require(trained.optimizer).variablesForSaving.map(\.value.scalars)
    try trained.loadWeights(path)
    #expect(trained.getWeights().map(\.scalars) == unbuilt.getWeights().map(\.scalars))
    #expect(try #require(trained.optimizer).variablesForSaving.map(\.value.scalars) == optimizerState)
  }

  @Test("a model given inputShape: instead of an Input layer reads the same file")
  func modelWithoutInputLayer() throws {
    let fixture = try WeightsFixture.load("dense")
    let model = Sequential {
      Dense(6, activation: .relu, inputShape: [4]); Dense(3, activation: .softmax)
    }
    try model.loadWeights(WeightsFixture.path("dense.weights.h5"))
    #expect(maxDifference(try model.predict(fixture.input.tensor, verbose: 0), fixture.output.tensor) <= 1e-5)
  }

  @Test("layers without weights may be added or removed, as Keras allows")
  func weightlessLayersAreIgnored() throws {
    let fixture = try WeightsFixture.load("lstm")
    let model = Sequential {
      Input(shape: [5, 3])
      LSTM(4, returnSequences: true)
      Dropout(0.5)
      LSTM(2)
      Dense(1)
      Activation(.linear)
      Dense(1)
    }
    try model.loadWeights(WeightsFixture.path("lstm.weights.h5"))
    #expect(maxDifference(try model.predict(fixture.input.tensor, verbose: 0), fixture.output.tensor) <= 1e-5)
  }

  // MARK: Writing

  @Test("a file Swift writes has exactly the layout of Keras' own file", arguments: WeightsFixture.names)
  func writesKerasLayout(_ name: String) throws {
    let model = try WeightsFixture.compiledModel(name)
    let kerasFile = WeightsFixture.path("\(name).weights.h5")
    try model.loadWeights(kerasFile)
    let path = try temporaryDirectory("layout") + "/\(name).weights.h5"
    try model.saveWeights(path)
    #expect(try layoutLines(of: path) == layoutLines(of: kerasFile))
    let root = try HDF5File(path: path).root
    #expect(try root.group("vars").attribute("name", as: String.self) == model.name)
    let firstKey = LayerNames.snakeCase(type(of: model.layers[0]).className)
    #expect(try root.group("layers/\(firstKey)/vars").attribute("name", as: String.self) == model.layers[0].name)
  }

  @Test("Swift save then Swift load gives identical weights and optimizer state", arguments: WeightsFixture.names)
  func roundTrip(_ name: String) throws {
    let fixture = try WeightsFixture.load(name)
    let trained = try WeightsFixture.compiledModel(name)
    _ = try trained.fit(
      fixture.input.tensor, fixture.target.tensor, batchSize: 4, epochs: 1, verbose: 0, shuffle: false)
    let path = try temporaryDirectory("roundtrip") + "/\(name).weights.h5"
    try trained.saveWeights(path)

    let restored = try WeightsFixture.compiledModel(name)
    try restored.loadWeights(path)
    #expect(stateSnapshot(restored) == stateSnapshot(trained))
    #expect(restored.optimizer?.iterations == trained.optimizer?.iterations)

    let uncompiled = WeightsFixture.model(name)
    try uncompiled.loadWeights(path)
    #expect(uncompiled.getWeights().map(\.scalars) == trained.getWeights().map(\.scalars))
  }

  @Test("train 2 epochs, save, load into a fresh model, train 1 more: the same weights as 3 epochs in one go")
  func resumesTrainingExactly() throws {
    let fixture = try WeightsFixture.load("lstm")
    let (x, y) = (fixture.input.tensor, fixture.target.tensor)
    let uninterrupted = try WeightsFixture.compiledModel("lstm")
    try uninterrupted.loadWeights(WeightsFixture.path("lstm.h5"))  // same starting weights for both runs
    let first = try WeightsFixture.compiledModel("lstm")
    try first.setWeights(uninterrupted.getWeights())

    _ = try uninterrupted.fit(x, y, batchSize: 4, epochs: 3, verbose: 0, shuffle: false)
    _ = try first.fit(x, y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false)
    let path = try temporaryDirectory("resume") + "/lstm.weights.h5"
    try first.saveWeights(path)
    let resumed = try WeightsFixture.compiledModel("lstm")
    try resumed.loadWeights(path)
    _ = try resumed.fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false)

    #expect(resumed.getWeights().map(\.scalars) == uninterrupted.getWeights().map(\.scalars))
    #expect(stateSnapshot(resumed) == stateSnapshot(uninterrupted))
  }

  @Test("a compiled model whose optimizer has not run saves iteration and learning rate, as Keras")
  func unbuiltOptimizerState() throws {
    let model = Sequential {
      Input(shape: [3]); Dense(2)
    }
    try model.compile(optimizer: Adam(learningRate: 0.25), loss: "mse")
    let path = try temporaryDirectory("unbuilt") + "/m.weights.h5"
    try model.saveWeights(path)
    let group = try HDF5File(path: path).root.group("optimizer/vars")
    #expect(try group.names(order: .name) == ["0", "1"])
    #expect(try group.dataset("0").elementType == .int64)
    #expect(try group.dataset("1").readScalar(as: Float.self) == 0.25)

    let other = Sequential {
      Input(shape: [3]); Dense(2)
    }
    try other.compile(optimizer: Adam(learningRate: 0.5), loss: "mse")
    try other.loadWeights(path)
    #expect(other.optimizer?.isBuilt == false)
    #expect(other.optimizer?.currentLearningRate == 0.25)
  }

  @Test("the optimizer layout worked out without building matches the built optimizer's")
  func optimizerLayoutMatchesBuiltOptimizer() throws {
    for name in optimizerNames {
      let model = WeightsFixture.model("bidirectional")
      let optimizer = try Keras.optimizer(named: name)
      let layout = OptimizerStateH5.builtLayout(of: optimizer, for: model.trainableWeights)
      optimizer.build(model.trainableWeights)
      let built = optimizer.variablesForSaving
      #expect(layout.map(\.name) == built.map(\.name), "\(name)")
      #expect(layout.map(\.shape) == built.map(\.value.shape), "\(name)")
    }
  }

  @Test("writes files for check_swift_weights.py (Keras loads what Swift saved)", arguments: WeightsFixture.names)
  func writesFilesForPythonCheck(_ name: String) throws {
    let directory =
      ProcessInfo.processInfo.environment["SWIFTKERAS_WEIGHTS_CHECK_DIR"]
      ?? FileManager.default.temporaryDirectory.appendingPathComponent("swiftkeras-weights-check").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let fixture = try WeightsFixture.load(name)
    let (x, y) = (fixture.input.tensor, fixture.target.tensor)
    let model = try WeightsFixture.compiledModel(name)
    try model.loadWeights(WeightsFixture.path("\(name).weights.h5"))
    _ = try model.fit(x, y, batchSize: fixture.batch_size, epochs: 1, verbose: 0, shuffle: false)
    try model.saveWeights("\(directory)/\(name).weights.h5")
    let saved = try model.predict(x, verbose: 0)
    _ = try model.fit(x, y, batchSize: fixture.batch_size, epochs: 1, verbose: 0, shuffle: false)
    let afterEpoch = try model.predict(x, verbose: 0)
    let record: [String: Any] = [
      "name": name, "prediction_saved": ["shape": saved.shape, "data": saved.scalars.map(Double.init)],
      "prediction_after_epoch": ["shape": afterEpoch.shape, "data": afterEpoch.scalars.map(Double.init)],
      "weights_after_epoch": model.getWeights().map { ["shape": $0.shape, "data": $0.scalars.map(Double.init)] },
    ]
    try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: "\(directory)/\(name).json"))
  }

  // MARK: Errors, each leaving the model unchanged

  /// Runs `load` on `model` expecting `SavingError`, checks weights and optimizer state are
  /// unchanged, and returns the error.
  func failingLoad(_ model: Sequential, _ load: (Sequential) throws -> Void) throws -> SavingError {
    let before = stateSnapshot(model)
    let builtBefore = model.optimizer?.isBuilt
    let error = try #require(throws: SavingError.self) { try load(model) }
    #expect(stateSnapshot(model) == before, "the failed load changed the model")
    #expect(model.optimizer?.isBuilt == builtBefore, "the failed load built the optimizer")
    return error
  }

  @Test("a missing file is reported by name")
  func missingFile() throws {
    let error = try failingLoad(WeightsFixture.model("dense")) { try $0.loadWeights("/no/such/dir/m.weights.h5") }
    #expect(error == .fileNotFound(file: "/no/such/dir/m.weights.h5"))
    #expect("\(error)".contains("/no/such/dir/m.weights.h5"))
  }

  @Test("a file that is not HDF5 is reported as such")
  func notHDF5() throws {
    let path = try temporaryDirectory("nothdf5") + "/m.weights.h5"
    try Data("not an HDF5 file".utf8).write(to: URL(fileURLWithPath: path))
    let error = try failingLoad(WeightsFixture.model("dense")) { try $0.loadWeights(path) }
    #expect(error == .notHDF5(file: path))
  }

  @Test("a truncated file is reported as damaged")
  func truncatedFile() throws {
    let path = try temporaryDirectory("truncated") + "/lstm.weights.h5"
    let bytes = try Data(contentsOf: URL(fileURLWithPath: WeightsFixture.path("lstm.weights.h5")))
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
    let error = try failingLoad(try WeightsFixture.compiledModel("lstm")) { try $0.loadWeights(path) }
    guard case .corruptFile(let file, _) = error else {
      Issue.record("expected corruptFile, got \(error)")
      return
    }
    #expect(file == path)
  }

  @Test("an HDF5 file in neither layout is rejected")
  func unrecognisedLayout() throws {
    let path = try temporaryDirectory("layout") + "/other.h5"
    try HDF5File.write(to: path) { try $0.root.createDataset("data", values: [Float(1), 2]) }
    let error = try failingLoad(WeightsFixture.model("dense")) { try $0.loadWeights(path) }
    guard case .invalidFile(let file, _, let reason) = error else {
      Issue.record("expected invalidFile, got \(error)")
      return
    }
    #expect(file == path)
    #expect(reason.contains("data"))
  }

  @Test("a layer with weights missing from the file is named, with both layer lists")
  func layerMissingFromFile() throws {
    let model = Sequential {
      Input(shape: [5, 3]); LSTM(4, returnSequences: true); LSTM(2); Dense(1); Dense(1); Dense(1)
    }
    let path = WeightsFixture.path("lstm.weights.h5")
    let error = try failingLoad(model) { try $0.loadWeights(path) }
    #expect(
      error
        == .layerMismatch(
          file: path, fileLayers: ["dense", "dense_1", "lstm", "lstm_1"],
          modelLayers: ["lstm", "lstm_1", "dense", "dense_1", "dense_2"]))
    #expect("\(error)".contains("missing from the file: dense_2"))
  }

  @Test("a layer in the file but not in the model is named")
  func extraLayerInFile() throws {
    let model = Sequential {
      Input(shape: [5, 3]); LSTM(4, returnSequences: true); LSTM(2); Dense(1)
    }
    let path = WeightsFixture.path("lstm.weights.h5")
    let error = try failingLoad(model) { try $0.loadWeights(path) }
    #expect("\(error)".contains("not in the model: dense_1"), "\(error)")
  }

  @Test("a wrong-shaped variable in the last layer names layer, variable and both shapes; earlier layers stay")
  func wrongShape() throws {
    let model = Sequential {
      Input(shape: [5, 3]); LSTM(4, returnSequences: true); LSTM(2); Dense(1); Dense(2)
    }
    let path = WeightsFixture.path("lstm.weights.h5")
    let error = try failingLoad(model) { try $0.loadWeights(path) }
    #expect(
      error
        == .shapeMismatch(
          file: path, layer: model.layers[3].name, variable: "kernel", index: 0, path: "/layers/dense_1/vars/0",
          expected: [1, 2], found: [1, 1]))
  }

  @Test("a wrong-shaped recurrent kernel is reported at the cell")
  func wrongShapeInCell() throws {
    let model = Sequential {
      Input(shape: [5, 3]); LSTM(5, returnSequences: true); LSTM(2); Dense(1); Dense(1)
    }
    let error = try failingLoad(model) { try $0.loadWeights(WeightsFixture.path("lstm.weights.h5")) }
    guard case .shapeMismatch(_, let layer, let variable, _, let path, let expected, let found) = error else {
      Issue.record("expected shapeMismatch, got \(error)")
      return
    }
    #expect(layer == model.layers[0].name)
    #expect(variable == "kernel")
    #expect(path == "/layers/lstm/cell/vars/0")
    #expect(expected == [3, 20] && found == [3, 16])
  }

  @Test("a wrong variable count names the layer and the expected variables")
  func wrongVariableCount() throws {
    let model = Sequential {
      Input(shape: [4]); Dense(6, activation: .relu); Dense(3, useBias: false)
    }
    let path = WeightsFixture.path("dense.weights.h5")
    let error = try failingLoad(model) { try $0.loadWeights(path) }
    #expect(
      error
        == .variableCountMismatch(
          file: path, layer: model.layers[1].name, path: "/layers/dense_1/vars", expected: ["kernel"], found: 2))
  }

  @Test("optimizer state for another optimizer is rejected before anything changes")
  func optimizerMismatch() throws {
    let model = WeightsFixture.model("lstm")
    try model.compile(optimizer: "sgd", loss: "mse")
    let error = try failingLoad(model) { try $0.loadWeights(WeightsFixture.path("lstm.weights.h5")) }
    guard case .optimizerMismatch(_, let optimizer, let expected, _) = error else {
      Issue.record("expected optimizerMismatch, got \(error)")
      return
    }
    #expect(optimizer == model.optimizer?.name)
    #expect(expected == ["iteration", "learning_rate"])
  }

  @Test("an unbuilt model cannot load or save")
  func notBuilt() throws {
    let model = Sequential { Dense(3) }
    let path = WeightsFixture.path("dense.weights.h5")
    #expect(throws: SavingError.notBuilt(model: model.name, file: path)) { try model.loadWeights(path) }
    #expect(throws: SavingError.notBuilt(model: model.name, file: "/tmp/x.weights.h5")) {
      try model.saveWeights("/tmp/x.weights.h5")
    }
  }

  @Test("a legacy file with another number of layers lists both sides")
  func legacyLayerCount() throws {
    let model = Sequential {
      Input(shape: [5, 3]); LSTM(4, returnSequences: true); LSTM(2); Dense(1)
    }
    let path = WeightsFixture.path("lstm.h5")
    let error = try failingLoad(model) { try $0.loadWeights(path) }
    #expect(
      error
        == .layerCountMismatch(
          file: path, fileLayers: ["lstm", "lstm_1", "dense", "dense_1"], modelLayers: model.layers.map(\.name)))
  }

  @Test("a legacy file with a wrong-shaped weight names layer, weight and both shapes")
  func legacyWrongShape() throws {
    let model = Sequential {
      Input(shape: [5, 3]); LSTM(4, returnSequences: true); LSTM(2); Dense(1); Dense(2)
    }
    let error = try failingLoad(model) { try $0.loadWeights(WeightsFixture.path("lstm.h5")) }
    guard case .shapeMismatch(_, let layer, let variable, let index, let path, let expected, let found) = error else {
      Issue.record("expected shapeMismatch, got \(error)")
      return
    }
    #expect(layer == model.layers[3].name)
    #expect(variable == "kernel" && index == 0)
    #expect(path == "/dense_1/dense_1/kernel:0")
    #expect(expected == [1, 2] && found == [1, 1])
  }

  @Test("saving needs a built model, a .weights.h5 name and an existing directory")
  func saveErrors() throws {
    let model = WeightsFixture.model("dense")
    #expect(
      throws: SavingError.invalidFileName(
        file: "/tmp/model.h5", reason: "the file name must end in `.weights.h5`, as Keras requires")
    ) {
      try model.saveWeights("/tmp/model.h5")
    }
    let missing = "/no/such/dir/m.weights.h5"
    let error = try #require(throws: SavingError.self) { try model.saveWeights(missing) }
    guard case .ioFailure(let file, _) = error else {
      Issue.record("expected ioFailure, got \(error)")
      return
    }
    #expect(file == missing)
  }

  @Test("a save that fails at the last step leaves what was there and no temporary file")
  func failedSaveLeavesNoTrace() throws {
    let model = WeightsFixture.model("dense")
    let directory = try temporaryDirectory("atomic")
    let target = directory + "/m.weights.h5"
    try FileManager.default.createDirectory(atPath: target + "/keep", withIntermediateDirectories: true)
    #expect(throws: SavingError.self) { try model.saveWeights(target) }  // cannot rename over a directory
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["m.weights.h5"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["keep"])
  }
}
