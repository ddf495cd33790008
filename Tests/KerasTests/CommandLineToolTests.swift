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
    let (status, output, _) = try CommandLineTool().run([
      "summary", files.appendingPathComponent("lstm_classifier.keras").path,
    ])
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

  /// Writes the fixture's inputs as `.npy` files in `directory`, one per model input.
  func writeInputs(_ fixture: FunctionalFixture, in directory: URL) throws -> [String] {
    try fixture.inputs.enumerated().map { i, input in
      let path = directory.appendingPathComponent("x\(i).npy").path
      try NPY.write(input.tensor, to: path)
      return path
    }
  }

  @Test(
    "predict runs a Functional file on one .npy per input and writes an .npz named after the output layers",
    arguments: [
      ("two_branch", "two_branch.keras", ["out", "aux"]), ("two_branch", "two_branch.h5", ["out", "aux"]),
      ("merges", "merges.keras", ["head", "cosine", "dot"]), ("seq2seq", "seq2seq.h5", ["next"]),
      ("two_branch_tf_keras", "two_branch_tf_keras.h5", ["out", "aux"]),
    ])
  func predictFunctional(fixtureName: String, file: String, names: [String]) throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fixture = try FunctionalFixture.load(fixtureName)
    let output = directory.appendingPathComponent("predictions.npz").path
    let result = try CommandLineTool().run(
      ["predict", FunctionalFixture.path(file)] + writeInputs(fixture, in: directory) + [output, "--batch-size", "3"])
    #expect(result.status == 0, "\(result.error)")
    let arrays = try NPZ.read(output)
    #expect(arrays.map(\.name) == names)
    #expect(arrays.count == fixture.outputs.count)
    for (array, expected) in zip(arrays, fixture.outputs) {
      #expect(maxDifference(array.tensor, expected.tensor) < 1e-5, "\(array.name)")
    }
  }

  @Test("predict writes a one-output Functional model's predictions as .npy, as Keras computes them")
  func predictFunctionalNPY() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fixture = try FunctionalFixture.load("seq2seq")
    let output = directory.appendingPathComponent("next.npy").path
    let result = try CommandLineTool().run(
      ["predict", FunctionalFixture.path("seq2seq.keras")] + writeInputs(fixture, in: directory) + [output])
    #expect(result.status == 0, "\(result.error)")
    #expect(maxDifference(try NPY.read(output), fixture.outputs[0].tensor) < 1e-5)
  }

  @Test(
    "predict takes token ids as int64 and int32 .npy for a model with an int32 Input",
    arguments: [
      "int_embedding.keras", "int_embedding_sequential.h5", "int_embedding_tf_keras.h5",
    ])
  func predictIntegerIDs(file: String) throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let fixture = try IntegerInputFixture.load()
    let expected = try #require(fixture.predictions[file]).tensor
    let int64IDs = FunctionalFixture.path("int_embedding_ids.npy")
    let int32IDs = directory.appendingPathComponent("ids32.npy").path
    try NPY.write(fixture.ids.ints, to: int32IDs)
    for ids in [int64IDs, int32IDs] {
      let output = directory.appendingPathComponent("scores.npy").path
      let result = try CommandLineTool().run(["predict", FunctionalFixture.path(file), ids, output])
      #expect(result.status == 0, "\(result.error)")
      #expect(maxDifference(try NPY.read(output), expected) < 1e-5)
    }
  }

  @Test(
    "predict refuses a wrong count of inputs, a wrong shape, a non-integer id or a .npy for several outputs, writing nothing"
  )
  func predictErrors() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let tool = try CommandLineTool()
    let inputs = try writeInputs(try FunctionalFixture.load("two_branch"), in: directory)
    let model = FunctionalFixture.path("two_branch.keras")
    let output = directory.appendingPathComponent("out.npz").path

    let tooFew = try tool.run(["predict", model, inputs[0], output])
    #expect(tooFew.status != 0)
    #expect(tooFew.error.contains("takes 2 input(s) (seq, meta)"), "\(tooFew.error)")
    #expect(tooFew.error.contains("got 1"))

    let swapped = try tool.run(["predict", model, inputs[1], inputs[0], output])
    #expect(swapped.status != 0)
    #expect(swapped.error.contains("input 'seq'"), "\(swapped.error)")
    #expect(swapped.error.contains("(None, 5, 3)") && swapped.error.contains("(4, 4)"), "\(swapped.error)")
    #expect(swapped.error.split(separator: "\n").count == 1)

    let npy = directory.appendingPathComponent("out.npy").path
    let oneFile = try tool.run(["predict", model, inputs[0], inputs[1], npy])
    #expect(oneFile.status != 0)
    #expect(oneFile.error.contains("2 outputs (out, aux)") && oneFile.error.contains(".npz"), "\(oneFile.error)")

    let floats = directory.appendingPathComponent("floats.npy").path
    try NPY.write(try Tensor(shape: [1, 6], scalars: [1, 2, 3.5, 4, 5, 6]), to: floats)
    let notIDs = try tool.run(["predict", FunctionalFixture.path("int_embedding.keras"), floats, npy])
    #expect(notIDs.status != 0)
    #expect(notIDs.error.contains("input 'ids' (int32)") && notIDs.error.contains("non-integer"), "\(notIDs.error)")

    #expect(!FileManager.default.fileExists(atPath: output))
    #expect(!FileManager.default.fileExists(atPath: npy))
  }

  @Test(
    "summary prints Keras' table of Functional files, Connected to column and all",
    arguments: [
      ("two_branch", "two_branch.keras"), ("seq2seq", "seq2seq.h5"), ("merges", "merges.keras"),
    ])
  func summaryFunctional(fixtureName: String, file: String) throws {
    let result = try CommandLineTool().run(["summary", FunctionalFixture.path(file)])
    #expect(result.status == 0, "\(result.error)")
    #expect(result.output == (try FunctionalFixture.load(fixtureName).summary76))
  }

  @Test("predict names the outputs of one layer giving several (an LSTM's [output, h, c]) name, name_1, name_2")
  func predictRepeatedOutputNames() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let sequence = Input(shape: [4, 3], name: "sequence")
    let states: [KerasTensor] = LSTM(2, returnState: true, name: "encoder")(sequence)
    let model = try Model(inputs: sequence, outputs: states, name: "encoder_states")
    let path = directory.appendingPathComponent("encoder.keras").path
    try model.save(path)
    let x = Tensor.randomUniform([3, 4, 3], seed: 5)
    let input = directory.appendingPathComponent("x.npy").path
    try NPY.write(x, to: input)
    let output = directory.appendingPathComponent("states.npz").path
    let result = try CommandLineTool().run(["predict", path, input, output])
    #expect(result.status == 0, "\(result.error)")
    let arrays = try NPZ.read(output)
    #expect(arrays.map(\.name) == ["encoder", "encoder_1", "encoder_2"])
    #expect(arrays.map(\.tensor) == (try model.predict([x], verbose: 0)))
  }

  @Test("predict runs a Sequential built for sequences of any length (no symbolic graph) on one array")
  func predictVariableLengthSequential() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let model = Sequential(name: "any_length") {
      Embedding(20, 4, name: "embedding")
      GlobalAveragePooling1D(name: "pooling")
      Dense(1, name: "score")
    }
    try model.build([nil, nil])
    let path = directory.appendingPathComponent("any_length.keras").path
    try model.save(path)
    let ids = IntTensor([[3, 1, 4, 1, 5, 9, 2], [6, 5, 3, 5, 8, 9, 7]])
    let input = directory.appendingPathComponent("ids.npy").path
    try NPY.write(ids, to: input)
    let output = directory.appendingPathComponent("scores.npz").path
    let result = try CommandLineTool().run(["predict", path, input, output])
    #expect(result.status == 0, "\(result.error)")
    let arrays = try NPZ.read(output)
    #expect(arrays.map(\.name) == ["score"])
    #expect(arrays.map(\.tensor) == [try model.predict(ids, verbose: 0)])
  }

  @Test("summary and inspect read tf.keras 2's Functional .h5")
  func tfKerasFunctional() throws {
    let tool = try CommandLineTool()
    let file = FunctionalFixture.path("two_branch_tf_keras.h5")
    let summary = try tool.run(["summary", file])
    #expect(summary.status == 0, "\(summary.error)")
    #expect(summary.output.contains("Connected to"))
    #expect(summary.output.contains("│ (Concatenate)       │"))
    #expect(summary.output.contains("│ lstm[0][0],       │"))
    #expect(summary.output.contains(" Total params: 304 (1.19 KB)"))
    let inspect = try tool.run(["inspect", file])
    #expect(inspect.status == 0, "\(inspect.error)")
    #expect(inspect.output.contains("keras_version: 2.21.0"))
    #expect(inspect.output.contains("\"class_name\": \"Functional\""))
  }

  @Test(
    "convert round-trips Functional models through .h5, .weights.h5 and .keras",
    arguments: [
      ("two_branch", "two_branch.keras"), ("seq2seq", "seq2seq.keras"), ("merges", "merges.h5"),
      ("two_branch_tf_keras", "two_branch_tf_keras.h5"),
    ])
  func convertFunctional(fixtureName: String, file: String) throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let tool = try CommandLineTool()
    let source = FunctionalFixture.path(file)
    let h5 = directory.appendingPathComponent("m.h5").path
    let weights = directory.appendingPathComponent("m.weights.h5").path
    let keras = directory.appendingPathComponent("back.keras").path
    #expect(try tool.run(["convert", source, h5]).status == 0)
    #expect(try tool.run(["convert", h5, weights]).status == 0)
    #expect(try tool.run(["convert", weights, keras, "--model", source]).status == 0)
    let fixture = try FunctionalFixture.load(fixtureName)
    for path in [h5, keras] {
      let outputs = try loadModel(path).predict(fixture.inputs.map(\.tensor), verbose: 0)
      #expect(outputs.count == fixture.outputs.count)
      for (output, expected) in zip(outputs, fixture.outputs) {
        #expect(maxDifference(output, expected.tensor) < 1e-5, "\(path)")
      }
    }
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
