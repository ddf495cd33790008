extension Losses {
  /// The mean squared logarithmic error over the last axis:
  /// `mean((log(max(yPred, ε) + 1) - log(max(yTrue, ε) + 1))², axis: -1)` with ε = 1e-7
  /// (`keras.losses.MeanSquaredLogarithmicError`).
  ///
  /// Labels and predictions `[N, D]` give per-sample losses `[N]`, `[N, T, D]` give `[N, T]`;
  /// labels `[N]` go with predictions `[N, 1]`.
  public struct MeanSquaredLogarithmicError: Loss {
    /// The name in logs and configs.
    public let name: String

    /// Mean squared logarithmic error, named as Keras names it.
    public init(name: String = "mean_squared_logarithmic_error") {
      self.name = name
    }

    /// The per-sample losses `[N]` (or `[N, T]`).
    ///
    /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes differ, naming both.
    public func call(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
      try meanOverLastAxis(yTrue, yPred) { labels, predictions in
        let predictedLog = (predictions.maximum(Losses.epsilon) + 1).log()
        let trueLog = (labels.maximum(Losses.epsilon) + 1).log()
        return try (predictedLog - trueLog).square()
      }
    }

    /// Keras' serialized `MeanSquaredLogarithmicError`.
    public var config: ConfigValue { kerasConfig(className: "MeanSquaredLogarithmicError") }
  }
}

extension Loss where Self == Losses.MeanSquaredLogarithmicError {
  /// Mean squared logarithmic error (`"msle"`).
  public static var meanSquaredLogarithmicError: Losses.MeanSquaredLogarithmicError {
    Losses.MeanSquaredLogarithmicError()
  }
}

extension LossClass {
  /// ``Losses/MeanSquaredLogarithmicError`` in the registry of losses.
  static let meanSquaredLogarithmicError = LossClass(
    "MeanSquaredLogarithmicError", aliases: ["mean_squared_logarithmic_error", "msle", "MSLE"],
    makeDefault: { Losses.MeanSquaredLogarithmicError() })
}
