import Foundation
import Testing

@testable import Keras

/// Runs an executable of the package (`swift-keras` by default) that `swift test` builds beside
/// the test bundle.
struct CommandLineTool {
  let url: URL

  init(_ name: String = "swift-keras") throws {
    // The test bundle lives in .build/<triple>/<configuration>/; the executable sits beside it.
    let directory = Bundle.module.bundleURL.deletingLastPathComponent()
    url = directory.appendingPathComponent(name)
    guard FileManager.default.isExecutableFile(atPath: url.path) else {
      throw KerasError.notBuilt("\(name) executable not found at \(url.path)")
    }
  }

  /// Exit status, standard output and standard error of `swift-keras arguments...`.
  func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = url
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let error = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
  }
}

@Suite("The swift-keras command-line tool")
struct CommandLineToolTests {
  let files = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/model_files")

  func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  @Test("summary prints Keras' table of a saved model")
  func summary() throws {
    let (status, output, _) = try CommandLineTool().run(["summary", files.appendingPathComponent("lstm_classifier.keras").path])
    #expect(status == 0)
    #expect(output.contains("│ lstm (LSTM)"))
    #expect(output.contains(" Total params: 401 (1.57 KB)"))  // as Keras prints it: the optimizer state counts
    #expect(output.contains(" Optimizer params: 268 (1.05 KB)"))
  }

  @Test("predict writes the model's predictions of a .npy input as .npy; convert round-trips the formats")
  func predictAndConvert() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let tool = try CommandLineTool()
    let model = files.appendingPathComponent("lstm_classifier.keras").path
    let x = Tensor.randomUniform([5, 6, 3], seed: 3)
    let input = directory.appendingPathComponent("x.npy").path
    let output = directory.appendingPathComponent("y.npy").path
    try NPY.write(x, to: input)
    let result = try tool.run(["predict", model, input, output, "--batch-size", "2"])
    #expect(result.status == 0, "\(result.error)")
    let expected = try loadModel(model).predict(x, verbose: 0)
    #expect(try NPY.read(output) == expected)

    let h5 = directory.appendingPathComponent("m.h5").path
    let weights = directory.appendingPathComponent("m.weights.h5").path
    let keras = directory.appendingPathComponent("back.keras").path
    #expect(try tool.run(["convert", model, h5]).status == 0)
    #expect(try tool.run(["convert", h5, weights]).status == 0)
    #expect(try tool.run(["convert", weights, keras, "--model", h5]).status == 0)
    #expect(try loadModel(keras).predict(x, verbose: 0) == expected)
  }

  @Test("bad input exits non-zero with a one-line error naming the file")
  func errors() throws {
    let tool = try CommandLineTool()
    let missing = try tool.run(["summary", "/nonexistent/model.keras"])
    #expect(missing.status != 0)
    #expect(missing.error.split(separator: "\n").count == 1)
    #expect(missing.error.contains("/nonexistent/model.keras"))
    let weightsOnly = try tool.run(["convert", "a.weights.h5", "b.keras"])
    #expect(weightsOnly.status != 0)
    #expect(weightsOnly.error.contains("--model"))
  }
}
