/// Normalizes each channel by batch statistics in training and by their moving averages at
/// inference, then scales and shifts it (`keras.layers.BatchNormalization`).
///
/// Input `[N, ..., C]` with the channels `C` on ``axis`` (the last by default); the output has the
/// input's shape. Weights in Keras order: `gamma` and `beta` `[C]` (trainable, present with
/// ``scale`` and ``center``), `moving_mean` and `moving_variance` `[C]` (not trainable).
///
/// A call with `training: true` normalizes by the batch's mean and population variance over
/// every axis but ``axis`` and moves the averages, `moving = moving · momentum + batch · (1 -
/// momentum)`, outside the gradient tape. Otherwise, and always when the layer is frozen
/// (`trainable = false`, as in Keras), it normalizes by the moving averages.
public final class BatchNormalization: Layer, @unchecked Sendable {
  /// The channel axis (negative counts from the end).
  public let axis: Int
  /// The weight of the old value in each moving-average update.
  public let momentum: Float
  /// Added to the variance before the square root.
  public let epsilon: Float
  /// Whether `beta` is added.
  public let center: Bool
  /// Whether the result is multiplied by `gamma`.
  public let scale: Bool
  /// Draws `beta` (Keras default: zeros).
  public let betaInitializer: Initializer
  /// Draws `gamma` (Keras default: ones).
  public let gammaInitializer: Initializer
  /// Draws the first moving mean (Keras default: zeros).
  public let movingMeanInitializer: Initializer
  /// Draws the first moving variance (Keras default: ones).
  public let movingVarianceInitializer: Initializer
  /// Penalty on `beta`.
  public let betaRegularizer: Regularizer?
  /// Penalty on `gamma`.
  public let gammaRegularizer: Regularizer?

  /// The scale `[C]`, once built with ``scale``.
  public private(set) var gamma: Variable?
  /// The offset `[C]`, once built with ``center``.
  public private(set) var beta: Variable?
  /// The moving average of the batch means `[C]`, once built.
  public private(set) var movingMean: Variable?
  /// The moving average of the batch variances `[C]`, once built.
  public private(set) var movingVariance: Variable?

  /// Batch normalization over the channels on `axis`.
  public init(
    axis: Int = -1, momentum: Float = 0.99, epsilon: Float = 0.001, center: Bool = true, scale: Bool = true,
    betaInitializer: Initializer = .zeros, gammaInitializer: Initializer = .ones,
    movingMeanInitializer: Initializer = .zeros, movingVarianceInitializer: Initializer = .ones,
    betaRegularizer: Regularizer? = nil, gammaRegularizer: Regularizer? = nil,
    inputShape: [Int]? = nil, name: String? = nil
  ) {
    self.axis = axis
    self.momentum = momentum
    self.epsilon = epsilon
    self.center = center
    self.scale = scale
    self.betaInitializer = betaInitializer
    self.gammaInitializer = gammaInitializer
    self.movingMeanInitializer = movingMeanInitializer
    self.movingVarianceInitializer = movingVarianceInitializer
    self.betaRegularizer = betaRegularizer
    self.gammaRegularizer = gammaRegularizer
    super.init(name: name, inputShape: inputShape)
  }

  /// Creates the weights for `inputShape`, whose size on ``axis`` is the channel count `C`.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` when ``axis`` is not a
  ///   known non-batch axis of `inputShape`.
  public override func build(inputShape: [Int?]) throws {
    let rank = inputShape.count
    let channelAxis = axis < 0 ? axis + rank : axis
    guard channelAxis >= 1, channelAxis < rank, let channels = inputShape[channelAxis] else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "a known, non-batch size on axis \(axis)", got: inputShape.map { $0 ?? -1 })
    }
    if scale {
      gamma = try addWeight("gamma", shape: [channels], initializer: gammaInitializer, regularizer: gammaRegularizer)
    }
    if center {
      beta = try addWeight("beta", shape: [channels], initializer: betaInitializer, regularizer: betaRegularizer)
    }
    movingMean = try addWeight("moving_mean", shape: [channels], initializer: movingMeanInitializer, trainable: false)
    movingVariance = try addWeight(
      "moving_variance", shape: [channels], initializer: movingVarianceInitializer, trainable: false)
    inputSpec = InputSpec(rank: rank, axes: [axis: channels])
  }

  /// Normalizes `input`; in training, by the batch statistics of the steps `mask` (`[N, L]` for
  /// `[N, L, C]`, one rank less than the input) marks as real, if given.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` for a mask of the wrong rank.
  public override func call(_ input: Tensor, mask: Tensor?, training: Bool) throws -> Tensor {
    let rank = input.rank
    let channelAxis = axis < 0 ? axis + rank : axis
    let statisticShape = (0..<rank).map { $0 == channelAxis ? input.shape[$0] : 1 }
    let reductionAxes = (0..<rank).filter { $0 != channelAxis }
    if let mask, mask.rank != rank - 1 {
      throw KerasError.incompatibleInput(layer: name, expected: "a mask of rank \(rank - 1)", got: mask.shape)
    }
    let moments: Moments
    if training && trainable {
      moments =
        try mask.map { try Moments(of: input, axes: reductionAxes, mask: $0) }
        ?? Moments(of: input, axes: reductionAxes)
      try updateMovingAverages(with: moments)
    } else {
      moments = Moments(
        mean: try movingMean!.value.reshaped(to: statisticShape),
        variance: try movingVariance!.value.reshaped(to: statisticShape))
    }
    return try moments.normalize(
      input, gamma: try gamma?.value.reshaped(to: statisticShape), beta: try beta?.value.reshaped(to: statisticShape),
      epsilon: epsilon)
  }

  /// Moves the averages toward the batch statistics, with detached tensors so the tape does not see it.
  private func updateMovingAverages(with batch: Moments) throws {
    for (average, statistic) in [(movingMean!, batch.mean), (movingVariance!, batch.variance)] {
      let old = average.value.detached()
      average.value = try old * momentum + statistic.detached().reshaped(to: old.shape) * (1 - momentum)
    }
  }

  public override func computeMask(_ input: Tensor, mask: Tensor?) throws -> Tensor? { mask }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("axis", .int(axis)), ("momentum", .decimal(momentum)), ("epsilon", .decimal(epsilon)), ("center", .bool(center)),
      ("scale", .bool(scale)), ("beta_initializer", betaInitializer.config),
      ("gamma_initializer", gammaInitializer.config),
      ("moving_mean_initializer", movingMeanInitializer.config),
      ("moving_variance_initializer", movingVarianceInitializer.config),
      ("beta_regularizer", betaRegularizer?.config ?? .null), ("gamma_regularizer", gammaRegularizer?.config ?? .null),
      ("beta_constraint", .null), ("gamma_constraint", .null), ("synchronized", false), ("renorm", false),
      ("renorm_clipping", .null), ("renorm_momentum", 0.99),
    ]
  }
}

extension BatchNormalization: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    let reader = config.reader
    let axes = try reader.intOrIntList("axis", default: -1).axes
    guard axes.count == 1 else {
      throw reader.unsupported("axis", .array(axes.map { .int($0) }), "SwiftKeras normalizes over one channel axis")
    }
    try config.requireNoConstraints("beta_constraint", "gamma_constraint")
    try reader.require("renorm", in: [false], "SwiftKeras has no batch renormalization")
    try reader.requireNull("virtual_batch_size", "SwiftKeras normalizes over the whole batch")
    try reader.requireNull("adjustment", "SwiftKeras has no adjustment function")
    // Cross-replica statistics equal the batch statistics on one device; `fused` picks a kernel;
    // the renorm settings apply only with `renorm`.
    reader.ignore("synchronized", "fused", "renorm_clipping", "renorm_momentum")
    return BatchNormalization(
      axis: axes[0], momentum: try reader.float("momentum", default: 0.99),
      epsilon: try reader.float("epsilon", default: 0.001), center: try reader.bool("center", default: true),
      scale: try reader.bool("scale", default: true),
      betaInitializer: try reader.initializer("beta_initializer", default: .zeros),
      gammaInitializer: try reader.initializer("gamma_initializer", default: .ones),
      movingMeanInitializer: try reader.initializer("moving_mean_initializer", default: .zeros),
      movingVarianceInitializer: try reader.initializer("moving_variance_initializer", default: .ones),
      betaRegularizer: try reader.regularizer("beta_regularizer"),
      gammaRegularizer: try reader.regularizer("gamma_regularizer"), inputShape: config.inputShape, name: config.name)
  }
}
