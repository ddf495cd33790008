import Foundation
import Testing

@testable import Keras

#if canImport(Glibc)
  import Glibc
#endif

/// A running `checkpoint-trainer`, read line by line with a deadline, killed with SIGKILL.
private final class TrainerRun {
  let process = Process()
  private let output = Pipe()
  private var pending = Data()
  private(set) var lines: [String] = []

  init(_ tool: CommandLineTool, _ arguments: [String], temporaryDirectory: String) throws {
    process.executableURL = tool.url
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["TMPDIR"] = temporaryDirectory
    process.environment = environment
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
  }

  /// The next line, or nil at the end of the output or after `timeout` seconds.
  func nextLine(timeout: Double) -> String? {
    let deadline = Date().addingTimeInterval(timeout)
    let descriptor = output.fileHandleForReading.fileDescriptor
    while true {
      if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
        let line = String(decoding: pending[..<newline], as: UTF8.self)
        pending.removeSubrange(...newline)
        lines.append(line)
        return line
      }
      let remaining = deadline.timeIntervalSinceNow
      guard remaining > 0 else { return nil }
      var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
      guard poll(&request, 1, Int32(remaining * 1000) + 1) > 0 else { continue }
      var buffer = [UInt8](repeating: 0, count: 4096)
      let count = read(descriptor, &buffer, buffer.count)
      guard count > 0 else { return nil }
      pending.append(contentsOf: buffer[..<count])
    }
  }

  /// Reads lines until one starts with `prefix`; nil when the run ends or `timeout` passes first.
  func waitFor(_ prefix: String, timeout: Double) -> String? {
    let deadline = Date().addingTimeInterval(timeout)
    while let line = nextLine(timeout: deadline.timeIntervalSinceNow) {
      if line.hasPrefix(prefix) { return line }
    }
    return nil
  }

  func kill() {
    Glibc.kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  /// Reads everything to the end and waits for the exit.
  func finish(timeout: Double) -> Int32? {
    while nextLine(timeout: timeout) != nil {}
    process.waitUntilExit()
    return process.terminationStatus
  }

  /// The epoch of the last line `"<event> <epoch>"`, if any.
  func lastEpoch(_ event: String) -> Int? {
    lines.last { $0.hasPrefix(event + " ") }.flatMap { Int($0.dropFirst(event.count + 1)) }
  }
}

@Suite("Checkpoints survive SIGKILL during saves")
struct CheckpointKillTests {
  static let epochs = 24
  static let stepsPerEpoch = 4

  /// The trainer's model, compiled alike, for loading `.weights.h5` checkpoints.
  func trainerModel() throws -> Sequential {
    let model = Sequential {
      Dense(8, activation: .relu, inputShape: [4])
      Dropout(0.25)
      Dense(1, activation: .sigmoid)
    }
    try model.compile(optimizer: Adam(learningRate: 0.01), loss: "binary_crossentropy", metrics: ["accuracy"])
    return model
  }

  /// The files that interrupted writes left in `directory` and below.
  func temporaryFiles(in directory: String) -> [String] {
    let names = FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []
    return names.filter { ($0 as NSString).lastPathComponent.hasPrefix(".") }
  }

  /// Loads the checkpoint and returns the epochs its optimizer state says it has trained.
  func loadCheckpoint(_ path: String, mode: String) throws -> Int {
    let model: Model
    if mode == "keras" {
      model = try loadModel(path)
    } else {
      model = try trainerModel()
      try model.loadWeights(path)
    }
    let iterations = try #require(model.optimizer).iterations
    #expect(iterations % Self.stepsPerEpoch == 0)
    return iterations / Self.stepsPerEpoch
  }

  @Test(
    "Killed at random moments, mid-save or between saves, the last checkpoint loads; resumed, training ends with the uninterrupted weights",
    arguments: ["keras", "weights"])
  func killDuringSaves(mode: String) throws {
    let tool = try CommandLineTool("checkpoint-trainer")
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("kill-test-\(UUID().uuidString)").path
    let directory = root + "/run"
    let scratch = root + "/tmp"
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let common = ["--mode", mode, "--epochs", "\(Self.epochs)"]

    let reference = try TrainerRun(
      tool, ["--dir", root + "/reference", "--plain"] + common, temporaryDirectory: scratch)
    let expected = try #require(reference.waitFor("final", timeout: 60))
    #expect(reference.finish(timeout: 10) == 0)

    var random = RandomGenerator(seed: mode == "keras" ? 1 : 2)
    var kills = 0
    var lastSaved = 0
    var finalLine: String? = nil
    var mostTemporaryFiles = 0
    var killsMidSave = 0
    while kills < 8 {
      let run = try TrainerRun(tool, ["--dir", directory] + common, temporaryDirectory: scratch)
      let start = try #require(run.nextLine(timeout: 30), "the trainer printed nothing")
      if let resumed = Int(start.dropFirst("resumed ".count)), start.hasPrefix("resumed ") {
        #expect(resumed >= lastSaved, "a backup never goes back behind a completed save")
      }
      // Three ways to die: just after a save began, just after one completed, at a random time.
      let target = (run.lastEpoch("resumed") ?? 0) + 1 + Int(random.next() % 2)
      switch random.next() % 3 {
      case 0:
        _ = run.waitFor("saving \(target)", timeout: 30)
        usleep(UInt32(random.next() % 30_000))
      case 1:
        _ = run.waitFor("saved \(target)", timeout: 30)
      default:
        // At most as late as case 1, so that every run leaves epochs for the next.
        let deadline = Date().addingTimeInterval(Double(random.next() % 400) / 1000)
        while let line = run.nextLine(timeout: deadline.timeIntervalSinceNow), line != "saved \(target)" {}
      }
      run.kill()
      while run.nextLine(timeout: 10) != nil {}  // drain to the end: the process is dead, so EOF comes at once
      if let line = run.lines.last(where: { $0.hasPrefix("final") }) {
        finalLine = line
        break
      }
      kills += 1
      if run.lines.last?.hasPrefix("saving") == true { killsMidSave += 1 }
      lastSaved = run.lastEpoch("saved") ?? lastSaved
      let checkpoint = directory + (mode == "keras" ? "/checkpoint.keras" : "/checkpoint.weights.h5")
      if lastSaved > 0 {
        let epoch = try loadCheckpoint(checkpoint, mode: mode)
        let saving = run.lastEpoch("saving") ?? lastSaved
        #expect(epoch == lastSaved || epoch == saving, "checkpoint of epoch \(epoch); last saved \(lastSaved)")
      }
      let leftovers = temporaryFiles(in: directory)
      mostTemporaryFiles = max(mostTemporaryFiles, leftovers.count)
      #expect(leftovers.count <= 3, "temporary files pile up: \(leftovers)")
    }
    if finalLine == nil {
      let run = try TrainerRun(tool, ["--dir", directory] + common, temporaryDirectory: scratch)
      finalLine = run.waitFor("final", timeout: 60)
      #expect(run.finish(timeout: 10) == 0)
    }
    #expect(kills == 8, "the trainer finished before enough kills")
    #expect(finalLine == expected, "resumed training ends with the uninterrupted run's weights")
    #expect(temporaryFiles(in: directory).isEmpty)
    #expect(!FileManager.default.fileExists(atPath: directory + "/backup"), "the backup is deleted at the end")
    #expect(
      try loadCheckpoint(directory + (mode == "keras" ? "/checkpoint.keras" : "/checkpoint.weights.h5"), mode: mode)
        == Self.epochs)
    let strayScratch = (try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []
    print(
      "checkpoint kill test (\(mode)): \(kills) kills survived (\(killsMidSave) between 'saving' and 'saved'), at most \(mostTemporaryFiles) temporary files after a kill, \(strayScratch.count) directories left in TMPDIR"
    )
  }
}
