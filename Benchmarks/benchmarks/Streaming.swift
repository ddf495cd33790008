import ArgumentParser
import Foundation
import Keras

/// Training from datasets beside training from arrays, in one process (figures on one machine
/// at one time compare): `--streaming` and `--large-npy` of the harness.
enum Streaming {
  /// Records each epoch's wall time.
  final class EpochClock: Callback {
    var model: Model?
    var params = TrainingParams(epochs: 0, steps: 0, verbose: 0)
    var start = Date()
    var seconds: [Double] = []
    func onEpochBegin(_ epoch: Int, _ logs: Logs) { start = Date() }
    func onEpochEnd(_ epoch: Int, _ logs: Logs) { seconds.append(Date().timeIntervalSince(start)) }
  }

  /// Samples per second of `workload` trained from arrays, from a ``TensorDataset`` and from an
  /// ``NPYDataset`` (the same batches, unshuffled, through the prefetch thread), interleaved over
  /// `rounds`, with the ratios to arrays: the median epoch after the first of each run.
  static func comparePrefetch(_ workload: Workload, epochs: Int, rounds: Int) throws {
    let (x, y) = try workload.makeData()
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("streaming-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let (xPath, yPath) = (folder.appendingPathComponent("x.npy").path, folder.appendingPathComponent("y.npy").path)
    try NPY.write(x, to: xPath)
    try NPY.write(y, to: yPath)
    let sources = ["arrays", "TensorDataset", "NPYDataset"]
    var rates: [String: [Double]] = [:]
    var losses: [String: Float] = [:]
    for _ in 0..<rounds {
      for source in sources {
        let model = try workload.makeModel()
        let clock = EpochClock()
        let history: History
        switch source {
        case "arrays":
          history = try model.fit(x, y, batchSize: workload.batchSize, epochs: epochs, verbose: 0, callbacks: [clock], shuffle: false)
        case "TensorDataset":
          history = try model.fit(
            TensorDataset(x: x, y: y, batchSize: workload.batchSize), epochs: epochs, verbose: 0, callbacks: [clock], shuffle: false)
        default:
          history = try model.fit(
            NPYDataset(x: xPath, y: yPath, batchSize: workload.batchSize), epochs: epochs, verbose: 0, callbacks: [clock],
            shuffle: false)
        }
        let later = clock.seconds.dropFirst().sorted()
        let median = later.isEmpty ? clock.seconds[0] : later[later.count / 2]
        rates[source, default: []].append(Double(x.shape[0]) / median)
        losses[source] = history.history["loss"]?.last
      }
    }
    print("\(workload.rawValue), \(epochs) epochs, \(rounds) round(s), batches unshuffled:")
    let base = median(rates["arrays"]!)
    for source in sources {
      let rate = median(rates[source]!)
      print(
        "  \(source.padding(toLength: 14, withPad: " ", startingAt: 0)) \(String(format: "%8.0f", rate)) samples/s  "
          + "\(String(format: "%.3f", rate / base)) x arrays  final loss \(losses[source]!)")
    }
  }

  /// Trains a linear model from a `gigabytes` float32 `.npy` written to `directory` (rows of
  /// 1024 values, batches of 1024 rows, shuffled batch order), reports the peak RSS of that
  /// run, then checks that training on its first `prefixBatches` batches from the file ends
  /// with the weights of training on the same rows loaded in memory. Deletes the files.
  static func largeNPY(gigabytes: Double, directory: String, prefixBatches: Int = 64) throws {
    let width = 1024
    let batchSize = 1024
    let rows = Int(gigabytes * 1_073_741_824) / (width * 4) / batchSize * batchSize
    let folder = URL(fileURLWithPath: directory).appendingPathComponent("large-npy-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let (xPath, yPath) = (folder.appendingPathComponent("x.npy").path, folder.appendingPathComponent("y.npy").path)
    let written = Date()
    try writeRegression(rows: rows, width: width, xPath: xPath, yPath: yPath)
    let bytes = (try FileManager.default.attributesOfItem(atPath: xPath)[.size] as? Int) ?? 0
    print(String(format: "wrote %@: %d x %d float32, %.2f GB, in %.0f s", xPath, rows, width, Double(bytes) / 1e9, Date().timeIntervalSince(written)))
    print(String(format: "peak RSS before training: %.0f MB", peakResidentMegabytes()))

    func makeModel() throws -> Sequential {
      setRandomSeed(0)
      let model = Sequential { Input(shape: [width]); Dense(1) }
      try model.compile(optimizer: SGD(learningRate: 0.01), loss: "mse")
      return model
    }
    let streamed = try makeModel()
    let started = Date()
    let data = try NPYDataset(x: xPath, y: yPath, batchSize: batchSize)
    let history = try streamed.fit(data, epochs: 1, verbose: 0, shuffle: true)
    let seconds = Date().timeIntervalSince(started)
    print(
      String(
        format: "trained 1 epoch over %d batches from the mapped file in %.0f s (%.0f samples/s), loss %.5f",
        data.batchCount!, seconds, Double(rows) / seconds, history.history["loss"]![0]))
    let rss = peakResidentMegabytes()
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let resident = status.split(separator: "\n").filter { $0.hasPrefix("RssAnon") || $0.hasPrefix("RssFile") || $0.hasPrefix("VmRSS") }
    print("resident now: " + resident.map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }.joined(separator: ", "))
    print(String(format: "peak RSS after training from the 4 GB file: %.0f MB (target < 600 MB): %@", rss, rss < 600 ? "PASS" : "FAIL"))

    // The same batches from the file and from memory end with the same weights.
    let fromFile = try makeModel()
    try fromFile.fit(data.take(prefixBatches), epochs: 2, verbose: 0, shuffle: false)
    let prefix = try (0..<prefixBatches).map { try data.batch(at: $0) }
    let x = try Tensor.concatenate(prefix.map { $0.inputs[0] })
    let y = try Tensor.concatenate(prefix.map { $0.targets[0] })
    let inMemory = try makeModel()
    try inMemory.fit(x, y, batchSize: batchSize, epochs: 2, verbose: 0, shuffle: false)
    let same = zip(fromFile.getWeights(), inMemory.getWeights()).allSatisfy { $0.scalars == $1.scalars }
    print("weights after 2 epochs over the first \(prefixBatches) batches (\(x.shape[0]) rows), file vs memory: \(same ? "identical (PASS)" : "DIFFERENT (FAIL)")")
  }

  /// `x` `[rows, width]` of a fixed generator's normal values, and `y = x · w + 0.1 noise` for a
  /// fixed `w`, written as `.npy` in chunks (the data never in memory at once).
  private static func writeRegression(rows: Int, width: Int, xPath: String, yPath: String) throws {
    var generator = RandomGenerator(seed: 1)
    let w = (0..<width).map { _ in generator.nextNormal() / Float(width).squareRoot() }
    guard FileManager.default.createFile(atPath: xPath, contents: npyHeader(shape: [rows, width])),
      FileManager.default.createFile(atPath: yPath, contents: nil), let xFile = FileHandle(forWritingAtPath: xPath)
    else { throw ValidationError("cannot write \(xPath)") }
    xFile.seekToEndOfFile()
    var ys: [Float] = []
    let chunk = 4096
    for start in stride(from: 0, to: rows, by: chunk) {
      let count = Swift.min(chunk, rows - start)
      var values = [Float](repeating: 0, count: count * width)
      for r in 0..<count {
        var dot: Float = 0
        for c in 0..<width {
          let v = generator.nextNormal()
          values[r * width + c] = v
          dot += v * w[c]
        }
        ys.append(dot + 0.1 * generator.nextNormal())
      }
      values.withUnsafeBytes { xFile.write(Data($0)) }
    }
    try xFile.close()
    try NPY.write(try Tensor(shape: [rows, 1], scalars: ys), to: yPath)
  }

  /// A version-1.0 `<f4` header for `shape`, padded as `np.save` pads it.
  private static func npyHeader(shape: [Int]) -> Data {
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", "))), }"
    header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
    let length = header.utf8.count
    return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Array(header.utf8))
  }

  private static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}
