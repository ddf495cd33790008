import ArgumentParser
import Keras

/// `swift-keras inspect FILE`: the structure of an HDF5 file (`.h5`, `.weights.h5`) or a
/// `.keras` archive: entries, metadata, and the groups, datasets and attributes of its weights.
struct Inspect: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the groups, datasets (shape, type), attributes and Keras version of a model file.")

  @Argument(help: "A .keras, .h5 or .weights.h5 file.")
  var file: String

  @Option(help: "Longest attribute text shown before it is cut.")
  var width = 100

  func run() throws {
    do {
      print(try inspectModelFile(file, attributeWidth: width), terminator: "")
    } catch {
      throw CommandError("\(error)")
    }
  }
}
