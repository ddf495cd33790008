import Foundation
import Keras

/// The figures of one workload run by one framework, with the JSON keys of the Python references.
///
/// A reference that does not report a figure leaves it `nil`.
struct Measurement: Codable, Sendable {
  /// The workload's name (`classify`, ...).
  var workload: String
  /// The framework and its version, as the run reported it.
  var framework: String
  /// Training samples per second in the median epoch after the first.
  var trainSamplesPerSecond: Double?
  /// The first epoch's wall time in seconds (warm-up included).
  var firstEpochSeconds: Double?
  /// Samples per second of `evaluate` over the training data.
  var evaluateSamplesPerSecond: Double?
  /// Samples per second of `predict` over the training data.
  var predictSamplesPerSecond: Double?
  /// The mean training loss of the last epoch (Keras' `history["loss"][-1]`).
  var finalLoss: Double?
  /// The process's peak resident set size in MB (`getrusage` `ru_maxrss`).
  var peakRSSMB: Double?
  /// The epochs trained.
  var epochs: Int?
  /// Each epoch's wall time in seconds (Swift runs only).
  var epochSeconds: [Double]?
  /// Each epoch's mean training loss (Keras' `history["loss"]`), for comparing trajectories.
  var epochLosses: [Double]?
  /// The model's weight count (Keras' `count_params()`): the same in every framework.
  var parameters: Int?
  /// CPU seconds other processes used while this run's process lived (machine-wide busy time
  /// minus the child's own): above zero, a neighbour shared the cores and the figures are low.
  var othersCPUSeconds: Double?

  enum CodingKeys: String, CodingKey {
    case workload, framework, epochs
    case epochSeconds = "epoch_s"
    case epochLosses = "epoch_losses"
    case parameters = "params"
    case othersCPUSeconds = "others_cpu_s"
    case trainSamplesPerSecond = "train_samples_per_s"
    case firstEpochSeconds = "first_epoch_s"
    case evaluateSamplesPerSecond = "evaluate_samples_per_s"
    case predictSamplesPerSecond = "predict_samples_per_s"
    case finalLoss = "final_loss"
    case peakRSSMB = "peak_rss_mb"
  }

  /// This measurement as one line of JSON.
  func jsonLine() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  /// The measurement in the JSON lines a run printed; a later line's fields add to earlier ones
  /// (the reference wrappers print the peak RSS on a line of its own). Non-JSON lines are skipped.
  ///
  /// - Throws: ``BenchmarkError/noResult(_:output:)`` when no line names a workload.
  static func parse(output: String, source: String) throws -> Measurement {
    var fields: [String: Any] = [:]
    for line in output.split(separator: "\n") where line.hasPrefix("{") {
      guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
      fields.merge(object) { _, new in new }
    }
    guard fields["workload"] != nil else { throw BenchmarkError.noResult(source, output: output) }
    let known = Set(
      [
        CodingKeys.workload, .framework, .epochs, .trainSamplesPerSecond, .firstEpochSeconds, .evaluateSamplesPerSecond,
        .predictSamplesPerSecond, .finalLoss, .peakRSSMB, .epochSeconds, .othersCPUSeconds, .epochLosses, .parameters,
      ].map(\.rawValue))
    let data = try JSONSerialization.data(withJSONObject: fields.filter { known.contains($0.key) })
    return try JSONDecoder().decode(Measurement.self, from: data)
  }
}

extension Measurement {
  /// The per-figure median of several runs of one workload and framework (`runs` not empty);
  /// a figure missing from every run stays nil, per-epoch times are the first run's.
  static func median(of runs: [Measurement]) -> Measurement {
    func median(_ figure: (Measurement) -> Double?) -> Double? {
      let values = runs.compactMap(figure).sorted()
      return values.isEmpty ? nil : values[values.count / 2]
    }
    var result = runs[0]
    result.trainSamplesPerSecond = median(\.trainSamplesPerSecond)
    result.firstEpochSeconds = median(\.firstEpochSeconds)
    result.evaluateSamplesPerSecond = median(\.evaluateSamplesPerSecond)
    result.predictSamplesPerSecond = median(\.predictSamplesPerSecond)
    result.finalLoss = median(\.finalLoss)
    result.peakRSSMB = median(\.peakRSSMB)
    result.othersCPUSeconds = median(\.othersCPUSeconds)
    return result
  }
}

/// The seconds on the monotonic clock.
func monotonicSeconds() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_MONOTONIC, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// This process's peak resident set size in MB (`ru_maxrss`, process-wide and never falling).
func peakResidentMegabytes() -> Double {
  var usage = rusage()
  getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
  return Double(usage.ru_maxrss) / 1024
}

extension Workload {
  /// Trains, evaluates and predicts this workload in this process, as the reference does, on the
  /// data in `dataDirectory` (`x.npy`, `y.npy`) when given, else on ``makeData()``'s, with the
  /// weights and shuffling drawn from `seed`.
  ///
  /// Train throughput is the median epoch after the first (the first with one epoch); evaluate
  /// and predict run over the training data with the training batch size. Run it in a fresh
  /// process: the peak RSS is the whole process's.
  func measure(epochs: Int, dataDirectory: String? = nil, seed: UInt64 = 0) throws -> Measurement {
    let (x, y) = try dataDirectory.map { (try NPY.read($0 + "/x.npy"), try NPY.read($0 + "/y.npy")) } ?? makeData()
    let model = try makeModel(seed: seed)
    let count = Double(x.shape[0])
    var epochStart = 0.0
    var epochSeconds: [Double] = []
    let timer = LambdaCallback(
      onEpochBegin: { _, _ in epochStart = monotonicSeconds() },
      onEpochEnd: { _, _ in epochSeconds.append(monotonicSeconds() - epochStart) })
    // Both references train on one shuffle order replayed every epoch: Keras 3 on TensorFlow
    // does after keras.utils.set_random_seed (its tf.data shuffle is re-created each epoch with
    // the same seed), and torch_workloads.py mirrors it. So SwiftKeras does the same here,
    // rows permuted once with `seed` and `fit` without reshuffling, for final losses that
    // compare (large: ~0.70 reshuffled against Keras' ~0.63). This leaves out fit's per-epoch
    // gather of the rows, under 1.5% of an epoch on every workload.
    var generator = RandomGenerator(seed: seed)
    let order = IntTensor(generator.permutation(x.shape[0]))
    let (shuffledX, shuffledY) = (try x.gathering(order), try y.gathering(order))
    let history = try model.fit(
      shuffledX, shuffledY, batchSize: batchSize, epochs: epochs, verbose: 0, callbacks: [timer], shuffle: false)

    var start = monotonicSeconds()
    try model.evaluate(x, y, batchSize: batchSize, verbose: 0)
    let evaluateSeconds = monotonicSeconds() - start
    start = monotonicSeconds()
    _ = try model.predict(x, batchSize: batchSize, verbose: 0)
    let predictSeconds = monotonicSeconds() - start

    let steady = epochSeconds.count > 1 ? Array(epochSeconds.dropFirst()) : epochSeconds
    let median = steady.sorted()[steady.count / 2]
    return Measurement(
      workload: rawValue, framework: "SwiftKeras", trainSamplesPerSecond: count / median,
      firstEpochSeconds: epochSeconds.first, evaluateSamplesPerSecond: count / evaluateSeconds,
      predictSamplesPerSecond: count / predictSeconds, finalLoss: history.history["loss"]?.last.map(Double.init),
      peakRSSMB: peakResidentMegabytes(), epochs: epochs, epochSeconds: epochSeconds,
      epochLosses: history.history["loss"]?.map(Double.init), parameters: model.countParams())
  }
}
