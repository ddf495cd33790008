/// What a training run tells its callbacks up front (`callback.params` in Keras).
public struct TrainingParams: Sendable, Equatable {
  /// The number of epochs `fit` will run (or 1 for evaluate/predict).
  public var epochs: Int
  /// Batches per epoch.
  public var steps: Int
  /// The verbosity: 0 silent, 1 progress bar, 2 one line per epoch.
  public var verbose: Int

  /// Parameters for callbacks driven by a custom training loop (`callback.set_params` in Keras).
  public init(epochs: Int, steps: Int, verbose: Int) {
    self.epochs = epochs
    self.steps = steps
    self.verbose = verbose
  }
}

/// A hook into training, evaluation and prediction, with Keras' callback methods.
///
/// Every method has an empty default, so a callback implements only what it needs. Hooks
/// run in this order: train begin; for each epoch: epoch begin, (batch begin, batch end)…,
/// then validation (test begin/end), epoch end; train end. Set ``Model/stopTraining``
/// from a hook to end `fit` after the current epoch.
public protocol Callback: AnyObject {
  /// Called once before the hooks with the model being trained.
  func setModel(_ model: Model)
  /// Called once before the hooks with the run's parameters.
  func setParams(_ params: TrainingParams)
  /// Called when `fit` starts, before the first epoch (`on_train_begin`).
  func onTrainBegin(_ logs: Logs)
  /// Called when `fit` ends, after the last epoch or an early stop (`on_train_end`); `logs`
  /// holds the last epoch's values.
  func onTrainEnd(_ logs: Logs)
  /// `epoch` is 0-based, as in Keras.
  func onEpochBegin(_ epoch: Int, _ logs: Logs)
  /// `logs` holds the epoch's metrics and loss, and `val_` ones when validating.
  func onEpochEnd(_ epoch: Int, _ logs: Logs)
  /// The epoch-end hook for a callback that adds to the epoch's logs, as Keras callbacks do
  /// by writing into the `logs` dict: callbacks after it in the list, ``History`` and the
  /// progress bar see what it added (``ReduceLROnPlateau`` and ``LearningRateScheduler`` add
  /// `learning_rate`). The default calls ``onEpochEnd(_:_:)``; implement one of the two.
  func onEpochEnd(_ epoch: Int, updating logs: inout Logs)
  /// Called before each training batch; `batch` is 0-based within the epoch (`on_train_batch_begin`).
  func onTrainBatchBegin(_ batch: Int, _ logs: Logs)
  /// Called after each training batch (`on_train_batch_end`). `logs` holds the running metrics
  /// and loss of the epoch so far.
  func onTrainBatchEnd(_ batch: Int, _ logs: Logs)
  /// Called when `evaluate`, or the validation pass of a `fit` epoch, starts (`on_test_begin`).
  func onTestBegin(_ logs: Logs)
  /// Called when an evaluation ends; `logs` holds its loss and metrics (`on_test_end`).
  func onTestEnd(_ logs: Logs)
  /// Called before each evaluation batch, 0-based (`on_test_batch_begin`).
  func onTestBatchBegin(_ batch: Int, _ logs: Logs)
  /// Called after each evaluation batch with the running loss and metrics (`on_test_batch_end`).
  func onTestBatchEnd(_ batch: Int, _ logs: Logs)
  /// Called when `predict` starts (`on_predict_begin`).
  func onPredictBegin(_ logs: Logs)
  /// Called when `predict` ends (`on_predict_end`).
  func onPredictEnd(_ logs: Logs)
  /// Called before each prediction batch, 0-based (`on_predict_batch_begin`).
  func onPredictBatchBegin(_ batch: Int, _ logs: Logs)
  /// Called after each prediction batch (`on_predict_batch_end`).
  func onPredictBatchEnd(_ batch: Int, _ logs: Logs)
}

/// Empty defaults for every hook, so a callback implements only the hooks it needs.
extension Callback {
  public func setModel(_ model: Model) {}
  public func setParams(_ params: TrainingParams) {}
  public func onTrainBegin(_ logs: Logs) {}
  public func onTrainEnd(_ logs: Logs) {}
  public func onEpochBegin(_ epoch: Int, _ logs: Logs) {}
  public func onEpochEnd(_ epoch: Int, _ logs: Logs) {}
  public func onEpochEnd(_ epoch: Int, updating logs: inout Logs) { onEpochEnd(epoch, logs) }
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

  init(_ callbacks: [any Callback], model: Model, params: TrainingParams) {
    self.callbacks = callbacks
    for c in callbacks {
      c.setModel(model)
      c.setParams(params)
    }
  }

  func each(_ body: (any Callback) -> Void) { callbacks.forEach(body) }

  /// The epoch-end hook of each callback in order, each seeing what the ones before it added.
  func epochEnd(_ epoch: Int, _ logs: inout Logs) {
    for callback in callbacks { callback.onEpochEnd(epoch, updating: &logs) }
  }
}
