import TensorCore

/// The training side of a model (Keras' `Trainer`): what `compile` configured and what a `fit`
/// run tracks between its steps and its callbacks.
///
/// A model holds no training state of its own: it has a trainer once it is compiled (by
/// `compile`, or by loading a file saved compiled), and inference (`predict`, calling the
/// model, serving) never reads or writes it, so a loaded model predicts from many threads at
/// once. Training computes gradients with the model's layers and applies them through the
/// trainer's optimizer, the two halves distributed training puts an allreduce between.
public final class Trainer: @unchecked Sendable {
  /// The loss, optimizer and metrics set by `compile` (metrics resolved by the first `fit`).
  var compiled: CompiledModel

  /// Set by a callback to end `fit` after the current batch (Keras' `model.stop_training`).
  public var stopTraining = false
  /// An error a callback hit (e.g. a failed checkpoint save); `fit` stops and throws it.
  var callbackError: (any Error)?
  /// Where the next `fit` continues, set by ``BackupAndRestore`` when it restores a backup.
  var resumePosition: TrainingPosition?
  /// The row slices of the sparse gradients the last `computeGradients` returned, by the
  /// identity of the gradient's storage, for `applyGradients` (TensorFlow's `IndexedSlices`).
  var sparseGradients: [(storage: ObjectIdentifier, slices: [SparseRows])] = []

  init(_ compiled: CompiledModel) {
    self.compiled = compiled
  }

  /// The compiled optimizer.
  public var optimizer: Optimizer { compiled.optimizer }

  /// Clears what one `fit` run tracked, before the next one starts.
  func beginRun() {
    stopTraining = false
    callbackError = nil
    resumePosition = nil
  }

  /// Stops `fit` after the current batch; `fit` then throws `error` (the first one wins).
  func fail(with error: any Error) {
    if callbackError == nil { callbackError = error }
    stopTraining = true
  }
}

extension Model {
  /// The loss, optimizer and metrics set by `compile`, held by the model's ``trainer``.
  var compiled: CompiledModel? {
    get { trainer?.compiled }
    set {
      if let newValue {
        if let trainer { trainer.compiled = newValue } else { trainer = Trainer(newValue) }
      } else {
        trainer = nil
      }
    }
  }

  /// Set by a callback to end `fit` after the current batch (Keras' `model.stop_training`);
  /// `false` and without effect for a model that is not compiled.
  public var stopTraining: Bool {
    get { trainer?.stopTraining ?? false }
    set { trainer?.stopTraining = newValue }
  }

  /// Stops `fit` after the current batch; `fit` then throws `error` (for callbacks whose work failed).
  public func failTraining(with error: any Error) {
    trainer?.fail(with: error)
  }
}
