import Foundation
import HDF5
import Keras

#if canImport(Glibc)
  import Glibc
#endif

/// One mutated input, ready to be written and loaded.
struct FuzzInput {
  let seed: Seed
  let bytes: [UInt8]
  let note: String
}

/// Counts of what happened, merged across workers by the supervisor.
struct FuzzStats: Codable {
  var executions = 0
  var loaded = 0
  var predictFailures = 0
  var generationFailures = 0
  var seconds = 0.0
  var errors: [String: Int] = [:]
  var maxRSSMegabytes = 0

  mutating func merge(_ other: FuzzStats) {
    executions += other.executions
    loaded += other.loaded
    predictFailures += other.predictFailures
    generationFailures += other.generationFailures
    seconds += other.seconds
    for (key, count) in other.errors { errors[key, default: 0] += count }
    maxRSSMegabytes = max(maxRSSMegabytes, other.maxRSSMegabytes)
  }
}

/// Ends the process when one input runs too long or the process holds too much memory, after
/// noting why beside the reproducer (`current.bin`, written before every execution).
final class Watchdog: @unchecked Sendable {
  private let lock = NSLock()
  private var started: Date? = nil
  private let limit: TimeInterval
  private let maxResidentBytes: Int
  private let crashDirectory: String

  init(limit: TimeInterval, maxResidentBytes: Int, crashDirectory: String) {
    self.limit = limit
    self.maxResidentBytes = maxResidentBytes
    self.crashDirectory = crashDirectory
  }

  func begin() { lock.withLock { started = Date() } }
  func end() { lock.withLock { started = nil } }

  func start() {
    let thread = Thread { [self] in
      while true {
        Thread.sleep(forTimeInterval: 0.05)
        let elapsed = lock.withLock { started.map { Date().timeIntervalSince($0) } }
        if let elapsed, elapsed > limit { fail("hang", "the input ran for more than \(limit) s", code: 70) }
        let resident = Self.residentBytes()
        if resident > maxResidentBytes {
          fail(
            "memory", "resident memory \(resident >> 20) MiB exceeds the limit of \(maxResidentBytes >> 20) MiB",
            code: 71)
        }
      }
    }
    thread.start()
  }

  private func fail(_ kind: String, _ message: String, code: Int32) -> Never {
    let note = "\(kind): \(message)\n"
    _ = FileManager.default.createFile(atPath: "\(crashDirectory)/current.reason", contents: Data(note.utf8))
    FileHandle.standardError.write(Data("fuzz-loaders worker: \(note)".utf8))
    _exit(code)
  }

  /// The resident set size now, from /proc/self/statm.
  static func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
  }

  /// The peak resident set size of this process.
  static func maxResidentMegabytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss / 1024
  }
}

/// The fuzz loop of one worker process.
struct Worker {
  let options: Options
  let seeds: [Format: [Seed]]
  let mutator: StructuredMutator
  var random: SeededGenerator
  var stats = FuzzStats()
  /// Clean `.keras` model configs by path, to build fresh uncompiled models for weights files.
  var architectures: [String: ConfigValue] = [:]

  init(options: Options, seeds: [Format: [Seed]]) {
    self.options = options
    self.seeds = seeds
    mutator = StructuredMutator(scratch: options.workDirectory)
    random = SeededGenerator(seed: options.seed)
    for seed in seeds[.keras] ?? [] {
      if let config = seed.config { architectures["\(options.corpus)/\(seed.name)"] = config }
    }
  }

  mutating func run() throws {
    let watchdog = Watchdog(
      limit: options.inputSeconds, maxResidentBytes: options.maxRSSMegabytes << 20,
      crashDirectory: options.crashDirectory)
    watchdog.start()
    let formats = options.formats.filter { !(seeds[$0] ?? []).isEmpty }
    guard !formats.isEmpty else {
      throw FuzzError("the corpus at \(options.corpus) has no files for \(options.formats)")
    }
    let start = Date()
    var lastReport = start
    while true {
      let elapsed = Date().timeIntervalSince(start)
      if let seconds = options.seconds, elapsed >= seconds { break }
      if let iterations = options.iterations, stats.executions >= iterations { break }
      let format = formats[stats.executions % formats.count]
      // A crash while this marker exists is the fuzzer's own, not the last input's.
      let marker = "\(options.crashDirectory)/generating"
      _ = FileManager.default.createFile(atPath: marker, contents: nil)
      let input = generate(format)
      try FileManager.default.removeItem(atPath: marker)
      try record(input)
      watchdog.begin()
      execute(input)
      watchdog.end()
      stats.executions += 1
      if Date().timeIntervalSince(lastReport) >= 2 {
        lastReport = Date()
        stats.seconds = lastReport.timeIntervalSince(start)
        try saveStats()
      }
    }
    stats.seconds = Date().timeIntervalSince(start)
    try saveStats()
  }

  // MARK: Generating

  mutating func generate(_ format: Format) -> FuzzInput {
    let seed = random.pick(seeds[format]!)
    let donors = (seeds[format] ?? []).map(\.bytes)
    do {
      switch format {
      case .h5, .weights:
        if random.chance(0.5), let tree = seed.tree {
          var (bytes, note) = try mutator.mutate(tree, config: seed.config, using: &random)
          if random.chance(0.2) {
            let mutated = ByteMutator.mutate(
              bytes, hotOffsets: CorpusLoader.hotOffsets(bytes), donors: [], using: &random)
            bytes = mutated.bytes
            note += " + bytes " + mutated.note
          }
          return FuzzInput(seed: seed, bytes: bytes, note: "structured: " + note)
        }
        let (bytes, note) = ByteMutator.mutate(seed.bytes, hotOffsets: seed.hotOffsets, donors: donors, using: &random)
        return FuzzInput(seed: seed, bytes: bytes, note: "bytes: " + note)
      case .keras:
        guard var entries = seed.zipEntries else { break }
        switch random.below(10) {
        case 0, 1:
          let (bytes, note) = ByteMutator.mutate(
            seed.bytes, hotOffsets: seed.hotOffsets, donors: donors, using: &random)
          return FuzzInput(seed: seed, bytes: bytes, note: "archive bytes: " + note)
        case 2, 3, 4:
          guard let index = entries.firstIndex(where: { $0.name == "model.weights.h5" }) else { break }
          let weights: (bytes: [UInt8], note: String)
          if random.chance(0.5), let tree = seed.innerWeights {
            weights = try mutator.mutate(tree, config: nil, using: &random)
          } else {
            let inner = entries[index].payload
            weights = ByteMutator.mutate(inner, hotOffsets: CorpusLoader.hotOffsets(inner), donors: [], using: &random)
          }
          entries[index] = ZipEntry(name: entries[index].name, stored: weights.bytes)
          return FuzzInput(seed: seed, bytes: ZipWriter.archive(entries), note: "weights entry: " + weights.note)
        case 5, 6, 7:
          guard let index = entries.firstIndex(where: { $0.name == "config.json" }), let config = seed.config else {
            break
          }
          let (text, note) = ConfigMutator.mutate(config, using: &random)
          entries[index] = ZipEntry(name: entries[index].name, stored: Array(text.utf8))
          return FuzzInput(seed: seed, bytes: ZipWriter.archive(entries), note: "config.json: " + note)
        default:
          let (bytes, note) = mutator.mutateArchive(entries, using: &random)
          return FuzzInput(seed: seed, bytes: bytes, note: "archive: " + note)
        }
      }
    } catch {
      stats.generationFailures += 1
    }
    let (bytes, note) = ByteMutator.mutate(seed.bytes, hotOffsets: seed.hotOffsets, donors: [], using: &random)
    return FuzzInput(seed: seed, bytes: bytes, note: "bytes (fallback): " + note)
  }

  // MARK: Executing

  /// Saves the input as the crash reproducer before it runs.
  func record(_ input: FuzzInput) throws {
    let directory = options.crashDirectory
    try Data(input.bytes).write(to: URL(fileURLWithPath: "\(directory)/current.bin"), options: .atomic)
    let description =
      "format=\(input.seed.format.rawValue) seed=\(input.seed.name) extension=\(input.seed.fileExtension)\n\(input.note)\n"
    try Data(description.utf8).write(to: URL(fileURLWithPath: "\(directory)/current.txt"), options: .atomic)
  }

  mutating func execute(_ input: FuzzInput) {
    let path = "\(options.workDirectory)/input\(input.seed.fileExtension)"
    do {
      try Data(input.bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
      let model: Model
      switch input.seed.format {
      case .h5, .keras:
        model = try loadModel(path)
      case .weights:
        guard let architecture = input.seed.architecture else { return }
        if random.chance(0.5), let config = architectures[architecture] {
          model = try deserializeSequential(config)
        } else {
          model = try loadModel(architecture)
        }
        try model.loadWeights(path)
      }
      stats.loaded += 1
      checkUsable(model)
      if options.verbose { print("loaded <- \(input.seed.name) \(input.note.prefix(300))") }
    } catch {
      stats.errors[Self.kind(of: error), default: 0] += 1
      if options.verbose { print("\(error)".prefix(300), "<- \(input.seed.name) \(input.note.prefix(300))") }
    }
    stats.maxRSSMegabytes = max(stats.maxRSSMegabytes, Watchdog.maxResidentMegabytes())
  }

  /// Runs a loaded model on a tiny input: it must not crash.
  mutating func checkUsable(_ model: Model) {
    guard let inputShape = model.inputShape else { return }
    let shape = [2] + inputShape.dropFirst().map { min($0 ?? 3, 64) }
    guard shape.reduce(1, *) <= 1 << 16 else { return }
    do {
      _ = try model.predict(Tensor.randomUniform(shape, seed: 1), verbose: 0)
    } catch {
      stats.predictFailures += 1
      stats.errors["predict " + Self.kind(of: error), default: 0] += 1
    }
  }

  /// `SavingError.corruptFile`, `KerasError.invalidArgument`, ...
  static func kind(of error: Error) -> String {
    let mirror = Mirror(reflecting: error)
    let caseName = mirror.children.first?.label ?? "\(error)".prefix { $0 != "(" }.description
    return "\(type(of: error)).\(caseName)"
  }

  func saveStats() throws {
    let data = try JSONEncoder().encode(stats)
    try data.write(to: URL(fileURLWithPath: "\(options.crashDirectory)/stats.json"), options: .atomic)
  }
}

struct FuzzError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
