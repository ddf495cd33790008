import ArgumentParser
import Keras

/// `swift-keras convert IN OUT`: rewrites a model between `.keras`, `.h5` and `.weights.h5`
/// (the format follows the extension; a `.weights.h5` input needs a whole-model `--model` file
/// for the architecture).
struct Convert: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Convert a model between .keras, .h5 (whole model) and .weights.h5 (weights only).")

  @Argument(help: "The file to read (.keras, .h5 or .weights.h5).")
  var input: String

  @Argument(help: "The file to write; its extension picks the format.")
  var output: String

  @Option(help: "For a .weights.h5 input: a .keras or .h5 file giving the architecture.")
  var model: String?

  func run() throws {
    try oneLineErrors {
      let loaded: Model
      if input.hasSuffix(".weights.h5") {
        guard let model else {
          throw CommandError("\(input) holds weights only: give the architecture with --model FILE.keras")
        }
        loaded = try loadModel(model)
        try loaded.loadWeights(input)
      } else {
        loaded = try loadModel(input)
      }
      if output.hasSuffix(".weights.h5") {
        try loaded.saveWeights(output)
      } else if output.hasSuffix(".keras") || output.hasSuffix(".h5") {
        try loaded.save(output)
      } else {
        throw CommandError("\(output): the extension must be .keras, .h5 or .weights.h5")
      }
      print("wrote \(output)")
    }
  }
}
