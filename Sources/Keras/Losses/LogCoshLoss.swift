extension Losses {
  /// The logarithm of the hyperbolic cosine of the error, averaged over the last axis:
  /// `mean(log(cosh(yPred - yTrue)), axis: -1)`, computed as `x + softplus(-2x) - log(2)` so it
  /// does not overflow (`keras.losses.LogCosh`).
  ///
  /// Labels and predictions `[N, D]` give per-sample losses `[N]`, `[N, T, D]` give `[N, T]`;
  /// labels `[N]` go with predictions `[N, 1]`.
  public struct LogCosh: Loss {
    /// The name in logs and configs.
    public let name: String

    /// Log-cosh, named as Keras names it.
    public init(name: String = "log_cosh") {
      self.name = name
    }

    /// The per-sample losses `[N]` (or `[N, T]`).
    ///
    /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes differ, naming both.
    public func call(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
      let log2: Float = 0.693_147_180_559_945_3
      return try meanOverLastAxis(yTrue, yPred) { labels, predictions in
        let error = try predictions - labels
        return try error + (-2 * error).softplus() - log2
      }
    }

    /// Keras' serialized `LogCosh`.
    public var config: ConfigValue { kerasConfig(className: "LogCosh") }
  }
}

extension Loss where Self == Losses.LogCosh {
  /// Log-cosh (`"log_cosh"`).
  public static var logCosh: Losses.LogCosh { Losses.LogCosh() }
}

extension LossClass {
  /// ``Losses/LogCosh`` in the registry of losses.
  static let logCosh = LossClass("LogCosh", aliases: ["log_cosh", "logcosh"], makeDefault: { Losses.LogCosh() })
}
