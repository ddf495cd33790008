// swift-keras: a command-line tool over Keras model files.
//
//   swift-keras inspect FILE        groups, datasets, shapes, attributes, Keras version
//
// Errors print one line and exit non-zero.
import ArgumentParser
import Keras

@main
struct SwiftKeras: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "swift-keras", abstract: "Inspect Keras model files (.keras, .h5, .weights.h5).", version: "0.1.0",
    subcommands: [Inspect.self])
}

/// A one-line failure: printed as `Error: <message>`, exit status 1.
struct CommandError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
