/// The pre-activation values of a model output that ended in a sigmoid or softmax.
///
/// Keras on TensorFlow computes cross-entropies from these logits when the output came out
/// of such an activation (`output._keras_logits`), which is both more exact and what makes
/// Swift's numbers equal Keras'. The training loop passes them to ``Loss/call(_:_:logits:)``.
public struct OutputLogits: Sendable {
  /// The activation that turned `values` into the model output: `.sigmoid` or `.softmax`.
  public let activation: ActivationFunction
  /// The values before the activation, shaped like the output.
  public let values: Tensor

  /// Logits that went through `activation`.
  public init(activation: ActivationFunction, values: Tensor) {
    self.activation = activation
    self.values = values
  }
}

/// A Keras loss: per-sample values from labels and predictions, reduced as Keras'
/// `sum_over_batch_size` (the weighted sum divided by the number of values).
///
/// Conforming types implement ``call(_:_:)`` (and ``call(_:_:logits:)`` when they can use the
/// logits of a sigmoid or softmax output) with differentiable tensor ops, so gradients flow.
public protocol Loss: Sendable {
  /// Keras' name for this loss (`"binary_crossentropy"`), used in logs and configs.
  var name: String { get }

  /// The per-sample losses: shape `[N]` for `[N, D]` predictions (the mean over the last axis
  /// where Keras takes it), `[N, T]` for per-step predictions `[N, T, D]`.
  ///
  /// - Throws: when the shapes of `yTrue` and `yPred` do not fit this loss, naming both.
  func call(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor

  /// As ``call(_:_:)``, given the logits when `yPred` came out of a sigmoid or softmax.
  /// The default ignores the logits.
  func call(_ yTrue: Tensor, _ yPred: Tensor, logits: OutputLogits?) throws -> Tensor

  /// The Keras config (`{"module": "keras.losses", "class_name": ..., "config": ...}`).
  var config: ConfigValue { get }
}

extension Loss {
  public func call(_ yTrue: Tensor, _ yPred: Tensor, logits: OutputLogits?) throws -> Tensor {
    try call(yTrue, yPred)
  }

  /// The reduced loss, a scalar: `sum(values · sampleWeight) / count(values)`, as Keras'
  /// `sum_over_batch_size` reduction. `sampleWeight` is `[N]` (or shaped like the values).
  public func callAsFunction(
    _ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor? = nil, logits: OutputLogits? = nil
  ) throws -> Tensor {
    var values = try call(yTrue, yPred, logits: logits)
    if let sampleWeight {
      var weight = sampleWeight
      while weight.rank < values.rank { weight = try weight.expandingDims(at: -1) }
      values = try values * weight
    }
    return values.count == 0 ? Tensor(0) : values.sum() / Float(values.count)
  }
}
