/// A callback made of closures (`keras.callbacks.LambdaCallback`).
///
/// ```swift
/// LambdaCallback(onEpochEnd: { epoch, logs in print(epoch, logs["loss"]!) })
/// ```
public final class LambdaCallback: Callback {
  private let trainBegin: ((Logs) -> Void)?
  private let trainEnd: ((Logs) -> Void)?
  private let epochBegin: ((Int, Logs) -> Void)?
  private let epochEnd: ((Int, Logs) -> Void)?
  private let batchBegin: ((Int, Logs) -> Void)?
  private let batchEnd: ((Int, Logs) -> Void)?

  /// A callback running the given closures at Keras' hooks.
  public init(
    onEpochBegin: ((Int, Logs) -> Void)? = nil, onEpochEnd: ((Int, Logs) -> Void)? = nil,
    onBatchBegin: ((Int, Logs) -> Void)? = nil, onBatchEnd: ((Int, Logs) -> Void)? = nil,
    onTrainBegin: ((Logs) -> Void)? = nil, onTrainEnd: ((Logs) -> Void)? = nil
  ) {
    epochBegin = onEpochBegin
    epochEnd = onEpochEnd
    batchBegin = onBatchBegin
    batchEnd = onBatchEnd
    trainBegin = onTrainBegin
    trainEnd = onTrainEnd
  }

  public func onTrainBegin(_ logs: Logs) { trainBegin?(logs) }
  public func onTrainEnd(_ logs: Logs) { trainEnd?(logs) }
  public func onEpochBegin(_ epoch: Int, _ logs: Logs) { epochBegin?(epoch, logs) }
  public func onEpochEnd(_ epoch: Int, _ logs: Logs) { epochEnd?(epoch, logs) }
  public func onTrainBatchBegin(_ batch: Int, _ logs: Logs) { batchBegin?(batch, logs) }
  public func onTrainBatchEnd(_ batch: Int, _ logs: Logs) { batchEnd?(batch, logs) }
}
