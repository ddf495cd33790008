extension Losses {
  /// The mean of squared errors over the last axis: `mean((yTrue - yPred)², axis: -1)`
  /// (`keras.losses.MeanSquaredError`).
  ///
  /// Labels and predictions `[N, D]` give per-sample losses `[N]`, `[N, T, D]` give `[N, T]`;
  /// labels `[N]` go with predictions `[N, 1]`.
  public struct MeanSquaredError: Loss {
    /// The name in logs and configs.
    public let name: String

    /// Mean squared error, named as Keras names it.
    public init(name: String = "mean_squared_error") {
      self.name = name
    }

    /// The per-sample losses `[N]` (or `[N, T]`).
    ///
    /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes differ, naming both.
    public func call(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
      try meanOverLastAxis(yTrue, yPred) { labels, predictions in try (labels - predictions).square() }
    }

    /// Keras' serialized `MeanSquaredError`.
    public var config: ConfigValue { kerasConfig(className: "MeanSquaredError") }
  }
}

extension Loss where Self == Losses.MeanSquaredError {
  /// Mean squared error (`"mse"`).
  public static var meanSquaredError: Losses.MeanSquaredError { Losses.MeanSquaredError() }
}

extension LossClass {
  /// ``Losses/MeanSquaredError`` in the registry of losses.
  static let meanSquaredError = LossClass(
    "MeanSquaredError", aliases: ["mean_squared_error", "mse", "MSE"], makeDefault: { Losses.MeanSquaredError() })
}
