extension Losses {
  /// Categorical cross-entropy along `axis`: `-sum(t · log(p), axis)` with `p` the predictions
  /// renormalised to sum to 1 along `axis` and clipped to [ε, 1 - ε], ε = 1e-7
  /// (`keras.losses.CategoricalCrossentropy`).
  ///
  /// From logits `x` (with `fromLogits`, or when the model output came out of a softmax, as Keras
  /// on TensorFlow does) it is `-sum(t · logSoftmax(x), axis)`, which does not saturate, with
  /// TensorFlow's gradient `softmax(x) - t`. Label smoothing spreads `s` over the `C` classes:
  /// `t = yTrue · (1 - s) + s / C`.
  ///
  /// One-hot labels and predictions `[N, C]` give per-sample losses `[N]`, `[N, T, C]` give `[N, T]`.
  public struct CategoricalCrossentropy: Loss {
    /// Whether predictions are logits rather than probabilities.
    public let fromLogits: Bool
    /// The label smoothing `s` in [0, 1].
    public let labelSmoothing: Float
    /// The class axis.
    public let axis: Int
    /// The name in logs and configs.
    public let name: String

    /// Categorical cross-entropy with Keras' defaults: probabilities, no smoothing, classes last.
    public init(
      fromLogits: Bool = false, labelSmoothing: Float = 0, axis: Int = -1, name: String = "categorical_crossentropy"
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

    /// The per-sample losses, from the logits when `yPred` came out of a softmax.
    ///
    /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes differ, naming both.
    public func call(_ yTrue: Tensor, _ yPred: Tensor, logits: OutputLogits?) throws -> Tensor {
      let (labels, predictions) = try matchedShapes(yTrue, yPred)
      try checkAxis(axis, of: predictions)
      let classes = Float(labels.shape[labels.rank - 1])
      let target = labelSmoothing == 0 ? labels : labels * (1 - labelSmoothing) + labelSmoothing / classes
      if let x = try usableLogits(logits, of: .softmax, output: yPred, predictions: predictions)
        ?? (fromLogits ? predictions : nil)
      {
        return try softmaxCrossEntropy(target, logits: x)
      }
      let normalized = try predictions / predictions.sum(axis: axis, keepDims: true)
      let p = normalized.clipped(min: Losses.epsilon, max: 1 - Losses.epsilon)
      return try -(target * p.log()).sum(axis: axis)
    }

    /// `-sum(t · logSoftmax(x), axis)` written as `sum(t) · lse(x) - sum(t · x)` and differentiated
    /// as TensorFlow's fused `softmax_cross_entropy_with_logits`: `softmax(x) - t`, as if each
    /// label row summed to 1 (the exact gradient `sum(t) · softmax(x) - t` differs only when a row
    /// does not). So `lse` enters once with its gradient and `sum(t) - 1` times without.
    private func softmaxCrossEntropy(_ target: Tensor, logits x: Tensor) throws -> Tensor {
      let logSumExp = try x.logSumExp(axes: [axis], keepDims: true)
      let labelMass = try target.sum(axis: axis, keepDims: true).detached()
      let total = try logSumExp + (labelMass - 1) * logSumExp.detached() - (target * x).sum(axis: axis, keepDims: true)
      return try total.squeezing(axes: [axis])
    }

    /// Keras' serialized `CategoricalCrossentropy`, with `from_logits`, `label_smoothing` and `axis`.
    public var config: ConfigValue {
      kerasConfig(
        className: "CategoricalCrossentropy",
        [("from_logits", .bool(fromLogits)), ("label_smoothing", .decimal(labelSmoothing)), ("axis", .int(axis))])
    }
  }
}

extension Loss where Self == Losses.CategoricalCrossentropy {
  /// Categorical cross-entropy of probabilities (`"categorical_crossentropy"`).
  public static var categoricalCrossentropy: Losses.CategoricalCrossentropy { Losses.CategoricalCrossentropy() }

  /// Categorical cross-entropy with the given options.
  public static func categoricalCrossentropy(fromLogits: Bool = false, labelSmoothing: Float = 0, axis: Int = -1)
    -> Losses.CategoricalCrossentropy
  {
    Losses.CategoricalCrossentropy(fromLogits: fromLogits, labelSmoothing: labelSmoothing, axis: axis)
  }
}

extension LossClass {
  /// ``Losses/CategoricalCrossentropy`` in the registry of losses.
  static let categoricalCrossentropy = LossClass(
    "CategoricalCrossentropy", aliases: ["categorical_crossentropy"], makeDefault: { Losses.CategoricalCrossentropy() },
    make: { reader, name in
      Losses.CategoricalCrossentropy(
        fromLogits: try reader.bool("from_logits", default: false),
        labelSmoothing: try reader.float("label_smoothing", default: 0), axis: try reader.int("axis", default: -1),
        name: name ?? "categorical_crossentropy")
    })
}
