/// Gradient descent, optionally with momentum or Nesterov momentum (`keras.optimizers.SGD`).
///
/// Without momentum `w -= lr · g`. With momentum `m = momentum · m - lr · g`, then `w += m`, or with
/// Nesterov `w += momentum · m - lr · g`. The slot `momentum` exists only when `momentum` is not 0.
public final class SGD: Optimizer, @unchecked Sendable {
  /// The momentum factor in [0, 1].
  public let momentum: Float
  /// Whether to use Nesterov momentum.
  public let nesterov: Bool

  /// Gradient descent with Keras' defaults (`learning_rate=0.01`, no momentum); `momentum` must be in [0, 1].
  public init(
    learningRate: LearningRate = 0.01, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float? = nil,
    clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil, name: String? = nil
  ) {
    precondition(momentum >= 0 && momentum <= 1, "SGD: `momentum` must be a float between [0, 1], got \(momentum)")
    self.momentum = momentum
    self.nesterov = nesterov
    super.init(
      learningRate: learningRate, weightDecay: weightDecay, clipnorm: clipnorm, clipvalue: clipvalue,
      globalClipnorm: globalClipnorm, name: name)
  }

  /// `momentum` when the momentum factor is not 0.
  public override var slotGroups: [[OptimizerSlot]] { momentum != 0 ? [[OptimizerSlot("momentum")]] : [] }

  /// Keras' SGD step.
  public override func update(
    _ variable: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>, slots: SlotBuffers,
    learningRate lr: Float, step: Int
  ) {
    guard momentum != 0 else {
      for i in variable.indices { variable[i] -= gradient[i] * lr }
      return
    }
    let m = slots[0]
    for i in variable.indices {
      m[i] = m[i] * momentum - gradient[i] * lr
      variable[i] += nesterov ? m[i] * momentum - gradient[i] * lr : m[i]
    }
  }

  /// `momentum`, `nesterov`.
  public override var optimizerConfig: [(String, ConfigValue)] {
    [("momentum", .decimal(momentum)), ("nesterov", .bool(nesterov))]
  }
}

extension OptimizerClass {
  /// ``SGD`` in the registry of optimizers.
  static let sgd = OptimizerClass(className: "SGD", makeDefault: { SGD() }) { config in
    // SGD traps on a momentum outside [0, 1]; a file's value must throw instead.
    let momentum = try config.reader.float("momentum", default: 0)
    guard momentum >= 0, momentum <= 1 else {
      throw KerasError.invalidArgument("SGD optimizer config: 'momentum' must be a number in [0, 1], got \(momentum)")
    }
    return SGD(
      learningRate: config.learningRate, momentum: momentum,
      nesterov: try config.reader.bool("nesterov", default: false), weightDecay: config.weightDecay,
      clipnorm: config.clipnorm, clipvalue: config.clipvalue, globalClipnorm: config.globalClipnorm,
      name: config.name)
  }
}
