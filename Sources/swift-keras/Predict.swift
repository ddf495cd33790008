import ArgumentParser
import Keras

/// `swift-keras predict FILE INPUT.npy OUTPUT.npy [--batch-size N]`: runs a saved model on an
/// array from NumPy and writes the predictions as `.npy`.
struct Predict: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Run a saved model on a .npy array and save the predictions as .npy.")

  @Argument(help: "A .keras or .h5 model file.")
  var model: String

  @Argument(help: "The input array (.npy), batch first.")
  var input: String

  @Argument(help: "Where to write the predictions (.npy).")
  var output: String

  @Option(help: "Samples per batch.")
  var batchSize = 32

  func run() throws {
    try oneLineErrors {
      guard batchSize > 0 else { throw CommandError("--batch-size must be positive, got \(batchSize)") }
      let loaded = try loadModel(model)
      let x = try NPY.read(input)
      let y = try loaded.predict(x, batchSize: batchSize, verbose: 0)
      try NPY.write(y, to: output)
      print("\(output): predictions of shape \(y.shape)")
    }
  }
}
