/// An activation function by its Keras name (`activation="relu"` in Keras).
///
/// ```swift
/// Dense(10, activation: .softmax)
/// Dense(10, activation: try ActivationFunction(named: "relu"))
/// ```
public enum ActivationFunction: String, CaseIterable, Sendable {
  /// The identity, `x` (`"linear"`, Keras' default for `Dense`).
  case linear
  /// `max(x, 0)` (`"relu"`).
  case relu
  /// `min(max(x, 0), 6)` (`"relu6"`).
  case relu6
  /// `1 / (1 + e^-x)` (`"sigmoid"`); a final sigmoid's logits feed binary cross-entropy.
  case sigmoid
  /// Keras 3's `clip(x / 6 + 0.5, 0, 1)` (`"hard_sigmoid"`).
  case hardSigmoid = "hard_sigmoid"
  /// Keras 2's `clip(0.2 · x + 0.5, 0, 1)`, which Keras 1 and 2 (tf.keras) called `"hard_sigmoid"`:
  /// what a layer read from a Keras 2 file computes. Its ``name`` in configs is `"hard_sigmoid"`,
  /// which Keras 3 reads as ``hardSigmoid``.
  case hardSigmoidKeras2 = "hard_sigmoid_keras2"
  /// The hyperbolic tangent (`"tanh"`, the default activation of the recurrent layers).
  case tanh
  /// `e^x / Σ e^x` along the last axis (`"softmax"`); a final softmax's logits feed categorical cross-entropy.
  case softmax
  /// `x - log Σ e^x` along the last axis (`"log_softmax"`).
  case logSoftmax = "log_softmax"
  /// `x` for `x > 0`, else `e^x - 1` (`"elu"`, alpha 1).
  case elu
  /// Scaled ELU with Keras' constants (`"selu"`).
  case selu
  /// The exact (erf) Gaussian error linear unit (`"gelu"`).
  case gelu
  /// `log(1 + e^x)` (`"softplus"`).
  case softplus
  /// `x / (1 + |x|)` (`"softsign"`).
  case softsign
  /// `x · sigmoid(x)` (`"swish"`).
  case swish
  /// `x · sigmoid(x)`, the same as ``swish`` (`"silu"`).
  case silu
  /// `x` for `x >= 0`, else `0.2 · x` (`"leaky_relu"`, Keras 3's default slope).
  case leakyRelu = "leaky_relu"
  /// `e^x` (`"exponential"`).
  case exponential

  /// The activation with Keras name `name` (`"relu"`, `"hard_sigmoid"`, ...); `nil` or `"linear"` is the identity.
  ///
  /// - Throws: ``KerasError/unknownName(kind:name:valid:)`` listing the valid names.
  public init(named name: String?) throws {
    guard let name else {
      self = .linear
      return
    }
    guard let value = ActivationFunction(rawValue: name) else {
      throw KerasError.unknownName(kind: "activation", name: name, valid: ActivationFunction.allCases.map(\.rawValue))
    }
    self = value
  }

  /// Whether Keras keeps the input of this activation as logits for cross-entropy (sigmoid, softmax).
  public var producesLogits: Bool { self == .sigmoid || self == .softmax }

  /// The Keras name, as written in configs.
  public var name: String { self == .hardSigmoidKeras2 ? ActivationFunction.hardSigmoid.rawValue : rawValue }

  /// Applies the activation (softmax and log-softmax along the last axis).
  public func callAsFunction(_ x: Tensor) throws -> Tensor {
    switch self {
    case .linear: return x
    case .relu: return x.relu()
    case .relu6: return x.clipped(min: 0, max: 6)
    case .sigmoid: return x.sigmoid()
    case .hardSigmoid: return x.hardSigmoid()
    case .hardSigmoidKeras2: return (x * 0.2 + 0.5).clipped(min: 0, max: 1)
    case .tanh: return x.tanh()
    case .softmax: return try x.softmax(axis: -1)
    case .logSoftmax: return try x.logSoftmax(axis: -1)
    case .elu: return x.elu()
    case .selu: return x.selu()
    case .gelu: return x.gelu()
    case .softplus: return x.softplus()
    case .softsign: return x.softsign()
    case .swish, .silu: return x.swish()
    case .leakyRelu: return x.leakyRelu()
    case .exponential: return x.exp()
    }
  }
}
