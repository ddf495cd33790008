import Foundation

/// What can go wrong running a workload in a child process.
enum BenchmarkError: Error, CustomStringConvertible {
  /// A child process exited with `status`; `errorOutput` is the end of what it wrote to stderr.
  case processFailed(String, status: Int32, errorOutput: String)
  /// A run printed no JSON line naming its workload.
  case noResult(String, output: String)
  /// The reference script is not where it should be.
  case missingScript(String)

  var description: String {
    switch self {
    case .processFailed(let command, let status, let errorOutput):
      "\(command) exited with status \(status):\n\(errorOutput.suffix(2000))"
    case .noResult(let source, let output):
      "\(source) printed no result line; its output was:\n\(output.suffix(2000))"
    case .missingScript(let path):
      "no reference script at \(path) (give --bench-dir)"
    }
  }
}

/// A framework that runs the workloads: this binary, or a Python reference script.
enum Runner: String, Codable, CaseIterable, Sendable {
  case swift, keras, torch

  /// The name in tables.
  var title: String {
    switch self {
    case .swift: "Swift"
    case .keras: "Keras"
    case .torch: "PyTorch"
    }
  }

  /// The reference script's file name in the bench directory.
  var scriptName: String { self == .torch ? "torch_workloads.py" : "keras_workloads.py" }
}

/// Runs one workload in a fresh child process and reads its JSON result, so that each peak RSS
/// is that workload's alone. The parent stays small: a child started by `posix_spawn`/`vfork`
/// inherits its parent's RSS high-water mark in `ru_maxrss` across `exec`.
struct ReferenceRunner {
  /// The Python reference scripts' directory.
  var benchDirectory: URL
  /// The Python interpreter per reference runner (`.keras`, `.torch`).
  var pythons: [Runner: String]
  /// The epochs to train, or nil for each script's own default.
  var epochs: Int?
  /// Where the reference's data of each workload was saved (see ``saveReferenceData(_:to:)``),
  /// for the Swift run to train on; nil: Swift draws its own.
  var dataDirectories: [Workload: URL] = [:]
  /// Keras' dtype policy every framework trains under (`mixed_bfloat16`), or nil for float32:
  /// Swift's `setGlobalPolicy`, Keras' `set_global_policy`, PyTorch's `torch.autocast("cpu",
  /// dtype=torch.bfloat16)`; the scripts read it from `BENCH_POLICY`.
  var policy: String?

  /// Saves the reference script's data of `workload` (its NumPy generator, seed 0) as `x.npy`
  /// and `y.npy` in `directory`, with the first Python given, so that Swift trains on exactly
  /// the same numbers and final losses compare.
  func saveReferenceData(_ workload: Workload, to directory: URL) throws {
    guard let (runner, python) = [Runner.keras, .torch].lazy.compactMap({ r in self.pythons[r].map { (r, $0) } }).first
    else { return }
    let script = benchDirectory.appendingPathComponent(runner.scriptName).path
    guard FileManager.default.fileExists(atPath: script) else { throw BenchmarkError.missingScript(script) }
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let saver = """
      import runpy, sys, numpy as np
      script, name, out = sys.argv[1:4]
      x, y = runpy.run_path(script, run_name="reference_workloads")["WORKLOADS"][name][0]()
      np.save(out + "/x.npy", np.asarray(x, dtype=np.float32)); np.save(out + "/y.npy", np.asarray(y, dtype=np.float32))
      """
    _ = try Self.capture(python, ["-c", saver, script, workload.rawValue, directory.path])
  }

  /// Imports a reference script as a module (its `__main__` block stays off), sets the
  /// workload's epochs when given, runs it and prints the peak RSS and epochs as a second line.
  /// Arguments: script, workload, epochs or `default`.
  private static let pythonWrapper = """
    import json, resource, runpy, sys
    script, name, epochs = sys.argv[1:4]
    module = runpy.run_path(script, run_name="reference_workloads")
    data, build, batch, default_epochs = module["WORKLOADS"][name]
    module["WORKLOADS"][name] = (data, build, batch, default_epochs if epochs == "default" else int(epochs))
    module["run"](name)
    print(json.dumps({"peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "epochs": module["WORKLOADS"][name][3]}), flush=True)
    """

  /// Runs `workload` with `runner`: this binary with `--single`, or the reference script under its Python.
  func run(_ workload: Workload, with runner: Runner) throws -> Measurement {
    let executable: String
    var arguments: [String]
    switch runner {
    case .swift:
      executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
      arguments = ["--single", workload.rawValue, "--epochs", String(epochs ?? workload.defaultEpochs)]
      if let data = dataDirectories[workload] { arguments += ["--data", data.path] }
      if let policy { arguments += ["--policy", policy] }
    case .keras, .torch:
      let script = benchDirectory.appendingPathComponent(runner.scriptName).path
      guard FileManager.default.fileExists(atPath: script) else { throw BenchmarkError.missingScript(script) }
      executable = pythons[runner] ?? "python3"
      arguments = ["-c", Self.pythonWrapper, script, workload.rawValue, epochs.map(String.init) ?? "default"]
    }
    let (busyBefore, childrenBefore) = (Self.machineBusySeconds(), Self.childrenCPUSeconds())
    let output = try Self.capture(executable, arguments, policy: policy)
    let busy = Self.machineBusySeconds().flatMap { after in busyBefore.map { after - $0 } }
    let childCPU = Self.childrenCPUSeconds() - childrenBefore
    var measurement = try Measurement.parse(output: output, source: "\(runner.title) \(workload.rawValue)")
    if measurement.epochs == nil { measurement.epochs = epochs ?? workload.defaultEpochs }
    measurement.othersCPUSeconds = busy.map { max(0, $0 - childCPU) }
    return measurement
  }

  /// Busy CPU seconds of the whole machine, all cores (`/proc/stat` minus idle and iowait).
  private static func machineBusySeconds() -> Double? {
    guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
      let line = stat.split(separator: "\n").first
    else { return nil }
    let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
    guard ticks.count == 8 else { return nil }
    return (ticks.reduce(0, +) - ticks[3] - ticks[4]) / Double(sysconf(Int32(_SC_CLK_TCK)))
  }

  /// User and system CPU seconds of this process's finished children.
  private static func childrenCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) * 1e-6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
  }

  /// The standard output of `executable arguments`; stderr goes to a scratch file shown on failure.
  private static func capture(_ executable: String, _ arguments: [String], policy: String? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["BENCH_POLICY"] = policy
    process.environment = environment
    let standardOutput = Pipe()
    process.standardOutput = standardOutput
    let errorURL = FileManager.default.temporaryDirectory.appendingPathComponent("benchmarks-\(UUID().uuidString).err")
    guard FileManager.default.createFile(atPath: errorURL.path, contents: nil) else {
      throw BenchmarkError.processFailed("creating \(errorURL.path)", status: -1, errorOutput: "")
    }
    defer { try? FileManager.default.removeItem(at: errorURL) }
    let errorHandle = try FileHandle(forWritingTo: errorURL)
    process.standardError = errorHandle
    try process.run()
    let data = standardOutput.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try errorHandle.close()
    let command = ([executable] + arguments.filter { !$0.contains("\n") }).joined(separator: " ")
    guard process.terminationStatus == 0 else {
      let errorOutput = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
      throw BenchmarkError.processFailed(command, status: process.terminationStatus, errorOutput: errorOutput)
    }
    return String(decoding: data, as: UTF8.self)
  }
}
