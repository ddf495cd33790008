/// Stops training when a monitored value stops improving (`keras.callbacks.EarlyStopping`).
///
/// ```swift
/// try model.fit(x, y, epochs: 100, validationSplit: 0.1,
///               callbacks: [EarlyStopping(monitor: "val_loss", patience: 3, restoreBestWeights: true)])
/// ```
/// With `restoreBestWeights`, the weights of the best epoch are put back when training ends.
public final class EarlyStopping: Callback {
  /// The logged value watched (`"val_loss"` by default).
  public let monitor: String
  /// Epochs without improvement before stopping.
  public let patience: Int
  /// Print a line when stopping (1) or not (0).
  public let verbose: Int
  /// A value to beat before patience starts counting from an improvement.
  public let baseline: Float?
  /// Whether to restore the best epoch's weights at the end.
  public let restoreBestWeights: Bool
  /// Epochs to wait before watching.
  public let startFromEpoch: Int
  private let rule: Monitor
  private weak var model: Model?

  /// The epoch (0-based) training stopped at, or 0 if it ran to the end.
  public private(set) var stoppedEpoch = 0
  /// The best value seen.
  public private(set) var best: Float?
  /// The epoch (0-based) of the best value.
  public private(set) var bestEpoch = 0
  private var wait = 0
  private var bestWeights: [Tensor]?

  /// Keras' defaults: `val_loss`, no tolerance, stop at the first epoch without improvement.
  public init(
    monitor: String = "val_loss", minDelta: Float = 0, patience: Int = 0, verbose: Int = 0, mode: MonitorMode = .auto,
    baseline: Float? = nil, restoreBestWeights: Bool = false, startFromEpoch: Int = 0
  ) {
    self.monitor = monitor
    self.patience = patience
    self.verbose = verbose
    self.baseline = baseline
    self.restoreBestWeights = restoreBestWeights
    self.startFromEpoch = startFromEpoch
    self.rule = Monitor(monitor, mode: mode, minDelta: minDelta)
  }

  public func setModel(_ model: Model) { self.model = model }

  public func onTrainBegin(_ logs: Logs) {
    wait = 0
    stoppedEpoch = 0
    best = nil
    bestWeights = nil
    bestEpoch = 0
  }

  public func onEpochEnd(_ epoch: Int, _ logs: Logs) {
    guard let current = rule.value(in: logs, callback: "Early stopping"), epoch >= startFromEpoch, let model else { return }
    if restoreBestWeights && bestWeights == nil {
      bestWeights = model.getWeights()
      bestEpoch = epoch
    }
    wait += 1
    if rule.isImprovement(current, over: best) {
      best = current
      bestEpoch = epoch
      if restoreBestWeights { bestWeights = model.getWeights() }
      if baseline == nil || rule.isImprovement(current, over: baseline) { wait = 0 }
      return
    }
    if wait >= patience && epoch > 0 {
      stoppedEpoch = epoch
      model.stopTraining = true
    }
  }

  public func onTrainEnd(_ logs: Logs) {
    if stoppedEpoch > 0 && verbose > 0 { FileHandleOutput.standardOutput("Epoch \(stoppedEpoch + 1): early stopping\n") }
    if restoreBestWeights, let bestWeights, let model {
      if verbose > 0 {
        FileHandleOutput.standardOutput("Restoring model weights from the end of the best epoch: \(bestEpoch + 1).\n")
      }
      try? model.setWeights(bestWeights)
    }
  }
}
