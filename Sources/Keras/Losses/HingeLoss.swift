extension Losses {
  /// The hinge loss over the last axis: `mean(max(1 - yTrue · yPred, 0), axis: -1)`
  /// (`keras.losses.Hinge`).
  ///
  /// Labels are -1 or 1; when every label is 0 or 1 they are first mapped to -1 and 1.
  /// Labels and predictions `[N, D]` give per-sample losses `[N]`, `[N, T, D]` give `[N, T]`;
  /// labels `[N]` go with predictions `[N, 1]`.
  public struct Hinge: Loss {
    /// The name in logs and configs.
    public let name: String

    /// The hinge loss, named as Keras names it.
    public init(name: String = "hinge") {
      self.name = name
    }

    /// The per-sample losses `[N]` (or `[N, T]`).
    ///
    /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes differ, naming both.
    public func call(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
      try meanOverLastAxis(yTrue, yPred, Losses.hingeMargins)
    }

    /// Keras' serialized `Hinge`.
    public var config: ConfigValue { kerasConfig(className: "Hinge") }
  }
}

extension Loss where Self == Losses.Hinge {
  /// The hinge loss (`"hinge"`).
  public static var hinge: Losses.Hinge { Losses.Hinge() }
}

extension Losses {
  /// `max(1 - labels · predictions, 0)`, with labels that are all 0 or 1 mapped to -1 and 1 first
  /// (Keras' `convert_binary_labels_to_hinge`).
  static func hingeMargins(_ labels: Tensor, _ predictions: Tensor) throws -> Tensor {
    let signed = labels.scalars.allSatisfy { $0 == 0 || $0 == 1 } ? 2 * labels - 1 : labels
    return try (1 - signed * predictions).maximum(0)
  }
}

extension LossClass {
  /// ``Losses/Hinge`` in the registry of losses.
  static let hinge = LossClass("Hinge", aliases: ["hinge"], makeDefault: { Losses.Hinge() })
}
