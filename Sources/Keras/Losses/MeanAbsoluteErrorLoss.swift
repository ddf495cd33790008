extension Losses {
  /// The mean of absolute errors over the last axis: `mean(|yTrue - yPred|, axis: -1)`
  /// (`keras.losses.MeanAbsoluteError`).
  ///
  /// Labels and predictions `[N, D]` give per-sample losses `[N]`, `[N, T, D]` give `[N, T]`;
  /// labels `[N]` go with predictions `[N, 1]`.
  public struct MeanAbsoluteError: Loss {
    /// The name in logs and configs.
    public let name: String

    /// Mean absolute error, named as Keras names it.
    public init(name: String = "mean_absolute_error") {
      self.name = name
    }

    /// The per-sample losses `[N]` (or `[N, T]`).
    ///
    /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes differ, naming both.
    public func call(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
      try meanOverLastAxis(yTrue, yPred) { labels, predictions in try (labels - predictions).abs() }
    }

    /// Keras' serialized `MeanAbsoluteError`.
    public var config: ConfigValue { kerasConfig(className: "MeanAbsoluteError") }
  }
}

extension Loss where Self == Losses.MeanAbsoluteError {
  /// Mean absolute error (`"mae"`).
  public static var meanAbsoluteError: Losses.MeanAbsoluteError { Losses.MeanAbsoluteError() }
}

extension LossClass {
  /// ``Losses/MeanAbsoluteError`` in the registry of losses.
  static let meanAbsoluteError = LossClass(
    "MeanAbsoluteError", aliases: ["mean_absolute_error", "mae", "MAE"], makeDefault: { Losses.MeanAbsoluteError() })
}
