/// Whether a monitored value should go down or up.
public enum MonitorMode: String, Sendable {
  /// Infer from the name: `loss` and error metrics go down; accuracy, AUC, precision, recall go up.
  case auto
  /// Lower is better.
  case min
  /// Higher is better.
  case max
}

/// The "is this an improvement" rule Keras' `MonitorCallback` shares between EarlyStopping,
/// ReduceLROnPlateau and ModelCheckpoint.
struct Monitor: Sendable {
  let name: String
  let higherIsBetter: Bool
  /// Signed as Keras: negative when lower is better.
  let minDelta: Float

  init(_ name: String, mode: MonitorMode, minDelta: Float) {
    self.name = name
    switch mode {
    case .min: higherIsBetter = false
    case .max: higherIsBetter = true
    case .auto:
      let metric = name.hasPrefix("val_") ? String(name.dropFirst(4)) : name
      higherIsBetter = ["acc", "accuracy", "auc", "precision", "recall"].contains { metric.contains($0) }
        && !metric.contains("loss")
    }
    self.minDelta = higherIsBetter ? Swift.abs(minDelta) : -Swift.abs(minDelta)
  }

  /// Keras' `_is_improvement`: `value - minDelta` beats the reference (anything beats none).
  func isImprovement(_ value: Float, over reference: Float?) -> Bool {
    guard let reference else { return true }
    return higherIsBetter ? value - minDelta > reference : value - minDelta < reference
  }

  /// The monitored value, or a warning on standard error naming what is available.
  func value(in logs: Logs, callback: String) -> Float? {
    if let v = logs[name] { return v }
    FileHandleOutput.standardError(
      "\(callback) conditioned on metric `\(name)` which is not available. Available metrics are: \(logs.names.joined(separator: ","))\n")
    return nil
  }
}
