// benchmarks: the six training workloads of Benchmarks/README.md in SwiftKeras, side by side with
// the Keras and PyTorch references when their Pythons are given. Run in release:
//
//   swift run -c release benchmarks [classify forecast rnn large convnet transformer] [--epochs N]
//     [--rounds R] [--keras PYTHON] [--torch PYTHON] [--bench-dir DIR] [--json FILE] [--own-data]
//     [--policy mixed_bfloat16]
//   swift run -c release benchmarks forecast --streaming [--epochs N] [--rounds R]   (Streaming.swift)
//   swift run -c release benchmarks --large-npy 4 [--npy-dir /tmp]                   (Scripts/large-npy-training.sh)
//
// With a reference Python, Swift trains on the reference's own NumPy data (saved as .npy by
// that Python), so the final losses compare; --own-data keeps Swift's generator.
//
// Profiling one phase (instruction counts per step do not depend on the machine's load):
//
//   OMP_NUM_THREADS=1 valgrind --tool=callgrind --toggle-collect='*profiledSteps*' \
//     .build/release/benchmarks classify --profile train|evaluate|predict --steps 16
//
// Every workload runs in a fresh child process (this binary with --single, or the reference
// script), one after another per workload (and per round with --rounds), so that machine noise
// hits all of them alike and each peak RSS is that workload's alone.
import ArgumentParser
import Foundation
import Keras

extension Workload: ExpressibleByArgument {}

/// The command line of the benchmark harness.
struct Benchmarks: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "benchmarks",
    abstract: "Trains the Benchmarks/README.md workloads in SwiftKeras and compares them with Keras and PyTorch.")

  @Argument(help: "Workloads to run (\(Workload.allCases.map(\.rawValue).joined(separator: ", "))); all by default.")
  var workloads: [Workload] = []

  @Option(help: "Epochs to train every workload (default: the references' 4, 3, 3, 2, 3, 3).")
  var epochs: Int?

  @Option(help: "Runs of each workload per framework, interleaved; the table shows per-figure medians.")
  var rounds: Int = 1

  @Option(help: "A Python with keras and tensorflow, to run keras_workloads.py beside each workload.")
  var keras: String?

  @Option(help: "A Python with torch, to run torch_workloads.py beside each workload.")
  var torch: String?

  @Option(help: "The directory of the reference scripts (default: Benchmarks/reference of this checkout).")
  var benchDir: String = {
    let reference = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("reference").path
    return FileManager.default.fileExists(atPath: reference) ? reference : "Benchmarks/reference"
  }()

  @Option(help: "Write all results as JSON to this file.")
  var json: String?

  @Flag(help: "Train Swift on its own generator's data even when a reference Python is given (by default it trains on the reference's NumPy data, so final losses compare).")
  var ownData = false

  @Option(help: .hidden)
  var single: Workload?

  @Option(help: .hidden)
  var data: String?

  @Option(help: "Train every framework under this Keras dtype policy: mixed_bfloat16 (PyTorch: autocast bfloat16). Default float32.")
  var policy: String?

  @Option(help: "The random seed of the Swift run's weights and shuffling (with --single; for noise studies).")
  var seed: UInt64 = 0

  @Option(help: "Run only this phase of the first workload, for a profiler (see Profile.swift).")
  var profile: ProfilePhase?

  @Option(help: "Steps of the --profile phase (after as many warm-up training steps).")
  var steps: Int = 32

  @Flag(help: "Train the first workload (forecast by default) from arrays, a TensorDataset and an NPYDataset in this process, and compare samples/s (prefetching vs in memory).")
  var streaming = false

  @Option(help: "Train from a memory-mapped .npy of this many GB written to --npy-dir, report peak RSS and check the weights against in-memory training (Scripts/large-npy-training.sh).")
  var largeNpy: Double?

  @Option(help: "Where --large-npy writes its file (deleted afterwards).")
  var npyDir: String = "/tmp"

  func validate() throws {
    if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
    if rounds < 1 { throw ValidationError("--rounds must be at least 1, got \(rounds)") }
  }

  func run() throws {
    if let policy { try setGlobalPolicy(policy) }
    if let profile {
      try (workloads.first ?? .classify).profile(profile, steps: steps)
      return
    }
    if streaming {
      let workload = workloads.first ?? .forecast
      try Streaming.comparePrefetch(workload, epochs: epochs ?? workload.defaultEpochs, rounds: rounds)
      return
    }
    if let largeNpy {
      try Streaming.largeNPY(gigabytes: largeNpy, directory: npyDir)
      return
    }
    if let single {
      print(try single.measure(epochs: epochs ?? single.defaultEpochs, dataDirectory: data, seed: seed).jsonLine())
      return
    }
    var pythons: [Runner: String] = [:]
    pythons[.keras] = keras
    pythons[.torch] = torch
    let runners = [Runner.swift] + [Runner.keras, .torch].filter { pythons[$0] != nil }
    var runner = ReferenceRunner(
      benchDirectory: URL(fileURLWithPath: benchDir), pythons: pythons, epochs: epochs, policy: policy)
    let dataRoot = FileManager.default.temporaryDirectory.appendingPathComponent("benchmarks-data-\(getpid())")
    defer { try? FileManager.default.removeItem(at: dataRoot) }
    var report = BenchmarkReport(
      date: ISO8601DateFormatter().string(from: Date()), machine: Self.machine(), epochs: epochs, rounds: rounds,
      results: [])
    print("SwiftKeras benchmarks on \(report.machine), \(report.date)\(policy.map { ", policy \($0)" } ?? "")\n")
    fflush(nil)  // all output streams: the table shows as soon as a workload is done
    for workload in workloads.isEmpty ? Workload.allCases : workloads {
      var result = WorkloadResult(workload: workload.rawValue, measurements: [:], rounds: [:])
      if !ownData, runners.count > 1 {
        let directory = dataRoot.appendingPathComponent(workload.rawValue)
        try runner.saveReferenceData(workload, to: directory)
        runner.dataDirectories[workload] = directory
      }
      for _ in 0..<rounds {
        for framework in runners {
          result.rounds[framework.rawValue, default: []].append(try runner.run(workload, with: framework))
        }
      }
      result.measurements = result.rounds.mapValues(Measurement.median)
      print(result.table() + "\n")
      fflush(nil)  // all output streams: the table shows as soon as a workload is done
      report.results.append(result)
      if let json { try report.write(to: URL(fileURLWithPath: json)) }
    }
  }

  /// The CPU model from /proc/cpuinfo and the number of online cores.
  private static func machine() -> String {
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model =
      cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
      .flatMap { $0.split(separator: ":", maxSplits: 1).last }
      .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
    return "\(model), \(ProcessInfo.processInfo.activeProcessorCount) cores"
  }
}

Benchmarks.main()
