// swift-keras: a command-line tool over Keras model files.
//
//   swift-keras summary FILE                          the Keras summary table
//   swift-keras inspect FILE                          groups, datasets, shapes, attributes, Keras version
//   swift-keras predict FILE IN.npy... OUT.npy|.npz  predictions of a saved model (one .npy per input;
//                                                    an .npz named by output layer for several outputs)
//   swift-keras convert IN OUT                        between .keras, .h5 and .weights.h5
//   swift-keras serve FILE [--name NAME]              TensorFlow Serving's REST API on port 8501
//
// Errors print one line (`Error: ...`) and exit with status 1.
import ArgumentParser
import Keras

@main
struct SwiftKeras: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "swift-keras", abstract: "Inspect, summarise, run, convert and serve Keras model files (.keras, .h5, .weights.h5).",
    version: "0.1.0", subcommands: [Summary.self, Inspect.self, Predict.self, Convert.self, Serve.self])
}

/// A one-line failure: printed as `Error: <message>`, exit status 1.
struct CommandError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Runs `body`, turning any error into a one-line ``CommandError``.
func oneLineErrors<R>(_ body: () throws -> R) throws -> R {
  do {
    return try body()
  } catch let error as CommandError {
    throw error
  } catch {
    throw CommandError("\(error)".replacingOccurrences(of: "\n", with: " "))
  }
}
