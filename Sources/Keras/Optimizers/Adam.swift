import Foundation

/// Adam (`keras.optimizers.Adam`): with `m += (g - m)(1 - β1)`, `v += (g² - v)(1 - β2)` and
/// `lr_t = lr · √(1 - β2^t) / (1 - β1^t)`, the step is `w -= m · lr_t / (√v + ε)`; with `amsgrad`
/// the running maximum `v̂ = max(v̂, v)` replaces `v`. Slots: `momentum`, `velocity`, and
/// `velocity_hat` with `amsgrad`.
public class Adam: Optimizer, @unchecked Sendable {
  /// The decay of the first-moment estimate (`beta_1`).
  public let beta1: Float
  /// The decay of the second-moment estimate (`beta_2`).
  public let beta2: Float
  /// The constant added to `√v`.
  public let epsilon: Float
  /// Whether to use the AMSGrad variant.
  public let amsgrad: Bool

  /// Adam with Keras' defaults.
  public init(
    learningRate: LearningRate = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
    amsgrad: Bool = false, weightDecay: Float? = nil, clipnorm: Float? = nil, clipvalue: Float? = nil,
    globalClipnorm: Float? = nil, name: String? = nil
  ) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.amsgrad = amsgrad
    super.init(
      learningRate: learningRate, weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue,
      globalClipnorm: globalClipnorm, name: name)
  }

  /// `momentum` and `velocity` (interleaved per variable), then `velocity_hat` with `amsgrad`.
  public override var slotGroups: [[OptimizerSlot]] {
    [[OptimizerSlot("momentum"), OptimizerSlot("velocity")]] + (amsgrad ? [[OptimizerSlot("velocity_hat")]] : [])
  }

  /// Keras' Adam step.
  /// Keras on TensorFlow squares a sparse (Embedding) gradient slice by slice.
  public override var sparseGradientStatistic: SparseGradientStatistic { .sumOfSquares }

  public override func update(
    _ variable: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>, slots: SlotBuffers,
    learningRate lr: Float, step: Int
  ) {
    let beta1Power = pow(beta1, Float(step))
    let beta2Power = pow(beta2, Float(step))
    let alpha = lr * (1 - beta2Power).squareRoot() / (1 - beta1Power)
    let oneMinusBeta1 = Float(1 - beta1.pythonFloat)
    let oneMinusBeta2 = Float(1 - beta2.pythonFloat)
    let m = slots[0]
    let v = slots[1]
    if let squares = slots.sparseStatistic {
      for i in variable.indices {
        m[i] += (gradient[i] - m[i]) * oneMinusBeta1
        v[i] += (squares[i] - v[i]) * oneMinusBeta2
      }
    } else {
      for i in variable.indices {
        let g = gradient[i]
        m[i] += (g - m[i]) * oneMinusBeta1
        v[i] += (g * g - v[i]) * oneMinusBeta2
      }
    }
    if amsgrad {
      let vHat = slots[2]
      for i in variable.indices {
        vHat[i] = Swift.max(vHat[i], v[i])
        variable[i] -= m[i] * alpha / (vHat[i].squareRoot() + epsilon)
      }
    } else {
      for i in variable.indices { variable[i] -= m[i] * alpha / (v[i].squareRoot() + epsilon) }
    }
  }

  /// `beta_1`, `beta_2`, `epsilon`, `amsgrad`.
  public override var optimizerConfig: [(String, ConfigValue)] {
    [
      ("beta_1", .decimal(beta1)), ("beta_2", .decimal(beta2)), ("epsilon", .decimal(epsilon)),
      ("amsgrad", .bool(amsgrad)),
    ]
  }
}

extension OptimizerClass {
  /// ``Adam`` in the registry of optimizers.
  static let adam = OptimizerClass(className: "Adam", makeDefault: { Adam() }) { config in
    Adam(
      learningRate: config.learningRate, beta1: try config.reader.float("beta_1", default: 0.9),
      beta2: try config.reader.float("beta_2", default: 0.999),
      epsilon: try config.reader.float("epsilon", default: 1e-7),
      amsgrad: try config.reader.bool("amsgrad", default: false), weightDecay: config.weightDecay,
      clipnorm: config.clipnorm, clipvalue: config.clipvalue, globalClipnorm: config.globalClipnorm,
      name: config.name)
  }
}
