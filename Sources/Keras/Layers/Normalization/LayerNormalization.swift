/// Normalizes each sample over its feature axes, then scales and shifts it
/// (`keras.layers.LayerNormalization`).
///
/// Input `[N, ..., C]`, output the same shape: with the default `axis: -1`, every `[C]` vector
/// gets mean 0 and variance 1 (plus ``epsilon``), times `gamma` `[C]` plus `beta` `[C]`. Unlike
/// ``BatchNormalization`` it behaves the same in training and at inference. Over the last axis
/// alone it runs one fused kernel (`Tensor.layerNormalized(gamma:beta:epsilon:)`), forward and
/// backward.
public final class LayerNormalization: Layer, @unchecked Sendable {
  /// The axes normalized over (negative counts from the end).
  public let axis: [Int]
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
  /// Penalty on `beta`.
  public let betaRegularizer: Regularizer?
  /// Penalty on `gamma`.
  public let gammaRegularizer: Regularizer?
  /// Whether the config writes `axis` as a list before the layer is built (Keras writes a list after).
  private var axisGivenAsList = true

  /// The scale, shaped as the normalized axes, once built with ``scale``.
  public private(set) var gamma: Variable?
  /// The offset, shaped as the normalized axes, once built with ``center``.
  public private(set) var beta: Variable?

  /// Layer normalization over the axes `axis` (e.g. `[1, 2]` for each `[L, C]` sample of `[N, L, C]`).
  public init(
    axis: [Int], epsilon: Float = 0.001, center: Bool = true, scale: Bool = true,
    betaInitializer: Initializer = .zeros, gammaInitializer: Initializer = .ones,
    betaRegularizer: Regularizer? = nil, gammaRegularizer: Regularizer? = nil,
    inputShape: [Int]? = nil, name: String? = nil
  ) {
    precondition(!axis.isEmpty, "LayerNormalization: axis must name at least one axis")
    self.axis = axis
    self.epsilon = epsilon
    self.center = center
    self.scale = scale
    self.betaInitializer = betaInitializer
    self.gammaInitializer = gammaInitializer
    self.betaRegularizer = betaRegularizer
    self.gammaRegularizer = gammaRegularizer
    super.init(name: name, inputShape: inputShape)
  }

  /// Layer normalization over one axis (the last by default).
  public convenience init(
    axis: Int = -1, epsilon: Float = 0.001, center: Bool = true, scale: Bool = true,
    betaInitializer: Initializer = .zeros, gammaInitializer: Initializer = .ones,
    betaRegularizer: Regularizer? = nil, gammaRegularizer: Regularizer? = nil,
    inputShape: [Int]? = nil, name: String? = nil
  ) {
    self.init(
      axis: [axis], epsilon: epsilon, center: center, scale: scale, betaInitializer: betaInitializer,
      gammaInitializer: gammaInitializer, betaRegularizer: betaRegularizer, gammaRegularizer: gammaRegularizer,
      inputShape: inputShape, name: name)
    axisGivenAsList = false
  }

  /// The normalized axes of a rank-`rank` input, ascending, or nil when one is out of range or repeated.
  private func normalizedAxes(rank: Int) -> [Int]? {
    let axes = axis.map { $0 < 0 ? $0 + rank : $0 }
    guard axes.allSatisfy({ $0 >= 0 && $0 < rank }), Set(axes).count == axes.count else { return nil }
    return axes.sorted()
  }

  /// Creates `gamma` and `beta`, shaped as `inputShape` on the normalized axes.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` when an axis is out of
  ///   range, repeated or of unknown size.
  public override func build(inputShape: [Int?]) throws {
    guard let axes = normalizedAxes(rank: inputShape.count), axes.allSatisfy({ inputShape[$0] != nil }) else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "known sizes on axes \(axis)", got: inputShape.map { $0 ?? -1 })
    }
    let shape = axes.map { inputShape[$0]! }
    if scale {
      gamma = try addWeight("gamma", shape: shape, initializer: gammaInitializer, regularizer: gammaRegularizer)
    }
    if center {
      beta = try addWeight("beta", shape: shape, initializer: betaInitializer, regularizer: betaRegularizer)
    }
    let minimumRank = axis.map { $0 < 0 ? -$0 : $0 + 1 }.max()!
    inputSpec = InputSpec(
      minimumRank: minimumRank,
      axes: Dictionary(uniqueKeysWithValues: zip(axis, axes).map { ($0, inputShape[$1]!) }))
  }

  /// Normalizes every sample of `input` over the normalized axes.
  /// False: the input is normalized as it comes (Keras' LayerNormalization has `autocast =
  /// False`); under a mixed policy the output is rounded to bfloat16.
  public override var autocast: Bool { false }

  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    let axes = normalizedAxes(rank: input.rank)!
    if axes == [input.rank - 1] {
      // The usual case (the last axis): one fused kernel, forward and backward.
      return try input.layerNormalized(gamma: gamma?.value, beta: beta?.value, epsilon: epsilon)
    }
    let broadcastShape = input.shape.indices.map { axes.contains($0) ? input.shape[$0] : 1 }
    return try Moments(of: input, axes: axes).normalize(
      input, gamma: try gamma?.value.reshaped(to: broadcastShape), beta: try beta?.value.reshaped(to: broadcastShape),
      epsilon: epsilon)
  }

  public override func computeMask(_ input: Tensor, mask: Tensor?) throws -> Tensor? { mask }

  public override var layerConfig: [(String, ConfigValue)] {
    let axisValue: ConfigValue =
      isBuilt || axisGivenAsList ? .array(axis.sorted().map { .int($0) }) : .int(axis[0])
    return [
      ("axis", axisValue), ("epsilon", .decimal(epsilon)), ("center", .bool(center)), ("scale", .bool(scale)),
      ("rms_scaling", false), ("beta_initializer", betaInitializer.config),
      ("gamma_initializer", gammaInitializer.config),
      ("beta_regularizer", betaRegularizer?.config ?? .null), ("gamma_regularizer", gammaRegularizer?.config ?? .null),
      ("beta_constraint", .null), ("gamma_constraint", .null),
    ]
  }
}

extension LayerNormalization: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    let reader = config.reader
    let axis = try reader.intOrIntList("axis", default: -1)
    guard !axis.axes.isEmpty, Set(axis.axes).count == axis.axes.count else {
      throw reader.invalid(
        "axis", expected: "an axis or a list of distinct axes", got: .array(axis.axes.map { .int($0) }))
    }
    try config.requireNoConstraints("beta_constraint", "gamma_constraint")
    try reader.require("rms_scaling", in: [false], "SwiftKeras normalizes by mean and variance")
    let epsilon = try reader.float("epsilon", default: 0.001)
    let center = try reader.bool("center", default: true)
    let scale = try reader.bool("scale", default: true)
    let betaInitializer = try reader.initializer("beta_initializer", default: .zeros)
    let gammaInitializer = try reader.initializer("gamma_initializer", default: .ones)
    let betaRegularizer = try reader.regularizer("beta_regularizer")
    let gammaRegularizer = try reader.regularizer("gamma_regularizer")
    guard axis.isList else {
      return LayerNormalization(
        axis: axis.axes[0], epsilon: epsilon, center: center, scale: scale, betaInitializer: betaInitializer,
        gammaInitializer: gammaInitializer, betaRegularizer: betaRegularizer, gammaRegularizer: gammaRegularizer,
        inputShape: config.inputShape, name: config.name)
    }
    return LayerNormalization(
      axis: axis.axes, epsilon: epsilon, center: center, scale: scale, betaInitializer: betaInitializer,
      gammaInitializer: gammaInitializer, betaRegularizer: betaRegularizer, gammaRegularizer: gammaRegularizer,
      inputShape: config.inputShape, name: config.name)
  }
}
