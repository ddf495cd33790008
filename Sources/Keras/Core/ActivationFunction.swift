/// An activation function by its Keras name (`activation="relu"` in Keras).
///
/// ```swift
/// Dense(10, activation: .softmax)
/// Dense(10, activation: try ActivationFunction(named: "relu"))
/// ```
public enum ActivationFunction: String, CaseIterable, Sendable {
  case linear
  case relu
  case relu6
  case sigmoid
  case hardSigmoid = "hard_sigmoid"
  case tanh
  case softmax
  case logSoftmax = "log_softmax"
  case elu
  case selu
  case gelu
  case softplus
  case softsign
  case swish
  case silu
  case leakyRelu = "leaky_relu"
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
  public var name: String { rawValue }

  /// Applies the activation (softmax and log-softmax along the last axis).
  public func callAsFunction(_ x: Tensor) throws -> Tensor {
    switch self {
    case .linear: return x
    case .relu: return x.relu()
    case .relu6: return x.clipped(min: 0, max: 6)
    case .sigmoid: return x.sigmoid()
    case .hardSigmoid: return x.hardSigmoid()
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
