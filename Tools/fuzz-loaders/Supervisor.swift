import Foundation

/// Runs workers until the time or iteration budget is spent, restarting after each crash and
/// keeping its reproducer.
struct Supervisor {
  let options: Options

  func run() throws -> Int32 {
    let fileManager = FileManager.default
    try fileManager.createDirectory(atPath: options.crashDirectory, withIntermediateDirectories: true)
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var total = FuzzStats()
    var crashes: [String] = []
    var seed = options.seed
    let start = Date()
    while true {
      let elapsed = Date().timeIntervalSince(start)
      let seconds = options.seconds.map { $0 - elapsed }
      let iterations = options.iterations.map { $0 - total.executions }
      if let seconds, seconds <= 0 { break }
      if let iterations, iterations <= 0 { break }
      let statsPath = "\(options.crashDirectory)/stats.json"
      try? fileManager.removeItem(atPath: statsPath)
      try? fileManager.removeItem(atPath: "\(options.crashDirectory)/current.reason")
      let process = Process()
      process.executableURL = executable
      process.arguments = options.workerArguments(seed: seed, seconds: seconds, iterations: iterations)
      try process.run()
      process.waitUntilExit()
      if let data = fileManager.contents(atPath: statsPath),
        let stats = try? JSONDecoder().decode(FuzzStats.self, from: data)
      {
        total.merge(stats)
      }
      if process.terminationReason == .exit, process.terminationStatus == 0 { break }
      total.executions += 1
      let generating = fileManager.fileExists(atPath: "\(options.crashDirectory)/generating")
      try? fileManager.removeItem(atPath: "\(options.crashDirectory)/generating")
      let reason =
        (generating ? "fuzzer bug while generating the input after this one: " : "")
        + ((try? String(contentsOfFile: "\(options.crashDirectory)/current.reason", encoding: .utf8))
          ?? (process.terminationReason == .uncaughtSignal
            ? "crash: signal \(process.terminationStatus)\n" : "crash: exit status \(process.terminationStatus)\n"))
      let name = "crash-\(crashes.count + 1)"
      let description = (try? String(contentsOfFile: "\(options.crashDirectory)/current.txt", encoding: .utf8)) ?? ""
      try? fileManager.removeItem(atPath: "\(options.crashDirectory)/\(name).bin")
      try? fileManager.copyItem(
        atPath: "\(options.crashDirectory)/current.bin", toPath: "\(options.crashDirectory)/\(name).bin")
      try Data((reason + "worker seed=\(seed)\n" + description).utf8).write(
        to: URL(fileURLWithPath: "\(options.crashDirectory)/\(name).txt"))
      print(
        "fuzz-loaders: \(reason.trimmingCharacters(in: .newlines)); input saved as \(options.crashDirectory)/\(name).bin"
      )
      print("  \(description.replacingOccurrences(of: "\n", with: "\n  "))")
      crashes.append(name)
      if crashes.count >= options.maxCrashes { break }
      seed &+= 1_000_003
    }
    let seconds = Date().timeIntervalSince(start)
    let errors = total.errors.sorted { $0.value > $1.value }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    print(
      "fuzz-loaders: formats=\(options.formats.map(\.rawValue).joined(separator: ",")) seed=\(options.seed) "
        + "executions=\(total.executions) seconds=\(String(format: "%.1f", seconds)) "
        + "exec/s=\(String(format: "%.1f", Double(total.executions) / max(seconds, 0.001))) loaded=\(total.loaded) "
        + "crashes=\(crashes.count) maxRSS=\(total.maxRSSMegabytes)MB generationFailures=\(total.generationFailures)")
    print("fuzz-loaders: errors: \(errors)")
    return crashes.isEmpty ? 0 : 1
  }
}
