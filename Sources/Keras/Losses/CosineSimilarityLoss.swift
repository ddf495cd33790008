extension Losses {
  /// The negated cosine similarity along `axis`: `-sum(l2Normalize(yTrue) · l2Normalize(yPred), axis)`,
  /// where `l2Normalize(x) = x · min(1 / sqrt(sum(x², axis)), 1 / ε)`, ε = 1e-7
  /// (`keras.losses.CosineSimilarity`).
  ///
  /// Values lie in [-1, 1]; -1 is the best match, 0 means orthogonal or a zero vector. Labels and
  /// predictions `[N, D]` give per-sample losses `[N]` with the default `axis` -1.
  public struct CosineSimilarity: Loss {
    /// The axis along which vectors are compared.
    public let axis: Int
    /// The name in logs and configs.
    public let name: String

    /// The cosine similarity loss along `axis` (Keras default -1), named as Keras names it.
    public init(axis: Int = -1, name: String = "cosine_similarity") {
      self.axis = axis
      self.name = name
    }

    /// The per-sample losses: the inputs with `axis` removed.
    ///
    /// - Throws: ``KerasError/invalidArgument(_:)`` when the shapes differ or `axis` is out of range.
    public func call(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
      let (labels, predictions) = try matchedShapes(yTrue, yPred)
      try checkAxis(axis, of: predictions)
      return try -(normalized(labels) * normalized(predictions)).sum(axis: axis)
    }

    private func normalized(_ x: Tensor) throws -> Tensor {
      let inverseNorm = try x.square().sum(axis: axis, keepDims: true).rsqrt().minimum(1 / Losses.epsilon)
      return try x * inverseNorm
    }

    /// Keras' serialized `CosineSimilarity` (Keras' config does not record `axis`).
    public var config: ConfigValue { kerasConfig(className: "CosineSimilarity") }
  }
}

extension Loss where Self == Losses.CosineSimilarity {
  /// The cosine similarity loss along the last axis (`"cosine_similarity"`).
  public static var cosineSimilarity: Losses.CosineSimilarity { Losses.CosineSimilarity() }

  /// The cosine similarity loss along `axis`.
  public static func cosineSimilarity(axis: Int = -1) -> Losses.CosineSimilarity { Losses.CosineSimilarity(axis: axis) }
}

extension LossClass {
  /// ``Losses/CosineSimilarity`` in the registry of losses.
  static let cosineSimilarity = LossClass(
    "CosineSimilarity", aliases: ["cosine_similarity"], makeDefault: { Losses.CosineSimilarity() },
    make: { reader, name in
      Losses.CosineSimilarity(axis: try reader.int("axis", default: -1), name: name ?? "cosine_similarity")
    })
}
