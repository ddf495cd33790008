/// The per-epoch record of a `fit` run (`keras.callbacks.History`), returned by ``Model/fit(_:_:batchSize:epochs:verbose:callbacks:validationSplit:validationData:shuffle:classWeight:sampleWeight:initialEpoch:)-(Tensor,Tensor,_,_,_,_,_,_,_,_,_,_)``.
///
/// ```swift
/// let history = try model.fit(x, y, epochs: 10)
/// print(history.history["loss"]!)   // one value per epoch
/// ```
public final class History: Callback {
  /// The epochs run, 0-based.
  public private(set) var epochs: [Int] = []
  /// Each logged name's values, one per epoch.
  public private(set) var history: [String: [Float]] = [:]
  /// The logged names in Keras' order.
  public private(set) var names: [String] = []
  /// The epoch and batch (both 0-based) of the first training batch whose loss was NaN or
  /// infinite, nil when every loss was finite. Keras keeps training through such a loss;
  /// `fit` warns once and records it here.
  public internal(set) var nonFiniteLoss: (epoch: Int, batch: Int)?

  /// An empty history.
  public init() {}

  public func onTrainBegin(_ logs: Logs) {}

  public func onEpochEnd(_ epoch: Int, _ logs: Logs) {
    epochs.append(epoch)
    for (name, value) in logs.entries {
      if history[name] == nil { names.append(name) }
      history[name, default: []].append(value)
    }
  }
}
