import ArgumentParser
import Foundation
import Keras

/// `swift-keras predict MODEL INPUT.npy [INPUT2.npy ...] OUTPUT [--batch-size N]`: runs a saved
/// model on arrays from NumPy and writes the predictions.
///
/// One `.npy` per model input, in the model's input order; integer arrays (`int32`, `int64`
/// token ids) and float arrays are both taken. A model with one output writes `OUTPUT` as
/// `.npy` (or as an `.npz` holding one array, when `OUTPUT` ends in `.npz`); a model with
/// several outputs writes an `.npz`, as `np.savez` does, whose arrays are named after the
/// output layers (a layer giving several outputs names them `name`, `name_1`, ...). Every
/// input is checked before anything runs, and nothing is written when a check fails.
struct Predict: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a saved model on .npy arrays (one per model input) and save the predictions as .npy or .npz.",
    discussion: """
      A model with several outputs writes an .npz archive (as np.savez) whose arrays are named \
      after the output layers. Inputs may hold floats or integer token ids.
      """)

  @Argument(help: "A .keras or .h5 model file.")
  var model: String

  @Argument(
    help: ArgumentHelp(
      "One .npy array per model input (batch first, in the model's input order), then the output file: "
        + ".npy for one output, .npz for several.", valueName: "inputs-and-output"))
  var files: [String] = []

  @Option(help: "Samples per batch.")
  var batchSize = 32

  func run() throws {
    try oneLineErrors {
      guard batchSize > 0 else { throw CommandError("--batch-size must be positive, got \(batchSize)") }
      guard files.count >= 2, let output = files.last else {
        throw CommandError("give one .npy file per model input, then the file to write the predictions to")
      }
      let inputFiles = Array(files.dropLast())
      let loaded = try loadModel(model)
      // A Sequential whose input has a dimension of any size (`Input(shape: (None,))`) has no
      // symbolic graph: it takes one array and gives one, named after its last layer.
      let symbolic = !loaded.inputs.isEmpty
      let names =
        symbolic ? Self.arrayNames(loaded.outputNames) : [loaded.layers.last?.name ?? loaded.name]
      let archive = output.hasSuffix(".npz")
      guard archive || names.count == 1 else {
        throw CommandError(
          "\(model) has \(names.count) outputs (\(names.joined(separator: ", "))): "
            + "give an .npz file to hold them, not '\(output)'")
      }
      let inputNames = symbolic ? loaded.inputNames : ["x"]
      guard inputFiles.count == inputNames.count else {
        throw CommandError(
          "\(model) takes \(inputNames.count) input(s) (\(inputNames.joined(separator: ", "))), one .npy each "
            + "in this order; got \(inputFiles.count) (\(inputFiles.joined(separator: ", ")))")
      }
      let arrays =
        symbolic
        ? try zip(inputFiles, loaded.inputs).map { try Self.read($0, as: $1) } : [try NPY.read(inputFiles[0])]
      let rows = arrays.map { $0.shape.first ?? 0 }
      guard Set(rows).count == 1 else {
        let counts = zip(inputFiles, rows).map { "\($0): \($1)" }.joined(separator: ", ")
        throw CommandError("the inputs hold different numbers of samples (\(counts))")
      }
      let predictions = try loaded.predict(arrays, batchSize: batchSize, verbose: 0)
      if archive {
        try NPZ.write(Array(zip(names, predictions)).map { (name: $0, tensor: $1) }, to: output)
      } else {
        try NPY.write(predictions[0], to: output)
      }
      for (name, prediction) in zip(names, predictions) {
        print("\(output): \(archive ? "'\(name)' " : "")predictions of shape \(prediction.shape)")
      }
    }
  }

  /// The array at `path` for the model input `input`: ids for an integer input (whole numbers
  /// are required), floats otherwise; its shape checked against the input's.
  static func read(_ path: String, as input: KerasTensor) throws -> Tensor {
    let array: Tensor
    do {
      array = input.dtype.hasPrefix("int") ? Tensor(try NPY.readInts(path)) : try NPY.read(path)
    } catch {
      throw CommandError("input '\(input.layer.name)' (\(input.dtype)): \(error)")
    }
    let expected = input.shape
    let fits =
      array.rank == expected.count
      && zip(expected.dropFirst(), array.shape.dropFirst()).allSatisfy { e, g in e == nil || e == g }
    // Recurrent models accept other sequence lengths, as Keras does.
    let lengthOnly = array.rank == 3 && expected.count == 3 && expected.last == array.shape.last
    guard fits || lengthOnly else {
      throw CommandError(
        "input '\(input.layer.name)' (\(path)): the model expects shape \(shapeText(expected)), the file holds "
          + "shape \(shapeText(array.shape.map { $0 }))")
    }
    return array
  }

  /// `names` made unique for archive entries: a repeated name gets `_1`, `_2`, ... in order.
  static func arrayNames(_ names: [String]) -> [String] {
    var used = Set<String>()
    return names.map { name in
      var candidate = name
      var suffix = 0
      while used.contains(candidate) {
        suffix += 1
        candidate = "\(name)_\(suffix)"
      }
      used.insert(candidate)
      return candidate
    }
  }

  /// A shape as Keras prints it: `(None, 5, 3)`, `(4,)`.
  static func shapeText(_ shape: [Int?]) -> String {
    let parts = shape.map { $0.map(String.init) ?? "None" }
    return parts.count == 1 ? "(\(parts[0]),)" : "(" + parts.joined(separator: ", ") + ")"
  }
}
