extension Losses {
  /// The Poisson loss over the last axis: `mean(yPred - yTrue · log(yPred + ε), axis: -1)` with
  /// ε = 1e-7 (`keras.losses.Poisson`).
  ///
  /// Labels and predictions `[N, D]` give per-sample losses `[N]`, `[N, T, D]` give `[N, T]`;
  /// labels `[N]` go with predictions `[N, 1]`.
  public struct Poisson: Loss {
    /// The name in logs and configs.
    public let name: String

    /// The Poisson loss, named as Keras names it.
    public init(name: String = "poisson") {
      self.name = name
    }

    /// The per-sample losses `[N]` (or `[N, T]`).
    ///
    /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes differ, naming both.
    public func call(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
      try meanOverLastAxis(yTrue, yPred) { labels, predictions in
        try predictions - labels * (predictions + Losses.epsilon).log()
      }
    }

    /// Keras' serialized `Poisson`.
    public var config: ConfigValue { kerasConfig(className: "Poisson") }
  }
}

extension Loss where Self == Losses.Poisson {
  /// The Poisson loss (`"poisson"`).
  public static var poisson: Losses.Poisson { Losses.Poisson() }
}

extension LossClass {
  /// ``Losses/Poisson`` in the registry of losses.
  static let poisson = LossClass("Poisson", aliases: ["poisson"], makeDefault: { Losses.Poisson() })
}
