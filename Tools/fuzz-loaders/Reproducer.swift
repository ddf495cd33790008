import Foundation
import Keras

/// Loads saved inputs (crash reproducers) once each, in this process, and prints the outcome.
struct Reproducer {
  let options: Options

  func run() throws {
    for path in options.reproduce {
      let start = Date()
      let outcome: String
      do {
        let model: Model
        if options.formats == [.weights] {
          model = try loadModel(try architecture(for: path))
          try model.loadWeights(try copy(path, as: ".weights.h5"))
        } else {
          let bytes = FileManager.default.contents(atPath: path) ?? Data()
          model = try loadModel(try copy(path, as: bytes.starts(with: [0x50, 0x4B]) ? ".keras" : ".h5"))
        }
        if let shape = model.inputShape {
          let input = [2] + shape.dropFirst().map { min($0 ?? 3, 64) }
          _ = try model.predict(Tensor.randomUniform(input, seed: 1), verbose: 0)
        }
        outcome = "loaded and predicted"
      } catch {
        outcome = "\(Worker.kind(of: error)): \(error)"
      }
      print(
        "\(path): \(outcome) (\(String(format: "%.2f", Date().timeIntervalSince(start))) s, max RSS \(Watchdog.maxResidentMegabytes()) MB)"
      )
    }
  }

  /// The file at `path` copied under a name with `fileExtension`, as the worker names its inputs.
  private func copy(_ path: String, as fileExtension: String) throws -> String {
    guard !path.hasSuffix(fileExtension) else { return path }
    let target = FileManager.default.temporaryDirectory.appendingPathComponent(
      "fuzz-reproduce-\(getpid())\(fileExtension)"
    ).path
    try? FileManager.default.removeItem(atPath: target)
    try FileManager.default.copyItem(atPath: path, toPath: target)
    return target
  }

  /// The clean `.keras` file of the corpus whose model a weights input belongs to: the seed
  /// named in the reproducer's `.txt`, else the first `.keras` in the corpus.
  private func architecture(for path: String) throws -> String {
    let description =
      (try? String(contentsOfFile: path.replacingOccurrences(of: ".bin", with: ".txt"), encoding: .utf8)) ?? ""
    let files = try FileManager.default.contentsOfDirectory(atPath: options.corpus).filter { $0.hasSuffix(".keras") }
      .sorted()
    let stem = files.first { description.contains("seed=\($0.prefix { $0 != "." })") } ?? files.first
    guard let stem else { throw FuzzError("no .keras file in \(options.corpus)") }
    return "\(options.corpus)/\(stem)"
  }
}
