extension Losses {
  /// The squared hinge loss over the last axis: `mean(max(1 - yTrue · yPred, 0)², axis: -1)`
  /// (`keras.losses.SquaredHinge`).
  ///
  /// Labels are -1 or 1; when every label is 0 or 1 they are first mapped to -1 and 1.
  /// Labels and predictions `[N, D]` give per-sample losses `[N]`, `[N, T, D]` give `[N, T]`;
  /// labels `[N]` go with predictions `[N, 1]`.
  public struct SquaredHinge: Loss {
    /// The name in logs and configs.
    public let name: String

    /// The squared hinge loss, named as Keras names it.
    public init(name: String = "squared_hinge") {
      self.name = name
    }

    /// The per-sample losses `[N]` (or `[N, T]`).
    ///
    /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes differ, naming both.
    public func call(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
      try meanOverLastAxis(yTrue, yPred) { labels, predictions in try Losses.hingeMargins(labels, predictions).square()
      }
    }

    /// Keras' serialized `SquaredHinge`.
    public var config: ConfigValue { kerasConfig(className: "SquaredHinge") }
  }
}

extension Loss where Self == Losses.SquaredHinge {
  /// The squared hinge loss (`"squared_hinge"`).
  public static var squaredHinge: Losses.SquaredHinge { Losses.SquaredHinge() }
}

extension LossClass {
  /// ``Losses/SquaredHinge`` in the registry of losses.
  static let squaredHinge = LossClass(
    "SquaredHinge", aliases: ["squared_hinge"], makeDefault: { Losses.SquaredHinge() })
}
