// Checks data-parallel training (KerasDistributed) against one process, under mpirun.
//
//   swift run mpi-check            runs every check below and exits 1 if any fails (CI)
//   mpi-check worker MODE [FILE]   one rank of a job mpirun starts (MODE: train, functional,
//                                  kill, hang, fail, interrupt, resume, scheduled)
//   mpi-check compare PREFIX       checks the files of a `worker train PREFIX` run of two ranks
//                                  started elsewhere (Scripts/mpi-two-hosts.sh) against one process
//   mpi-check worker bench [forecast|large] [GLOBAL_BATCH] [EPOCHS] [BUCKET_BYTES]
//                                  trains a benchmark workload (forecast: 2048 windows of 60 steps,
//                                  LSTM(50) ×3 with Dropout → Dense(1); large: [1024, 100, 128],
//                                  LSTM(512) → Dense(1); adam) and prints, on rank 0,
//                                  samples per second and the share of time spent communicating;
//                                  run it as `OMP_NUM_THREADS=1 mpirun -np N .build/release/mpi-check worker bench`
//
// The checks:
// 1. Two ranks with global batch 16 end with the weights (within 1e-5) of one process running
//    `model.fit` with batch 16 on the same shuffled, class-weighted data, with the same History (loss, accuracy,
//    AUC, validation), and both ranks hold the same weights; the last batch (11 rows) and the
//    validation batch (15 rows) are split unevenly. `DataParallel.evaluate` and `.predict`
//    equal `model.evaluate` and `model.predict`. Only rank 0 prints progress. Rank 1 starts from
//    other weights, optimizer state and random generator: fit broadcasts rank 0's.
//    With ReduceLROnPlateau and EarlyStopping acting on the logs, both ranks decide as one process.
//    A Functional model (a skip connection through Concatenate) trains as one process too.
// 2. The same script started without mpirun (a job of one process) gives the same numbers.
// 3. Two ranks with BackupAndRestore killed after epoch 2 of 3, resumed on one process: the
//    end equals the uninterrupted run's (weights, last epoch's History, evaluate, predict).
// 4. A rank killed by SIGKILL during training ends the job with an error, within a time limit.
// 5. A rank whose fit throws (its labels do not fit the loss) ends the job with its error.
// 6. A rank that hangs ends the job with KerasDistributed's timeout error naming the waiting rank.
import Foundation
import Keras
import KerasDistributed

let globalBatch = 16
let epochs = 3
let tolerance: Float = 1e-5
/// Positive samples count twice in the loss: the shards' gradients are sample-weighted.
let classWeight: [Int: Float] = [0: 1, 1: 2]

/// 74 sequences of 6 steps × 3 features, labelled 1 when their sum is positive.
func dataset() -> (x: Tensor, y: Tensor) {
  let x = withRandomSeed(11) { Tensor.randomNormal([74, 6, 3]) }
  let sums = x.scalars.chunks(of: 18).map { $0.reduce(0, +) > 0 ? Float(1) : 0 }
  return (x, Tensor(sums.map { [$0] }))
}

/// LSTM(8) → Dense(4, relu) → Dense(1, sigmoid) with adam, accuracy and AUC, weights drawn from
/// seed 7; `functional`: the same layers as a Functional graph whose head also sees the LSTM's
/// output (a skip connection through Concatenate).
func compiledModel(functional: Bool = false) throws -> Model {
  setRandomSeed(7)
  let model: Model
  if functional {
    let input = Input(shape: [6, 3], name: "steps")
    let features = LSTM(8)(input)
    let hidden = Dense(4, activation: .relu)(features)
    let output = Dense(1, activation: .sigmoid)(Concatenate()([features, hidden]))
    model = try Model(inputs: [input], outputs: [output])
  } else {
    model = Sequential {
      LSTM(8, inputShape: [6, 3])
      Dense(4, activation: .relu)
      Dense(1, activation: .sigmoid)
    }
  }
  try model.compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy", .auc(name: "auc")])
  _ = try model(Tensor.zeros([1, 6, 3]))
  return model
}

/// What a run ends with, written by each rank as JSON and compared by the driver.
struct Outcome: Codable {
  var weights: [Float]
  var history: [String: [Float]]
  var evaluation: [String: Float]
  var predictions: [Float]
}

extension Outcome {
  /// The outcome with the History of the last epoch alone: what a run resumed for it logs.
  var lastEpoch: Outcome {
    var outcome = self
    outcome.history = history.mapValues { Array($0.suffix(1)) }
    return outcome
  }
}

/// Callbacks that act on the logs: the learning rate halves after every epoch from the second
/// (no improvement of `val_loss` by 1 counts as a plateau), and training stops after the third of 6.
func scheduleCallbacks() -> [any Callback] {
  [
    ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 0, minDelta: 1),
    EarlyStopping(monitor: "val_loss", minDelta: 1, patience: 2),
  ]
}

/// One process with `model.fit`: the reference.
func reference(scheduled: Bool = false, functional: Bool = false) throws -> Outcome {
  let (x, y) = dataset()
  let model = try compiledModel(functional: functional)
  let history = try model.fit(
    x, y, batchSize: globalBatch, epochs: scheduled ? 6 : epochs, verbose: 0,
    callbacks: scheduled ? scheduleCallbacks() : [], validationSplit: 0.2, classWeight: classWeight)
  let evaluation = try model.evaluate(x, y, batchSize: globalBatch, verbose: 0)
  let predictions = try model.predict(x, batchSize: globalBatch, verbose: 0)
  return Outcome(
    weights: model.getWeights().flatMap(\.scalars), history: history.history, evaluation: evaluation.dictionary,
    predictions: predictions.scalars)
}

// MARK: Worker (one rank)

func worker(mode: String, output: String?) throws {
  // Buckets of 64 bytes: 4 allreduces, the Dense layers' started while the LSTM's backward pass runs.
  let distribution = try DataParallel(timeout: .seconds(mode == "hang" ? 3 : 60), bucketSize: 64)
  let (x, y) = dataset()
  let model = try compiledModel(functional: mode == "functional")
  if distribution.rank != 0 {
    // Other weights, optimizer state and generator than rank 0's: fit starts from rank 0's.
    try model.trainOnBatch(x.slice(axis: 0, 0..<8), y.slice(axis: 0, 0..<8))
    setRandomSeed(99)
  }
  var callbacks: [any Callback] = []
  if mode == "interrupt" || mode == "resume" {
    // Backs up to the directory; "interrupt" kills rank 0 right after the backup of epoch 2.
    callbacks.append(try BackupAndRestore(backupDir: output! + ".backup"))
    if mode == "interrupt" {
      callbacks.append(
        LambdaCallback(onEpochEnd: { epoch, _ in
          if distribution.rank == 0 && epoch == 1 { kill(getpid(), SIGKILL) }
        }))
    }
  }
  if mode == "kill" || mode == "hang" {
    callbacks.append(
      LambdaCallback(onBatchBegin: { batch, _ in
        guard distribution.rank == 1, batch == 2 else { return }
        if mode == "kill" { kill(getpid(), SIGKILL) }
        sleep(600)
      }))
  }
  // "fail": rank 1 alone passes labels that do not fit the loss, so its fit throws.
  let labels = mode == "fail" && distribution.rank == 1 ? Tensor.zeros([74, 3]) : y
  if mode == "scheduled" { callbacks += scheduleCallbacks() }
  let history = try distribution.fit(
    model, x, labels, batchSize: globalBatch, epochs: mode == "scheduled" ? 6 : epochs, verbose: 2,
    callbacks: callbacks, validationSplit: 0.2,
    classWeight: classWeight)
  let evaluation = try distribution.evaluate(model, x, y, batchSize: globalBatch).dictionary
  let predictions = try distribution.predict(model, x, batchSize: globalBatch)
  guard let output else { return }
  let outcome = Outcome(
    weights: model.getWeights().flatMap(\.scalars), history: history.history, evaluation: evaluation,
    predictions: predictions.scalars)
  try JSONEncoder().encode(outcome).write(to: URL(fileURLWithPath: "\(output).rank\(distribution.rank)"))
}

// MARK: Driver

/// A finished (or stopped) launch: exit status, output and whether the time limit ended it.
struct Launch {
  var status: Int32
  var output: String
  var timedOut: Bool
  var seconds: Double
}

/// Runs `arguments` with a time limit, stdout and stderr together.
func launch(_ arguments: [String], limit: Double) throws -> Launch {
  let log = FileManager.default.temporaryDirectory.appendingPathComponent("mpi-check-\(getpid())-\(UUID()).log")
  _ = FileManager.default.createFile(atPath: log.path, contents: nil)
  let handle = try FileHandle(forWritingTo: log)
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = arguments
  process.standardOutput = handle
  process.standardError = handle
  var environment = ProcessInfo.processInfo.environment
  environment["OMP_NUM_THREADS"] = "1"
  process.environment = environment
  let start = Date()
  try process.run()
  var timedOut = false
  while process.isRunning {
    if Date().timeIntervalSince(start) > limit {
      timedOut = true
      process.terminate()
      Thread.sleep(forTimeInterval: 2)
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      break
    }
    Thread.sleep(forTimeInterval: 0.05)
  }
  process.waitUntilExit()
  try handle.close()
  let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
  try? FileManager.default.removeItem(at: log)
  return Launch(
    status: process.terminationStatus, output: output, timedOut: timedOut, seconds: Date().timeIntervalSince(start))
}

nonisolated(unsafe) var failures = 0

func check(_ condition: Bool, _ what: String) {
  print("\(condition ? "ok  " : "FAIL") \(what)")
  if !condition { failures += 1 }
}

/// The largest difference between `a` and `b`, infinity when their lengths differ.
func largestDifference(_ a: [Float], _ b: [Float]) -> Float {
  guard a.count == b.count else { return .infinity }
  return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

/// Checks `outcome` against the reference, naming the run.
func compare(_ outcome: Outcome, _ expected: Outcome, _ run: String) {
  let weights = largestDifference(outcome.weights, expected.weights)
  check(weights <= tolerance, "\(run): weights equal one process's within \(tolerance) (largest difference \(weights))")
  let names = expected.history.keys.sorted()
  check(outcome.history.keys.sorted() == names, "\(run): History logs \(names)")
  for name in names {
    let difference = largestDifference(outcome.history[name] ?? [], expected.history[name]!)
    check(difference <= tolerance, "\(run): History[\(name)] equals one process's (largest difference \(difference))")
  }
  let evaluation =
    expected.evaluation.keys.sorted().map { name in
      abs((outcome.evaluation[name] ?? .infinity) - expected.evaluation[name]!)
    }.max() ?? .infinity
  check(evaluation <= tolerance, "\(run): evaluate equals model.evaluate (largest difference \(evaluation))")
  let predictions = largestDifference(outcome.predictions, expected.predictions)
  check(predictions <= tolerance, "\(run): predict equals model.predict, in order (largest difference \(predictions))")
}

/// Checks the outcomes two ranks wrote to `prefix`.rank0 and .rank1 against the reference.
func compareRanks(_ prefix: String, _ expected: Outcome, _ run: String) throws {
  let ranks = try (0..<2).map {
    try JSONDecoder().decode(Outcome.self, from: Data(contentsOf: URL(fileURLWithPath: "\(prefix).rank\($0)")))
  }
  compare(ranks[0], expected, "\(run), rank 0")
  check(ranks[1].weights == ranks[0].weights, "\(run): rank 1 holds rank 0's weights exactly")
  check(ranks[1].history == ranks[0].history, "\(run): rank 1's History is rank 0's")
}

func drive() throws {
  let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
  let mpirun = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "2"]
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mpi-check-\(getpid())")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: directory) }
  let expected = try reference()

  let twoRanks = directory.appendingPathComponent("two").path
  let train = try launch(mpirun + [executable, "worker", "train", twoRanks], limit: 300)
  check(train.status == 0 && !train.timedOut, "2 ranks: mpirun exits 0 (\(String(format: "%.1f", train.seconds)) s)")
  if train.status != 0 { print(train.output) }
  let epochLines = train.output.split(separator: "\n").filter { $0.hasPrefix("Epoch 1/") }.count
  check(epochLines == 1, "2 ranks: only rank 0 prints progress (\(epochLines) 'Epoch 1/' lines)")
  try compareRanks(twoRanks, expected, "2 ranks")

  let functionalRanks = directory.appendingPathComponent("functional").path
  let functional = try launch(mpirun + [executable, "worker", "functional", functionalRanks], limit: 300)
  check(functional.status == 0 && !functional.timedOut, "Functional model, 2 ranks: mpirun exits 0")
  if functional.status != 0 { print(functional.output) }
  try compareRanks(functionalRanks, try reference(functional: true), "Functional model, 2 ranks")

  let scheduledRanks = directory.appendingPathComponent("scheduled").path
  let scheduled = try launch(mpirun + [executable, "worker", "scheduled", scheduledRanks], limit: 300)
  check(scheduled.status == 0 && !scheduled.timedOut, "ReduceLROnPlateau and EarlyStopping: mpirun exits 0")
  if scheduled.status != 0 { print(scheduled.output) }
  let expectedScheduled = try reference(scheduled: true)
  let stoppedAfter = expectedScheduled.history["loss"]?.count ?? 0
  let rates = expectedScheduled.history["learning_rate"] ?? []
  check(
    stoppedAfter == 3 && rates.count == 3 && rates[2] < rates[0],
    "ReduceLROnPlateau and EarlyStopping act in the reference (\(stoppedAfter) epochs, learning rates \(rates))")
  try compareRanks(scheduledRanks, expectedScheduled, "ReduceLROnPlateau and EarlyStopping, 2 ranks")

  let oneRank = directory.appendingPathComponent("one").path
  let single = try launch([executable, "worker", "train", oneRank], limit: 300)
  check(single.status == 0 && !single.timedOut, "1 process without mpirun: exits 0")
  if single.status != 0 { print(single.output) }
  let alone = try JSONDecoder().decode(Outcome.self, from: Data(contentsOf: URL(fileURLWithPath: "\(oneRank).rank0")))
  compare(alone, expected, "1 process without mpirun")

  let backup = directory.appendingPathComponent("backup").path
  let interrupted = try launch(mpirun + [executable, "worker", "interrupt", backup], limit: 300)
  check(interrupted.status != 0 && !interrupted.timedOut, "resume: 2 ranks killed after epoch 2 of 3 end with an error")
  let resumed = try launch([executable, "worker", "resume", backup], limit: 300)
  check(resumed.status == 0 && !resumed.timedOut, "resume: 1 process continues from the 2 ranks' backup")
  if resumed.status != 0 { print(interrupted.output, resumed.output) }
  let last = try JSONDecoder().decode(Outcome.self, from: Data(contentsOf: URL(fileURLWithPath: "\(backup).rank0")))
  compare(last, expected.lastEpoch, "resume on 1 process after 2 ranks")

  let killed = try launch(mpirun + [executable, "worker", "kill"], limit: 120)
  check(
    killed.status != 0 && !killed.timedOut,
    "a killed rank ends the job with an error in \(String(format: "%.1f", killed.seconds)) s (exit \(killed.status))")
  let named = killed.output.contains("rank 1") || killed.output.contains("signal 9")
  check(named, "a killed rank is named in mpirun's error")
  if !named || killed.status == 0 { print(killed.output) }

  // Within 30 s, half the 60 s the other rank would wait before its own timeout ends the job.
  let failed = try launch(mpirun + [executable, "worker", "fail"], limit: 30)
  check(
    failed.status != 0 && !failed.timedOut,
    "a rank whose fit throws ends the job in \(String(format: "%.1f", failed.seconds)) s (exit \(failed.status))")
  let reported = failed.output.contains("mpi-check: Loss 'binary_crossentropy': labels of shape (2, 3)")
  check(reported, "a rank whose fit throws: its error is printed")
  if !reported || failed.status == 0 { print(failed.output) }

  let hung = try launch(mpirun + [executable, "worker", "hang"], limit: 120)
  check(
    hung.status != 0 && !hung.timedOut,
    "a hung rank ends the job with an error in \(String(format: "%.1f", hung.seconds)) s (exit \(hung.status))")
  let timeoutMessage = hung.output.contains(
    "rank 0 of 2 waited more than 3.0 seconds for the gradient allreduce of epoch 1, batch 2: rank 1 did not answer")
  check(timeoutMessage, "a hung rank: rank 0 reports the step it waited for and names rank 1")
  if !timeoutMessage || hung.status == 0 { print(hung.output) }
}

// MARK: Scaling measurement

/// The benchmarks' forecast workload: 2048 windows of 60 steps of a noisy sum of sines, three
/// stacked LSTM(50) with Dropout(0.2) → Dense(1), adam, mean squared error.
func forecastWorkload() throws -> (Tensor, Tensor, Sequential) {
  let (count, steps) = (2048, 60)
  var generator = RandomGenerator(seed: 0)
  let series = (0..<(count + steps + 1)).map { s -> Float in
    sin(Float(s) * 0.07) + 0.5 * sin(Float(s) * 0.011) + 0.1 * generator.nextNormal()
  }
  let x = try Tensor(shape: [count, steps, 1], scalars: (0..<count).flatMap { series[$0..<($0 + steps)] })
  let y = try Tensor(shape: [count, 1], scalars: Array(series[steps..<(steps + count)]))
  setRandomSeed(0)
  let model = Sequential()
  try model.add(Input(shape: [steps, 1]))
  for returnSequences in [true, true, false] {
    try model.add(LSTM(50, returnSequences: returnSequences))
    try model.add(Dropout(0.2))
  }
  try model.add(Dense(1))
  try model.compile(optimizer: "adam", loss: "mean_squared_error")
  return (x, y, model)
}

/// The benchmarks' large workload: noise `[1024, 100, 128]`, LSTM(512) → Dense(1), adam, mean squared error.
func largeWorkload() throws -> (Tensor, Tensor, Sequential) {
  var generator = RandomGenerator(seed: 0)
  let x = Tensor.randomNormal([1024, 100, 128], using: &generator)
  let y = Tensor.randomNormal([1024, 1], using: &generator)
  setRandomSeed(0)
  let model = Sequential()
  try model.add(Input(shape: [100, 128]))
  try model.add(LSTM(512))
  try model.add(Dense(1))
  try model.compile(optimizer: "adam", loss: "mean_squared_error")
  return (x, y, model)
}

/// The CPU time this process has used, in seconds.
func processorSeconds() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// Trains the forecast workload data-parallel and prints throughput and communication on rank 0.
func bench(large: Bool, globalBatch: Int, epochs: Int, bucketSize: Int) throws {
  let distribution = try DataParallel(bucketSize: bucketSize)
  let (x, y, model) = try large ? largeWorkload() : forecastWorkload()
  let count = x.shape[0]
  try distribution.fit(
    model, x.slice(axis: 0, 0..<(2 * globalBatch)), y.slice(axis: 0, 0..<(2 * globalBatch)),
    batchSize: globalBatch, epochs: 1, verbose: 0)  // warm-up
  let start = ContinuousClock.now
  let cpuStart = processorSeconds()
  let history = try distribution.fit(model, x, y, batchSize: globalBatch, epochs: epochs, verbose: 0)
  let seconds = (ContinuousClock.now - start) / .seconds(1)
  // CPU time does not depend on what else the machine runs: with a core per rank free, the job
  // would take about the largest rank's CPU time. The rank that exchanges least is the slowest,
  // which others wait for: its time is the communication itself.
  print(
    String(
      format: "  rank %d: %.2f s of CPU, %.3f s exchanging", distribution.rank, processorSeconds() - cpuStart,
      distribution.communicationTime / .seconds(1)))
  let communication = distribution.communicationTime / .seconds(1)
  if distribution.isChief {
    print(
      String(
        format: "%@ ranks %d, global batch %d, buckets of %d bytes: %.0f samples/s, %.2f s for %d epoch(s), "
          + "communication %.3f s (%.1f%%), loss %.5f",
        large ? "large" : "forecast", distribution.size, globalBatch, bucketSize, Double(count * epochs) / seconds,
        seconds, epochs, communication,
        100 * communication / seconds, history.history["loss"]!.last!))
  }
}

let arguments = CommandLine.arguments
do {
  if arguments.count >= 3 && arguments[1] == "worker" && arguments[2] == "bench" {
    let large = arguments.count > 3 && arguments[3] == "large"
    let numbers = arguments.dropFirst(3).filter { $0 != "large" && $0 != "forecast" }.map { Int($0) }
    try bench(
      large: large, globalBatch: numbers.first.flatMap { $0 } ?? 64,
      epochs: numbers.dropFirst().first.flatMap { $0 } ?? 1,
      bucketSize: numbers.dropFirst(2).first.flatMap { $0 } ?? 1 << 18)
  } else if arguments.count == 3 && arguments[1] == "compare" {
    try compareRanks(arguments[2], reference(), "2 ranks")
    print(failures == 0 ? "mpi-check: every check passed" : "mpi-check: \(failures) check(s) failed")
    exit(failures == 0 ? 0 : 1)
  } else if arguments.count >= 3 && arguments[1] == "worker" {
    try worker(mode: arguments[2], output: arguments.count > 3 ? arguments[3] : nil)
  } else {
    try drive()
    print(failures == 0 ? "mpi-check: every check passed" : "mpi-check: \(failures) check(s) failed")
    exit(failures == 0 ? 0 : 1)
  }
} catch {
  FileHandle.standardError.write(Data("mpi-check: \(error)\n".utf8))
  exit(1)
}

extension Array {
  /// The elements in consecutive groups of `size` (the last possibly shorter).
  func chunks(of size: Int) -> [ArraySlice<Element>] {
    stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
  }
}
