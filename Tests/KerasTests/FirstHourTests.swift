import Foundation
import HDF5
import Testing

@testable import Keras

// What a Keras user meets in the first hour (issue 17): errors that say what to do, paths given
// as `String` or `URL` alike, and `loadWeights` reading a `.keras` archive as Keras 3 does.

/// A fresh temporary directory for one test.
private func temporaryDirectory(_ label: String) throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("first-hour-\(label)-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// The message of the error `body` throws (failing the test when it throws none).
private func message(_ body: () throws -> Void) -> String {
  do {
    try body()
  } catch {
    return "\(error)"
  }
  Issue.record("expected an error")
  return ""
}

/// A small built classifier: `[N, 6, 3]` → LSTM(4) → Dense(1, sigmoid), the shapes of the
/// `lstm_classifier` fixture that Python Keras saved.
private func lstmClassifier(compiled: Bool) throws -> Sequential {
  let model = Sequential {
    LSTM(4, inputShape: [6, 3])
    Dense(1, activation: .sigmoid)
  }
  if compiled { try model.compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"]) }
  return model
}

@Suite("The first hour: messages that say what to do")
struct FirstHourMessageTests {
  @Test("An LSTM after Input(shape: [10]) reports Keras' ndim message and how to add the feature axis")
  func lstmWithoutFeatureAxis() throws {
    let text = message {
      let model = Sequential()
      try model.add(Input(shape: [10]))
      try model.add(LSTM(8, name: "lstm"))
      _ = try model.predict(Tensor.zeros([4, 10]), verbose: 0)
    }
    #expect(
      text.contains(
        "Input 0 of layer \"lstm\" is incompatible with the layer: expected ndim=3, found ndim=2. "
          + "Full shape received: (None, 10)"))
    #expect(text.contains("reshape the data to [N, 10, 1]"))
    #expect(text.contains("Input(shape: [10, 1])"))
  }

  @Test("Data without the feature axis given to an unbuilt LSTM gets the same advice")
  func dataWithoutFeatureAxis() throws {
    let model = Sequential { LSTM(8, name: "encoder") }
    let text = message { _ = try model.predict(Tensor.zeros([5, 12]), verbose: 0) }
    #expect(text.contains("Input 0 of layer \"encoder\""))
    #expect(text.contains("expected ndim=3, found ndim=2. Full shape received: (5, 12)"))
    #expect(text.contains("[N, 12, 1]"))
  }

  @Test("A wrong feature count names the axis and the value expected, as Keras")
  func wrongFeatureCount() throws {
    let spec = KerasError.incompatibleInput(layer: "head", expected: "rank >= 2: (..., 4)", got: [2, 5])
    #expect(
      spec.description
        == "Input 0 of layer \"head\" is incompatible with the layer: expected axis -1 of input shape to have "
        + "value 4, but received input with shape (2, 5)")
    let rank = KerasError.incompatibleInput(layer: "head", expected: "rank >= 2: (..., 4)", got: [7])
    #expect(rank.description.contains("expected min_ndim=2, found ndim=1. Full shape received: (7,)"))
    let free = KerasError.incompatibleInput(layer: "pool", expected: "(None, None, 3) with steps >= 4", got: [1, 3, 3])
    #expect(
      free.description.contains("expected (None, None, 3) with steps >= 4, but received input with shape (1, 3, 3)"))
  }

  @Test("loadModel of a missing file names loadModel and the formats it reads")
  func loadModelMissingFile() throws {
    let pathDirectory = try temporaryDirectory("missing")
    defer { try? FileManager.default.removeItem(at: pathDirectory) }
    let path = pathDirectory.appendingPathComponent("model.keras").path
    let text = message { _ = try loadModel(path) }
    #expect(text.contains("loadModel cannot read '\(path)': no such file"))
    #expect(text.contains("`.keras`") && text.contains("`.h5`"))
    #expect(text.contains("`.weights.h5` file, build the model and call loadWeights"))
    #expect(!text.contains("Cannot load weights"))
  }

  @Test("loadModel of a .npy file says it is a NumPy array and what loadModel reads")
  func loadModelOfNumPyFile() throws {
    let pathDirectory = try temporaryDirectory("npy")
    defer { try? FileManager.default.removeItem(at: pathDirectory) }
    let path = pathDirectory.appendingPathComponent("x.npy").path
    try NPY.write(Tensor.zeros([2, 3]), to: path)
    let text = message { _ = try loadModel(path) }
    #expect(text.contains("loadModel cannot read '\(path)'"))
    #expect(text.contains("NumPy `.npy` array (read it with NPY.read)"))
    #expect(text.contains("`.keras` file (a zip archive) or an `.h5` file"))
  }

  @Test("Saving into a directory that does not exist names that directory", arguments: ["model.keras", "model.h5"])
  func saveIntoMissingDirectory(file: String) throws {
    let missingDirectory = try temporaryDirectory("save")
    defer { try? FileManager.default.removeItem(at: missingDirectory) }
    let missing = missingDirectory.appendingPathComponent("no-such-dir").path
    let model = try lstmClassifier(compiled: true)
    let text = message { try model.save("\(missing)/\(file)") }
    #expect(text.contains("the directory '\(missing)' does not exist; create it first"))
    #expect(!text.contains(".tmp"))
    let weights = message { try model.saveWeights("\(missing)/model.weights.h5") }
    #expect(weights.contains("the directory '\(missing)' does not exist"))
  }

  @Test("error.localizedDescription is the message for every public error type")
  func localizedDescriptions() throws {
    let errors: [any Error] = [
      KerasError.invalidArgument("fit: batchSize must be positive, got 0"),
      SavingError.fileNotFound(file: "m.weights.h5"),
      ReportError.emptyHistory(file: "history.csv"),
      TensorError.incompatibleShapes(operation: "matmul", [2, 3], [4, 5]),
      HDF5Error(.notFound, operation: "open dataset", file: "m.h5", objectPath: "/x", reason: "not found"),
    ]
    for error in errors {
      #expect(error.localizedDescription == "\(error)")
      #expect(!error.localizedDescription.contains("could not be completed"))
    }
  }
}

@Suite("The first hour: loadWeights reads a .keras archive")
struct LoadWeightsFromArchiveTests {
  @Test("loadWeights of Python Keras' .keras file gives Keras' predictions and its optimizer state")
  func loadsKerasArchiveWeights() throws {
    let fixture = try ModelFileFixture.load("lstm_classifier")
    let file = ModelFileFixture.path("lstm_classifier.keras")
    let model = try lstmClassifier(compiled: true)
    try model.loadWeights(file)
    #expect(maxDifference(try model.predict(fixture.x.tensor, verbose: 0), fixture.keras3.tensor) < 1e-5)
    #expect(model.optimizer?.iterations == 2)

    // The optimizer state is the file's: one more epoch moves it exactly as the loaded model.
    let reference = try loadModel(file)
    try model.fit(fixture.x.tensor, fixture.y.tensor, batchSize: 4, epochs: 1, verbose: 0, shuffle: false)
    try reference.fit(fixture.x.tensor, fixture.y.tensor, batchSize: 4, epochs: 1, verbose: 0, shuffle: false)
    #expect(
      maxDifference(
        try model.predict(fixture.x.tensor, verbose: 0), try reference.predict(fixture.x.tensor, verbose: 0))
        < 1e-6)
  }

  @Test("loadWeights of a .keras file into another architecture names the archive, not a temporary file")
  func mismatchNamesTheArchive() throws {
    let file = ModelFileFixture.path("lstm_classifier.keras")
    let model = Sequential {
      Dense(2, inputShape: [3])
      Dense(1)
    }
    let before = model.getWeights()
    let text = message { try model.loadWeights(file) }
    #expect(text.contains("'\(file) (entry 'model.weights.h5')'"))
    #expect(text.contains("different architecture"))
    #expect(zip(model.getWeights(), before).allSatisfy { maxDifference($0, $1) == 0 })
  }

  @Test("loadWeights of a .keras file into an unbuilt model says to build it")
  func unbuiltModel() throws {
    let model = Sequential { Dense(1) }
    let text = message { try model.loadWeights(ModelFileFixture.path("lstm_classifier.keras")) }
    #expect(text.contains("is not built yet"))
  }
}

@Suite("The first hour: paths as String or URL")
struct FilePathArgumentTests {
  @Test("save, loadModel, saveWeights and loadWeights take a file URL as they take a path")
  func modelFilesByURL() throws {
    let directory = try temporaryDirectory("url")
    defer { try? FileManager.default.removeItem(at: directory) }
    let model = try lstmClassifier(compiled: true)
    let x = Tensor.randomNormal([3, 6, 3], seed: 5)
    let expected = try model.predict(x, verbose: 0)

    try model.save(directory.appendingPathComponent("m.keras"))
    #expect(
      maxDifference(try loadModel(directory.appendingPathComponent("m.keras")).predict(x, verbose: 0), expected) == 0)
    try model.saveWeights(directory.appendingPathComponent("m.weights.h5"))
    let fresh = try lstmClassifier(compiled: false)
    try fresh.loadWeights(directory.appendingPathComponent("m.weights.h5"))
    #expect(maxDifference(try fresh.predict(x, verbose: 0), expected) == 0)
    #expect(try inspectModelFile(directory.appendingPathComponent("m.keras")).contains("model.weights.h5"))
  }

  @Test("A URL that is not a file URL is refused with its address")
  func nonFileURL() throws {
    let model = try lstmClassifier(compiled: false)
    let remote = try #require(URL(string: "https://example.com/m.keras"))
    let text = message { try model.save(remote) }
    #expect(text.contains("save: 'https://example.com/m.keras' is not a file URL"))
    #expect(message { _ = try NPY.read(remote) }.contains("not a file URL"))
  }

  @Test("NPY reads and writes through a URL the same bytes as through a path")
  func npyByURL() throws {
    let directory = try temporaryDirectory("npy-url")
    defer { try? FileManager.default.removeItem(at: directory) }
    let tensor = Tensor([[1, 2, 3], [4, 5, 6]])
    try NPY.write(tensor, to: directory.appendingPathComponent("a.npy"))
    try NPY.write(tensor, to: directory.appendingPathComponent("b.npy").path)
    #expect(
      try Data(contentsOf: directory.appendingPathComponent("a.npy"))
        == Data(contentsOf: directory.appendingPathComponent("b.npy")))
    #expect(try NPY.read(directory.appendingPathComponent("a.npy")) == tensor)
    try NPY.write(IntTensor([1, 2, 3]), to: directory.appendingPathComponent("i.npy"))
    #expect(try NPY.readInts(directory.appendingPathComponent("i.npy")).scalars == [1, 2, 3])
  }

  @Test("History writes its CSV and SVG to a path as to a URL")
  func historyByPath() throws {
    let directory = try temporaryDirectory("history")
    defer { try? FileManager.default.removeItem(at: directory) }
    let model = Sequential { Dense(1, inputShape: [2]) }
    try model.compile(optimizer: "sgd", loss: "mse")
    let history = try model.fit(
      Tensor([[1, 2], [3, 4], [5, 6]]), Tensor([[1], [2], [3]]), batchSize: 3, epochs: 2, verbose: 0)
    try history.writeCSV(to: directory.appendingPathComponent("by-path.csv").path)
    try history.writeCSV(to: directory.appendingPathComponent("by-url.csv"))
    #expect(
      try String(contentsOf: directory.appendingPathComponent("by-path.csv"), encoding: .utf8)
        == String(contentsOf: directory.appendingPathComponent("by-url.csv"), encoding: .utf8))
    try history.writeSVG(to: directory.appendingPathComponent("loss.svg").path)
    #expect(try String(contentsOf: directory.appendingPathComponent("loss.svg"), encoding: .utf8).contains("<svg"))
  }

  @Test("The file-writing callbacks take a URL too")
  func callbacksByURL() throws {
    let directory = try temporaryDirectory("callbacks")
    defer { try? FileManager.default.removeItem(at: directory) }
    let checkpoint = try ModelCheckpoint(directory.appendingPathComponent("best.keras"))
    #expect(checkpoint.filepath == directory.appendingPathComponent("best.keras").path)
    #expect(
      CSVLogger(directory.appendingPathComponent("log.csv")).filename
        == directory.appendingPathComponent("log.csv").path)
    #expect(try BackupAndRestore(backupDir: directory).backupDir == directory.path)
  }
}

@Suite("The first hour: evaluate in a stable order")
struct EvaluateOrderTests {
  @Test("evaluate returns loss first, then the metrics by name, the same on every run, and looks values up by name")
  func stableOrder() throws {
    setRandomSeed(4)
    let x = Tensor.randomNormal([20, 3])
    let y = try x.sum(axes: [1], keepDims: true).greater(Tensor(0))
    let model = Sequential {
      Input(shape: [3])
      Dense(1, activation: .sigmoid)
    }
    try model.compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["mae", "accuracy"])
    let first = try model.evaluate(x, y, verbose: 0)
    for _ in 0..<5 {
      let again = try model.evaluate(x, y, verbose: 0)
      #expect(again.names == first.names)
      #expect("\(again)" == "\(first)")
    }
    #expect(first.names == ["loss", "accuracy", "mae"])
    #expect("\(first)".hasPrefix("loss: "))
    let loss = try #require(first["loss"])
    #expect(loss > 0 && loss.isFinite)
  }
}
