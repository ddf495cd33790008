import Foundation

/// The command line of `fuzz-loaders`.
struct Options {
  var formats: [Format] = Format.allCases
  var seconds: Double? = nil
  var iterations: Int? = nil
  var seed: UInt64 = 1
  var corpus = "Tests/KerasTests/Fixtures/model_files"
  var crashDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-loaders-\(getpid())").path
  var inputSeconds: Double = 10
  var maxRSSMegabytes = 2048
  var maxCrashes = 10
  var isWorker = false
  var verbose = false
  /// Load these files once each and print the outcome, instead of fuzzing.
  var reproduce: [String] = []

  /// Where a worker writes the inputs it loads.
  var workDirectory: String { "\(crashDirectory)/work" }

  static let usage = """
    usage: fuzz-loaders [--format h5|weights|keras|all] [--seconds S | --iterations N] [--seed S]
                        [--corpus DIR] [--crash-dir DIR] [--input-seconds S] [--max-rss-mb M] [--max-crashes N]
                        [--verbose]
       fuzz-loaders [--format weights --corpus DIR] --reproduce FILE [--reproduce FILE ...]

    Mutates the model files in the corpus (default Tests/KerasTests/Fixtures/model_files: name.keras,
    name.h5, name.tf_keras.h5) and loads each mutant with loadModel / Sequential.loadWeights. Every input
    must end in a thrown error or a usable model. Inputs run in a worker process; a crash, a hang (an input
    running longer than --input-seconds) or resident memory over --max-rss-mb is saved as
    <crash-dir>/crash-N.bin with crash-N.txt describing it, and the worker restarts with another seed.
    --verbose prints each input's mutation and outcome.
    --reproduce loads FILE once in this process (a .keras or whole-model .h5 with loadModel; with
    --format weights, loadWeights into the model of the corpus .keras named in FILE.txt, else the first one)
    and prints the outcome.
    Exits 0 when nothing crashed, 1 otherwise. Default: 60 seconds over all formats.
    """

  init(_ arguments: [String]) throws {
    var iterator = arguments.makeIterator()
    func value(_ flag: String) throws -> String {
      guard let value = iterator.next() else { throw FuzzError("\(flag) needs a value\n\(Self.usage)") }
      return value
    }
    func number<T: LosslessStringConvertible>(_ flag: String) throws -> T {
      let text = try value(flag)
      guard let number = T(text) else { throw FuzzError("\(flag): '\(text)' is not a number") }
      return number
    }
    while let argument = iterator.next() {
      switch argument {
      case "--format":
        let name = try value(argument)
        if name == "all" {
          formats = Format.allCases
        } else {
          formats = try name.split(separator: ",").map { part in
            guard let format = Format(rawValue: String(part)) else {
              throw FuzzError("unknown format '\(part)'\n\(Self.usage)")
            }
            return format
          }
        }
      case "--seconds": seconds = try number(argument)
      case "--iterations": iterations = try number(argument)
      case "--seed": seed = try number(argument)
      case "--corpus": corpus = try value(argument)
      case "--crash-dir": crashDirectory = try value(argument)
      case "--input-seconds": inputSeconds = try number(argument)
      case "--max-rss-mb": maxRSSMegabytes = try number(argument)
      case "--max-crashes": maxCrashes = try number(argument)
      case "--worker": isWorker = true
      case "--verbose": verbose = true
      case "--reproduce": reproduce.append(try value(argument))
      case "--help", "-h": throw FuzzError(Self.usage)
      default: throw FuzzError("unknown argument '\(argument)'\n\(Self.usage)")
      }
    }
    if seconds == nil, iterations == nil { seconds = 60 }
  }

  /// The arguments for a worker that runs what is left.
  func workerArguments(seed: UInt64, seconds: Double?, iterations: Int?) -> [String] {
    var arguments = [
      "--worker", "--format", formats.map(\.rawValue).joined(separator: ","), "--seed", "\(seed)", "--corpus", corpus,
      "--crash-dir", crashDirectory, "--input-seconds", "\(inputSeconds)", "--max-rss-mb", "\(maxRSSMegabytes)",
    ]
    if verbose { arguments.append("--verbose") }
    if let seconds { arguments += ["--seconds", "\(seconds)"] }
    if let iterations { arguments += ["--iterations", "\(iterations)"] }
    return arguments
  }
}
