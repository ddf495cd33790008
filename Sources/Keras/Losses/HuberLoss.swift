extension Losses {
  /// The Huber loss over the last axis: with `e = yPred - yTrue`, `0.5 · e²` where `|e| ≤ delta`
  /// and `delta · |e| - 0.5 · delta²` elsewhere, averaged over the last axis (`keras.losses.Huber`).
  ///
  /// Labels and predictions `[N, D]` give per-sample losses `[N]`, `[N, T, D]` give `[N, T]`;
  /// labels `[N]` go with predictions `[N, 1]`.
  public struct Huber: Loss {
    /// Where the loss turns from quadratic to linear.
    public let delta: Float
    /// The name in logs and configs.
    public let name: String

    /// The Huber loss with the given `delta` (Keras default 1), named as Keras names it.
    public init(delta: Float = 1, name: String = "huber_loss") {
      self.delta = delta
      self.name = name
    }

    /// The per-sample losses `[N]` (or `[N, T]`).
    ///
    /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes differ, naming both.
    public func call(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
      try meanOverLastAxis(yTrue, yPred) { labels, predictions in
        let error = try predictions - labels
        let absoluteError = error.abs()
        let quadratic = 0.5 * error.square()
        let linear = delta * absoluteError - 0.5 * delta * delta
        return try Tensor.where(absoluteError.lessEqual(Tensor(delta)), quadratic, linear)
      }
    }

    /// Keras' serialized `Huber` (Keras' config does not record `delta`).
    public var config: ConfigValue { kerasConfig(className: "Huber") }
  }
}

extension Loss where Self == Losses.Huber {
  /// The Huber loss with `delta` 1 (`"huber"`).
  public static var huber: Losses.Huber { Losses.Huber() }

  /// The Huber loss with the given `delta`.
  public static func huber(delta: Float = 1) -> Losses.Huber { Losses.Huber(delta: delta) }
}

extension LossClass {
  /// ``Losses/Huber`` in the registry of losses.
  static let huber = LossClass(
    "Huber", aliases: ["huber"], makeDefault: { Losses.Huber() },
    make: { reader, name in
      Losses.Huber(delta: try reader.float("delta", default: 1), name: name ?? "huber_loss")
    })
}
