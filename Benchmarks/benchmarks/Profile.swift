import ArgumentParser
import Foundation
import Keras

/// What `--profile` runs: a fixed number of steps of one phase, after a warm-up, so that a
/// profiler (`valgrind --tool=callgrind --toggle-collect='*profiledSteps*'`) sees only the
/// steady state and instruction counts per step are repeatable whatever else the machine runs.
enum ProfilePhase: String, CaseIterable, Codable, Sendable {
  case train, evaluate, predict
}

extension ProfilePhase: ExpressibleByArgument {}

extension Workload {
  /// Warms up with `steps` training steps, then runs `steps` steps of `phase` inside
  /// ``profiledSteps(_:)``; prints the wall time per step.
  func profile(_ phase: ProfilePhase, steps: Int) throws {
    let (x, y) = try makeData()
    let model = try makeModel()
    let count = Swift.min(x.shape[0], steps * batchSize)
    let (xs, ys) = (try x.slice(axis: 0, 0..<count), try y.slice(axis: 0, 0..<count))
    try model.fit(xs, ys, batchSize: batchSize, epochs: 1, verbose: 0)
    _ = try model.predict(xs, batchSize: batchSize, verbose: 0)
    let start = monotonicSeconds()
    try profiledSteps {
      switch phase {
      case .train: try model.fit(xs, ys, batchSize: batchSize, epochs: 1, verbose: 0)
      case .evaluate: try model.evaluate(xs, ys, batchSize: batchSize, verbose: 0)
      case .predict: for _ in 0..<profileRepeats { _ = try model.predict(xs, batchSize: batchSize, verbose: 0) }
      }
    }
    let seconds = monotonicSeconds() - start
    let batches = (count + batchSize - 1) / batchSize * (phase == .predict ? profileRepeats : 1)
    print("\(rawValue) \(phase.rawValue): \(batches) steps, \(seconds / Double(batches) * 1e6) µs/step")
  }
}

/// The region a profiler collects (named so that `--toggle-collect` can find it).
@inline(never)
func profiledSteps(_ body: () throws -> Void) rethrows { try body() }

/// Predict passes in a profile run (`SWIFTKERAS_PROFILE_REPEATS`, default 1).
let profileRepeats = Int(ProcessInfo.processInfo.environment["SWIFTKERAS_PROFILE_REPEATS"] ?? "") ?? 1
