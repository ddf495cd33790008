extension Losses {
  /// The Kullback-Leibler divergence over the last axis: `sum(t · log(t / p), axis: -1)` with
  /// `t = clip(yTrue, ε, 1)` and `p = clip(yPred, ε, 1)`, ε = 1e-7 (`keras.losses.KLDivergence`).
  ///
  /// Labels and predictions `[N, D]` (probability distributions) give per-sample losses `[N]`,
  /// `[N, T, D]` give `[N, T]`.
  public struct KLDivergence: Loss {
    /// The name in logs and configs.
    public let name: String

    /// The KL divergence, named as Keras names it.
    public init(name: String = "kl_divergence") {
      self.name = name
    }

    /// The per-sample losses `[N]` (or `[N, T]`).
    ///
    /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes differ, naming both.
    public func call(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
      let (labels, predictions) = try matchedShapes(yTrue, yPred)
      let target = labels.clipped(min: Losses.epsilon, max: 1)
      let predicted = predictions.clipped(min: Losses.epsilon, max: 1)
      return try (target * (target / predicted).log()).sum(axis: -1)
    }

    /// Keras' serialized `KLDivergence`.
    public var config: ConfigValue { kerasConfig(className: "KLDivergence") }
  }
}

extension Loss where Self == Losses.KLDivergence {
  /// The KL divergence (`"kl_divergence"`, `"kld"`).
  public static var klDivergence: Losses.KLDivergence { Losses.KLDivergence() }
}

extension LossClass {
  /// ``Losses/KLDivergence`` in the registry of losses.
  static let klDivergence = LossClass(
    "KLDivergence", aliases: ["kl_divergence", "kld", "KLD", "kullback_leibler_divergence"],
    makeDefault: { Losses.KLDivergence() })
}
