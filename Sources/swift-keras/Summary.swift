import ArgumentParser
import Keras

/// `swift-keras summary FILE`: Keras' summary table of a saved model (`.keras` or `.h5`).
struct Summary: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Print the Keras summary table of a saved model.")

  @Argument(help: "A .keras or .h5 model file.")
  var file: String

  func run() throws {
    let model = try oneLineErrors { try loadModel(file) }
    model.summary()
  }
}
