/// What a training run tells its callbacks up front (`callback.params` in Keras).
public struct TrainingParams: Sendable, Equatable {
  /// The number of epochs `fit` will run (or 1 for evaluate/predict).
  public var epochs: Int
  /// Batches per epoch.
  public var steps: Int
  /// The verbosity: 0 silent, 1 progress bar, 2 one line per epoch.
  public var verbose: Int
}

/// A hook into training, evaluation and prediction, with Keras' callback methods.
///
/// Every method has an empty default, so a callback implements only what it needs. Hooks
/// run in this order: train begin; for each epoch: epoch begin, (batch begin, batch end)…,
/// then validation (test begin/end), epoch end; train end. Set ``Sequential/stopTraining``
/// from a hook to end `fit` after the current epoch.
public protocol Callback: AnyObject {
  /// Called once before the hooks with the model being trained.
  func setModel(_ model: Sequential)
  /// Called once before the hooks with the run's parameters.
  func setParams(_ params: TrainingParams)
  func onTrainBegin(_ logs: Logs)
  func onTrainEnd(_ logs: Logs)
  /// `epoch` is 0-based, as in Keras.
  func onEpochBegin(_ epoch: Int, _ logs: Logs)
  /// `logs` holds the epoch's metrics and loss, and `val_` ones when validating.
  func onEpochEnd(_ epoch: Int, _ logs: Logs)
  func onTrainBatchBegin(_ batch: Int, _ logs: Logs)
  /// `logs` holds the running metrics and loss of the epoch so far.
  func onTrainBatchEnd(_ batch: Int, _ logs: Logs)
  func onTestBegin(_ logs: Logs)
  func onTestEnd(_ logs: Logs)
  func onTestBatchBegin(_ batch: Int, _ logs: Logs)
  func onTestBatchEnd(_ batch: Int, _ logs: Logs)
  func onPredictBegin(_ logs: Logs)
  func onPredictEnd(_ logs: Logs)
  func onPredictBatchBegin(_ batch: Int, _ logs: Logs)
  func onPredictBatchEnd(_ batch: Int, _ logs: Logs)
}

extension Callback {
  public func setModel(_ model: Sequential) {}
  public func setParams(_ params: TrainingParams) {}
  public func onTrainBegin(_ logs: Logs) {}
  public func onTrainEnd(_ logs: Logs) {}
  public func onEpochBegin(_ epoch: Int, _ logs: Logs) {}
  public func onEpochEnd(_ epoch: Int, _ logs: Logs) {}
  public func onTrainBatchBegin(_ batch: Int, _ logs: Logs) {}
  public func onTrainBatchEnd(_ batch: Int, _ logs: Logs) {}
  public func onTestBegin(_ logs: Logs) {}
  public func onTestEnd(_ logs: Logs) {}
  public func onTestBatchBegin(_ batch: Int, _ logs: Logs) {}
  public func onTestBatchEnd(_ batch: Int, _ logs: Logs) {}
  public func onPredictBegin(_ logs: Logs) {}
  public func onPredictEnd(_ logs: Logs) {}
  public func onPredictBatchBegin(_ batch: Int, _ logs: Logs) {}
  public func onPredictBatchEnd(_ batch: Int, _ logs: Logs) {}
}

/// Dispatches each hook to a list of callbacks in order.
final class CallbackList {
  let callbacks: [any Callback]

  init(_ callbacks: [any Callback], model: Sequential, params: TrainingParams) {
    self.callbacks = callbacks
    for c in callbacks {
      c.setModel(model)
      c.setParams(params)
    }
  }

  func each(_ body: (any Callback) -> Void) { callbacks.forEach(body) }
}
