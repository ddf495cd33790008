// checkpoint-trainer: trains a tiny model with ModelCheckpoint and BackupAndRestore, for tests
// that kill it (SIGKILL) at random moments and check that the last checkpoint always loads and
// that a restarted run ends with the weights of an uninterrupted one.
//
//   checkpoint-trainer --dir DIR [--mode keras|weights] [--epochs N] [--backup-every-batches N] [--plain]
//
// `--plain` trains without saving anything: the uninterrupted reference run.
// Writes DIR/checkpoint.keras (or DIR/checkpoint.weights.h5) every epoch and backs up to
// DIR/backup. Prints, flushed, one line per event:
//   resumed <epoch>          when a backup was restored (`fresh` otherwise)
//   saving <epoch>           just before the epoch's saves start (1-based epoch)
//   saved <epoch>            after the checkpoint and the backup are written
//   final <hex>              at the end: a digest of the weights' bit patterns
// Exit status 0 on success, 1 with a message on standard error otherwise.
import Foundation
import Keras

/// The command line, parsed by hand to keep the tool free of dependencies.
struct Options {
  var directory = ""
  var mode = "keras"
  var epochs = 40
  var backupEveryBatches: Int? = nil
  var plain = false

  init(_ arguments: [String]) throws {
    var rest = arguments[...]
    func value(_ flag: String) throws -> String {
      guard let value = rest.popFirst() else { throw KerasError.invalidArgument("\(flag) needs a value") }
      return value
    }
    while let flag = rest.popFirst() {
      switch flag {
      case "--dir": directory = try value(flag)
      case "--mode": mode = try value(flag)
      case "--epochs": epochs = Int(try value(flag)) ?? -1
      case "--backup-every-batches": backupEveryBatches = Int(try value(flag))
      case "--plain": plain = true
      default: throw KerasError.invalidArgument("unknown argument '\(flag)'")
      }
    }
    guard !directory.isEmpty, ["keras", "weights"].contains(mode), epochs >= 1 else {
      throw KerasError.invalidArgument(
        "usage: checkpoint-trainer --dir DIR [--mode keras|weights] [--epochs N] [--backup-every-batches N] [--plain]")
    }
  }

  var checkpointPath: String { directory + (mode == "keras" ? "/checkpoint.keras" : "/checkpoint.weights.h5") }
}

/// Prints a line and flushes it at once, so a reader sees each event before the next starts.
func report(_ line: String) {
  print(line)
  fflush(nil)
}

/// Reports the start and the end of each epoch's saves, around the saving callbacks.
final class SaveReporter: Callback {
  let event: String
  init(_ event: String) { self.event = event }
  func onEpochEnd(_ epoch: Int, _ logs: Logs) { report("\(event) \(epoch + 1)") }
}

/// The trainer's model: small, with dropout, so the random state matters on resume.
func makeModel() throws -> Sequential {
  let model = Sequential {
    Dense(8, activation: .relu, inputShape: [4])
    Dropout(0.25)
    Dense(1, activation: .sigmoid)
  }
  try model.compile(optimizer: Adam(learningRate: 0.01), loss: "binary_crossentropy", metrics: ["accuracy"])
  return model
}

/// FNV-1a over the bit patterns of every weight, in order.
func digest(_ model: Sequential) -> String {
  var hash: UInt64 = 0xcbf2_9ce4_8422_2325
  for weight in model.weights {
    for scalar in weight.value.scalars {
      hash = (hash ^ UInt64(scalar.bitPattern)) &* 0x100_0000_01b3
    }
  }
  return String(hash, radix: 16)
}

func run() throws {
  let options = try Options(Array(CommandLine.arguments.dropFirst()))
  try FileManager.default.createDirectory(atPath: options.directory, withIntermediateDirectories: true)
  // Fixed data from its own generator; the model's draws from the global one.
  var dataGenerator = RandomGenerator(seed: 11)
  let x = Tensor.randomNormal([64, 4], using: &dataGenerator)
  let y = try x.sum(axes: [1], keepDims: true).greater(Tensor(0))
  setRandomSeed(5)
  let model = try makeModel()
  let backup = try BackupAndRestore(
    backupDir: options.directory + "/backup", saveFreq: options.backupEveryBatches.map { .batches($0) } ?? .epoch)
  let checkpoint = try ModelCheckpoint(options.checkpointPath, saveWeightsOnly: options.mode == "weights")
  let resumeReporter = LambdaCallback(onTrainBegin: { _ in
    report(backup.restoredEpoch.map { "resumed \($0)" } ?? "fresh")
  })
  try model.fit(
    x, y, batchSize: 16, epochs: options.epochs, verbose: 0,
    callbacks: options.plain
      ? [] : [SaveReporter("saving"), backup, resumeReporter, checkpoint, SaveReporter("saved")])
  report("final \(digest(model))")
}

do {
  try run()
} catch {
  FileHandle.standardError.write(Data("checkpoint-trainer: \(error)\n".utf8))
  exit(1)
}
