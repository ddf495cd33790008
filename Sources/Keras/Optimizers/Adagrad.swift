/// Adagrad (`keras.optimizers.Adagrad`): `a += g²`, `w -= lr · g / √(a + ε)`, with the slot
/// `accumulator` starting at `initialAccumulatorValue`.
public final class Adagrad: Optimizer, @unchecked Sendable {
  /// The starting value of every accumulator element.
  public let initialAccumulatorValue: Float
  /// The constant added under the square root.
  public let epsilon: Float

  /// Adagrad with Keras' defaults.
  public init(
    learningRate: LearningRate = 0.001, initialAccumulatorValue: Float = 0.1, epsilon: Float = 1e-7,
    weightDecay: Float? = nil, clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil,
    name: String? = nil
  ) {
    self.initialAccumulatorValue = initialAccumulatorValue
    self.epsilon = epsilon
    super.init(
      learningRate: learningRate, weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue,
      globalClipnorm: globalClipnorm, name: name)
  }

  /// `accumulator`, starting at `initialAccumulatorValue`.
  public override var slotGroups: [[OptimizerSlot]] {
    [[OptimizerSlot("accumulator", initialValue: initialAccumulatorValue)]]
  }

  /// Keras' Adagrad step.
  /// Keras on TensorFlow squares a sparse (Embedding) gradient slice by slice.
  public override var sparseGradientStatistic: SparseGradientStatistic { .sumOfSquares }

  public override func update(
    _ variable: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>, slots: SlotBuffers,
    learningRate lr: Float, step: Int
  ) {
    let accumulator = slots[0]
    let squares = slots.sparseStatistic
    for i in variable.indices {
      let g = gradient[i]
      accumulator[i] += squares?[i] ?? g * g
      variable[i] -= lr * g / (accumulator[i] + epsilon).squareRoot()
    }
  }

  /// `initial_accumulator_value`, `epsilon`.
  public override var optimizerConfig: [(String, ConfigValue)] {
    [("initial_accumulator_value", .decimal(initialAccumulatorValue)), ("epsilon", .decimal(epsilon))]
  }
}

extension OptimizerClass {
  /// ``Adagrad`` in the registry of optimizers.
  static let adagrad = OptimizerClass(className: "Adagrad", makeDefault: { Adagrad() }) { config in
    Adagrad(
      learningRate: config.learningRate,
      initialAccumulatorValue: try config.reader.float("initial_accumulator_value", default: 0.1),
      epsilon: try config.reader.float("epsilon", default: 1e-7), weightDecay: config.weightDecay,
      clipnorm: config.clipnorm, clipvalue: config.clipvalue, globalClipnorm: config.globalClipnorm,
      name: config.name)
  }
}
