extension Losses {
  /// The mean absolute percentage error over the last axis:
  /// `100 · mean(|(yTrue - yPred) / max(|yTrue|, ε)|, axis: -1)` with ε = 1e-7
  /// (`keras.losses.MeanAbsolutePercentageError`).
  ///
  /// Labels and predictions `[N, D]` give per-sample losses `[N]`, `[N, T, D]` give `[N, T]`;
  /// labels `[N]` go with predictions `[N, 1]`.
  public struct MeanAbsolutePercentageError: Loss {
    /// The name in logs and configs.
    public let name: String

    /// Mean absolute percentage error, named as Keras names it.
    public init(name: String = "mean_absolute_percentage_error") {
      self.name = name
    }

    /// The per-sample losses `[N]` (or `[N, T]`), in percent.
    ///
    /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes differ, naming both.
    public func call(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
      try 100
        * meanOverLastAxis(yTrue, yPred) { labels, predictions in
          try ((labels - predictions) / labels.abs().maximum(Losses.epsilon)).abs()
        }
    }

    /// Keras' serialized `MeanAbsolutePercentageError`.
    public var config: ConfigValue { kerasConfig(className: "MeanAbsolutePercentageError") }
  }
}

extension Loss where Self == Losses.MeanAbsolutePercentageError {
  /// Mean absolute percentage error (`"mape"`).
  public static var meanAbsolutePercentageError: Losses.MeanAbsolutePercentageError {
    Losses.MeanAbsolutePercentageError()
  }
}

extension LossClass {
  /// ``Losses/MeanAbsolutePercentageError`` in the registry of losses.
  static let meanAbsolutePercentageError = LossClass(
    "MeanAbsolutePercentageError", aliases: ["mean_absolute_percentage_error", "mape", "MAPE"],
    makeDefault: { Losses.MeanAbsolutePercentageError() })
}
