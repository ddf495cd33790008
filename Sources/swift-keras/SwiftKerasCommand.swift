// swift-keras: command-line tool over Keras model files (summary, inspect, predict, convert).
// The subcommands arrive with saving support; for now it reports its version.
import ArgumentParser
import Keras

@main
struct SwiftKeras: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "swift-keras", abstract: "Inspect, summarise and run Keras model files.", version: "0.1.0")
}
