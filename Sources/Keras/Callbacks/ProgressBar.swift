#if canImport(Glibc)
  import Glibc
#endif
import Foundation

/// Keras 3's progress bar (`ProgbarLogger` over `Progbar`): `Epoch 3/10`, then
/// `125/125 ━━━━━━━━━━━━━━━━━━━━ 2s 14ms/step - accuracy: 0.8123 - loss: 0.4112`.
///
/// With `verbose` 1 on a terminal the line is redrawn in place, at most every 50 ms; when
/// output is not a terminal only the finished line of each epoch is printed. With `verbose` 2
/// one summary line per epoch (`125/125 - 2s - 14ms/step - ...`); with 0 nothing.
public final class ProgressBar: Callback {
  private let isTerminal: Bool
  private let write: (String) -> Void
  private var params = TrainingParams(epochs: 1, steps: 0, verbose: 1)
  private var start = 0.0
  private var firstStepEnd: Double?
  private var lastDraw = 0.0
  private var previousWidth = 0
  private var calledInFit = false

  /// A progress bar writing to standard output (whether it is a terminal is detected).
  public convenience init() {
    self.init(isTerminal: isatty(STDOUT_FILENO) != 0) { FileHandleOutput.standardOutput($0) }
  }

  /// A progress bar writing through `write`, drawn as on a terminal or not.
  public init(isTerminal: Bool, write: @escaping (String) -> Void) {
    self.isTerminal = isTerminal
    self.write = write
  }

  public func setParams(_ params: TrainingParams) { self.params = params }

  public func onTrainBegin(_ logs: Logs) { calledInFit = true }

  public func onEpochBegin(_ epoch: Int, _ logs: Logs) {
    reset()
    if params.verbose > 0 && params.epochs > 1 { write("Epoch \(epoch + 1)/\(params.epochs)\n") }
  }

  public func onTrainBatchEnd(_ batch: Int, _ logs: Logs) { update(batch + 1, logs, finalize: false) }
  public func onEpochEnd(_ epoch: Int, _ logs: Logs) { update(params.steps, logs, finalize: true) }

  public func onTestBegin(_ logs: Logs) { if !calledInFit { reset() } }
  public func onTestBatchEnd(_ batch: Int, _ logs: Logs) { if !calledInFit { update(batch + 1, logs, finalize: false) } }
  public func onTestEnd(_ logs: Logs) { if !calledInFit { update(params.steps, logs, finalize: true) } }

  public func onPredictBegin(_ logs: Logs) { reset() }
  public func onPredictBatchEnd(_ batch: Int, _ logs: Logs) { update(batch + 1, Logs(), finalize: false) }
  public func onPredictEnd(_ logs: Logs) { update(params.steps, Logs(), finalize: true) }

  private func reset() {
    start = ProgressBar.now()
    firstStepEnd = nil
    lastDraw = 0
    previousWidth = 0
  }

  static func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
  }

  /// Keras' estimate: the time per step after the first one.
  private func timePerStep(_ current: Int, _ now: Double) -> Double {
    guard current > 0 else { return 0 }
    let estimate: Double
    if let firstStepEnd, current > 1 {
      estimate = (now - firstStepEnd) / Double(current - 1)
    } else {
      estimate = (now - start) / Double(current)
    }
    if current == 1 { firstStepEnd = now }
    return estimate
  }

  private func update(_ current: Int, _ logs: Logs, finalize: Bool) {
    let now = ProgressBar.now()
    let perStep = timePerStep(current, now)
    switch params.verbose {
    case 1:
      if !finalize && (!isTerminal || now - lastDraw < 0.05) { return }
      lastDraw = now
      let line = ProgressBar.barLine(
        current: current, target: params.steps, elapsed: now - start, perStep: perStep, logs: logs, finalize: finalize,
        styled: isTerminal)
      if isTerminal {
        let padding = String(repeating: " ", count: Swift.max(0, previousWidth - line.visibleWidth))
        write("\r" + line.text + padding + (finalize ? "\n" : ""))
        previousWidth = line.visibleWidth
      } else {
        write(line.text + "\n")
      }
    case 2:
      guard finalize else { return }
      write(ProgressBar.summaryLine(current: current, target: params.steps, elapsed: now - start, perStep: perStep, logs: logs) + "\n")
    default:
      return
    }
  }

  /// Keras' value format: 4 decimals, or scientific below 1e-3.
  static func format(_ value: Float, absolute: Bool = true) -> String {
    let magnitude = absolute ? abs(value) : value
    if magnitude > 1e-3 { return String(format: "%.4f", value) }
    // Python's "%.4e" writes at least two exponent digits, as C does.
    return String(format: "%.4e", value)
  }

  /// Keras' time per step: `3ms/step`, `2s/step`, `850us/step`.
  static func formatStepTime(_ seconds: Double) -> String {
    if seconds >= 1 || seconds == 0 { return String(format: "%.0fs/step", seconds) }
    if seconds >= 1e-3 { return String(format: "%.0fms/step", seconds * 1000) }
    return String(format: "%.0fus/step", seconds * 1_000_000)
  }

  /// Keras' ETA: `1:02:03`, `2:05` or `45s`.
  static func formatETA(_ seconds: Double) -> String {
    if seconds > 3600 {
      return String(format: "%d:%02d:%02d", Int(seconds) / 3600, (Int(seconds) % 3600) / 60, Int(seconds) % 60)
    }
    if seconds > 60 { return String(format: "%d:%02d", Int(seconds) / 60, Int(seconds) % 60) }
    return "\(Int(seconds))s"
  }

  /// The verbose-1 line; `styled` adds Keras' bold/green/grey terminal colours.
  static func barLine(
    current: Int, target: Int, elapsed: Double, perStep: Double, logs: Logs, finalize: Bool, styled: Bool
  ) -> (text: String, visibleWidth: Int) {
    let digits = String(Swift.max(target, 1)).count
    let count = String(repeating: " ", count: Swift.max(0, digits - String(current).count)) + "\(current)/\(target)"
    let filled = target > 0 ? Int(20 * Double(current) / Double(target)) : 0
    let done = String(repeating: "━", count: filled)
    let rest = String(repeating: "━", count: 20 - filled)
    let time = finalize || target <= 0 ? String(format: "%.0fs", elapsed) : formatETA(perStep * Double(target - current))
    var info = " " + (styled ? "\u{1B}[1m\(time)\u{1B}[0m" : time) + " " + formatStepTime(perStep)
    var plainInfo = " " + time + " " + formatStepTime(perStep)
    for (name, value) in logs.entries {
      info += " - \(name): \(format(value))"
      plainInfo += " - \(name): \(format(value))"
    }
    let bar: String
    if styled {
      bar = "\u{1B}[1m\(count)\u{1B}[0m " + (filled > 0 ? "\u{1B}[32m\(done)\u{1B}[0m" : "") + "\u{1B}[37m\(rest)\u{1B}[0m"
    } else {
      bar = count + " " + done + rest
    }
    let visible = count.count + 1 + 20 + plainInfo.count
    return (bar + info, visible)
  }

  /// The verbose-2 line: `125/125 - 2s - 14ms/step - accuracy: 0.8123 - loss: 0.4112`.
  static func summaryLine(current: Int, target: Int, elapsed: Double, perStep: Double, logs: Logs) -> String {
    let digits = String(Swift.max(target, 1)).count
    let count = String(repeating: " ", count: Swift.max(0, digits - String(current).count)) + "\(current)/\(target)"
    var line = count + String(format: " - %.0fs", elapsed) + " - " + formatStepTime(perStep)
    for (name, value) in logs.entries { line += " - \(name): \(format(value, absolute: false))" }
    return line
  }
}
