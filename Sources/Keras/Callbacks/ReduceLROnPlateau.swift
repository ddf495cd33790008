/// Multiplies the learning rate by `factor` when a monitored value stops improving
/// (`keras.callbacks.ReduceLROnPlateau`). Works on a constant learning rate.
public final class ReduceLROnPlateau: Callback {
  /// The logged value watched.
  public let monitor: String
  /// The factor applied to the rate (below 1).
  public let factor: Float
  /// Epochs without improvement before reducing.
  public let patience: Int
  /// Print a line when reducing.
  public let verbose: Int
  /// Epochs to wait after a reduction before counting again.
  public let cooldown: Int
  /// The rate is never reduced below this (Keras' `min_lr`, default 0).
  public let minLR: Float
  private let rule: Monitor
  private weak var model: Model?
  private var best: Float?
  private var wait = 0
  private var cooldownCounter = 0

  /// Keras' defaults: `val_loss`, factor 0.1, patience 10, min delta 1e-4.
  public init(
    monitor: String = "val_loss", factor: Float = 0.1, patience: Int = 10, verbose: Int = 0, mode: MonitorMode = .auto,
    minDelta: Float = 1e-4, cooldown: Int = 0, minLR: Float = 0
  ) {
    precondition(factor < 1, "ReduceLROnPlateau does not support a factor >= 1.0. Received factor=\(factor)")
    self.monitor = monitor
    self.factor = factor
    self.patience = patience
    self.verbose = verbose
    self.cooldown = cooldown
    self.minLR = minLR
    self.rule = Monitor(monitor, mode: mode, minDelta: minDelta)
  }

  public func setModel(_ model: Model) { self.model = model }

  public func onTrainBegin(_ logs: Logs) {
    best = nil
    cooldownCounter = 0
    wait = 0
  }

  /// Adds `learning_rate` (the rate the epoch ran with) to the logs, as Keras does, then
  /// reduces the rate when the monitored value has not improved for `patience` epochs.
  public func onEpochEnd(_ epoch: Int, updating logs: inout Logs) {
    guard let optimizer = model?.optimizer else { return }
    logs["learning_rate"] = optimizer.currentLearningRate
    guard let current = rule.value(in: logs, callback: "Learning rate reduction") else { return }
    if cooldownCounter > 0 {
      cooldownCounter -= 1
      wait = 0
    }
    if rule.isImprovement(current, over: best) {
      best = current
      wait = 0
    } else if cooldownCounter <= 0 {
      wait += 1
      if wait >= patience, case .constant(let old) = optimizer.learningRate, old > minLR {
        let new = Swift.max(old * factor, minLR)
        optimizer.learningRate = .constant(new)
        if verbose > 0 { FileHandleOutput.standardOutput("\nEpoch \(epoch + 1): ReduceLROnPlateau reducing learning rate to \(new).\n") }
        cooldownCounter = cooldown
        wait = 0
      }
    }
  }
}
