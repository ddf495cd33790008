extension Losses {
  /// Binary cross-entropy, averaged over `axis`: `-(t · log(p) + (1 - t) · log(1 - p))` with
  /// `p = clip(yPred, ε, 1 - ε)`, ε = 1e-7 (`keras.losses.BinaryCrossentropy`).
  ///
  /// From logits `x` (with `fromLogits`, or when the model output came out of a sigmoid, as Keras
  /// on TensorFlow does) it is `max(x, 0) - x · t + log(1 + e^(-|x|))`, which does not saturate.
  /// Label smoothing pulls the labels towards 0.5: `t = yTrue · (1 - s) + 0.5 · s`.
  ///
  /// Labels and predictions `[N, D]` give per-sample losses `[N]`, `[N, T, D]` give `[N, T]`;
  /// labels `[N]` go with predictions `[N, 1]`.
  public struct BinaryCrossentropy: Loss {
    /// Whether predictions are logits rather than probabilities.
    public let fromLogits: Bool
    /// The label smoothing `s` in [0, 1].
    public let labelSmoothing: Float
    /// The axis the elementwise losses are averaged over.
    public let axis: Int
    /// The name in logs and configs.
    public let name: String

    /// Binary cross-entropy with Keras' defaults: probabilities, no smoothing, mean over the last axis.
    public init(
      fromLogits: Bool = false, labelSmoothing: Float = 0, axis: Int = -1, name: String = "binary_crossentropy"
    ) {
      self.fromLogits = fromLogits
      self.labelSmoothing = labelSmoothing
      self.axis = axis
      self.name = name
    }

    /// The per-sample losses `[N]` (or `[N, T]`).
    ///
    /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes differ, naming both.
    public func call(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
      try call(yTrue, yPred, logits: nil)
    }

    /// The per-sample losses, from the logits when `yPred` came out of a sigmoid and reaches the
    /// loss unreshaped (as Keras: labels `[N]` with a `[N, 1]` output use the logits, labels
    /// `[N, T]` with a `[N, T, 1]` output squeeze it and clip the probabilities).
    ///
    /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes differ, naming both.
    public func call(_ yTrue: Tensor, _ yPred: Tensor, logits: OutputLogits?) throws -> Tensor {
      let (labels, predictions) = try matchedShapes(yTrue, yPred)
      try checkAxis(axis, of: predictions)
      let target = labelSmoothing == 0 ? labels : labels * (1 - labelSmoothing) + 0.5 * labelSmoothing
      let elementwise: Tensor
      if let x = try usableLogits(logits, of: .sigmoid, output: yPred, predictions: predictions)
        ?? (fromLogits ? predictions : nil)
      {
        elementwise = try sigmoidCrossEntropy(target, logits: x)
      } else {
        let p = predictions.clipped(min: Losses.epsilon, max: 1 - Losses.epsilon)
        elementwise = try -(target * p.log() + (1 - target) * (1 - p).log())
      }
      return try elementwise.mean(axis: axis)
    }

    /// `max(x, 0) - x · t + log(1 + e^(-|x|))` term by term as TensorFlow's
    /// `sigmoid_cross_entropy_with_logits`, so the gradient is TensorFlow's too: exact at `x = 0`
    /// (`0.5 - t`) and not rounded to 0 where the sigmoid saturates.
    private func sigmoidCrossEntropy(_ target: Tensor, logits x: Tensor) throws -> Tensor {
      let nonNegative = try x.greaterEqual(Tensor(0))
      let negativeAbsolute = try Tensor.where(nonNegative, -x, x)
      return try x.maximum(0) - x * target + negativeAbsolute.exp().log1p()
    }

    /// Keras' serialized `BinaryCrossentropy`, with `from_logits`, `label_smoothing` and `axis`.
    public var config: ConfigValue {
      kerasConfig(
        className: "BinaryCrossentropy",
        [("from_logits", .bool(fromLogits)), ("label_smoothing", .decimal(labelSmoothing)), ("axis", .int(axis))])
    }
  }
}

extension Loss where Self == Losses.BinaryCrossentropy {
  /// Binary cross-entropy of probabilities (`"binary_crossentropy"`).
  public static var binaryCrossentropy: Losses.BinaryCrossentropy { Losses.BinaryCrossentropy() }

  /// Binary cross-entropy with the given options.
  public static func binaryCrossentropy(fromLogits: Bool = false, labelSmoothing: Float = 0, axis: Int = -1)
    -> Losses.BinaryCrossentropy
  {
    Losses.BinaryCrossentropy(fromLogits: fromLogits, labelSmoothing: labelSmoothing, axis: axis)
  }
}

extension LossClass {
  /// ``Losses/BinaryCrossentropy`` in the registry of losses.
  static let binaryCrossentropy = LossClass(
    "BinaryCrossentropy", aliases: ["binary_crossentropy", "bce", "BCE"], makeDefault: { Losses.BinaryCrossentropy() },
    make: { reader, name in
      Losses.BinaryCrossentropy(
        fromLogits: try reader.bool("from_logits", default: false),
        labelSmoothing: try reader.float("label_smoothing", default: 0), axis: try reader.int("axis", default: -1),
        name: name ?? "binary_crossentropy")
    })
}
