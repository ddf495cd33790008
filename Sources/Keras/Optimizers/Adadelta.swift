/// Adadelta (`keras.optimizers.Adadelta`): `E[g²] = ρ·E[g²] + (1-ρ)·g²`,
/// `Δ = -√(E[Δ²] + ε) · g / √(E[g²] + ε)`, `E[Δ²] = ρ·E[Δ²] + (1-ρ)·Δ²`, `w += lr · Δ`.
/// Slots: `accumulated_grad`, `accumulated_delta_var`.
public final class Adadelta: Optimizer, @unchecked Sendable {
  /// The decay of both running averages.
  public let rho: Float
  /// The constant added under the square roots.
  public let epsilon: Float

  /// Adadelta with Keras' defaults (Keras' `learning_rate=0.001`; the original paper uses 1).
  public init(
    learningRate: LearningRate = 0.001, rho: Float = 0.95, epsilon: Float = 1e-7, weightDecay: Float? = nil,
    clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil, name: String? = nil
  ) {
    self.rho = rho
    self.epsilon = epsilon
    super.init(
      learningRate: learningRate, weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue,
      globalClipnorm: globalClipnorm, name: name)
  }

  /// `accumulated_grad` and `accumulated_delta_var`, interleaved per variable.
  public override var slotGroups: [[OptimizerSlot]] {
    [[OptimizerSlot("accumulated_grad"), OptimizerSlot("accumulated_delta_var")]]
  }

  /// Keras' Adadelta step.
  /// Keras on TensorFlow squares a sparse (Embedding) gradient slice by slice.
  public override var sparseGradientStatistic: SparseGradientStatistic { .sumOfSquares }

  public override func update(
    _ variable: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>, slots: SlotBuffers,
    learningRate lr: Float, step: Int
  ) {
    let oneMinusRho = Float(1 - rho.pythonFloat)
    let accumulatedGrad = slots[0]
    let accumulatedDelta = slots[1]
    let squares = slots.sparseStatistic
    for i in variable.indices {
      let g = gradient[i]
      accumulatedGrad[i] = rho * accumulatedGrad[i] + oneMinusRho * (squares?[i] ?? g * g)
      let scale = (accumulatedDelta[i] + epsilon).squareRoot() / (accumulatedGrad[i] + epsilon).squareRoot()
      let delta = -((accumulatedDelta[i] + epsilon).squareRoot() * g / (accumulatedGrad[i] + epsilon).squareRoot())
      // A sparse gradient's slices are scaled and squared one by one: Σ (scale · gᵢ)².
      let deltaSquared = squares.map { scale * scale * $0[i] } ?? delta * delta
      accumulatedDelta[i] = rho * accumulatedDelta[i] + oneMinusRho * deltaSquared
      variable[i] += lr * delta
    }
  }

  /// `rho`, `epsilon`.
  public override var optimizerConfig: [(String, ConfigValue)] {
    [("rho", .decimal(rho)), ("epsilon", .decimal(epsilon))]
  }
}

extension OptimizerClass {
  /// ``Adadelta`` in the registry of optimizers.
  static let adadelta = OptimizerClass(className: "Adadelta", makeDefault: { Adadelta() }) { config in
    Adadelta(
      learningRate: config.learningRate, rho: try config.reader.float("rho", default: 0.95),
      epsilon: try config.reader.float("epsilon", default: 1e-7), weightDecay: config.weightDecay,
      clipnorm: config.clipnorm, clipvalue: config.clipvalue, globalClipnorm: config.globalClipnorm,
      name: config.name)
  }
}
