/// Stops training as soon as a batch's loss is NaN or infinite (`keras.callbacks.TerminateOnNaN`).
public final class TerminateOnNaN: Callback {
  private weak var model: Model?
  /// The batch (0-based, within its epoch) whose loss was not finite, if any.
  public private(set) var invalidBatch: Int?

  /// A callback stopping on a non-finite loss.
  public init() {}

  public func setModel(_ model: Model) { self.model = model }

  public func onTrainBatchEnd(_ batch: Int, _ logs: Logs) {
    if let loss = logs["loss"], !loss.isFinite {
      FileHandleOutput.standardOutput("Batch \(batch): Invalid loss, terminating training\n")
      invalidBatch = batch
      model?.stopTraining = true
    }
  }
}
