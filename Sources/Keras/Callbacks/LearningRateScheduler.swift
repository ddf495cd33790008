/// Sets the learning rate at the start of each epoch from `schedule(epoch, currentRate)`
/// (`keras.callbacks.LearningRateScheduler`).
public final class LearningRateScheduler: Callback {
  private let schedule: (Int, Float) -> Float
  /// Print the new rate each epoch.
  public let verbose: Int
  private weak var model: Model?

  /// A scheduler calling `schedule(epoch, rate)` (epoch 0-based) before each epoch.
  public init(verbose: Int = 0, _ schedule: @escaping (_ epoch: Int, _ learningRate: Float) -> Float) {
    self.schedule = schedule
    self.verbose = verbose
  }

  public func setModel(_ model: Model) { self.model = model }

  public func onEpochBegin(_ epoch: Int, _ logs: Logs) {
    guard let optimizer = model?.optimizer else { return }
    let current = optimizer.learningRate.value(at: optimizer.iterations)
    let rate = schedule(epoch, current)
    optimizer.learningRate = .constant(rate)
    if verbose > 0 {
      FileHandleOutput.standardOutput("\nEpoch \(epoch + 1): LearningRateScheduler setting learning rate to \(rate).\n")
    }
  }

  /// Adds `learning_rate` (the rate the epoch ran with) to the logs, as Keras does.
  public func onEpochEnd(_ epoch: Int, updating logs: inout Logs) {
    guard let optimizer = model?.optimizer else { return }
    logs["learning_rate"] = optimizer.currentLearningRate
  }
}
