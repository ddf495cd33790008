/// A weight penalty added to the training loss: `l1 · sum(|w|) + l2 · sum(w²)` (`keras.regularizers`).
///
/// ```swift
/// Dense(64, kernelRegularizer: .l2(0.01))
/// ```
public struct Regularizer: Sendable, Equatable {
  /// The L1 factor: the penalty adds `l1 · Σ|w|`.
  public var l1: Float
  /// The L2 factor: the penalty adds `l2 · Σw²`.
  public var l2: Float

  /// An L1 penalty (Keras default factor 0.01).
  public static func l1(_ factor: Float = 0.01) -> Regularizer { Regularizer(l1: factor, l2: 0) }
  /// An L2 penalty (Keras default factor 0.01).
  public static func l2(_ factor: Float = 0.01) -> Regularizer { Regularizer(l1: 0, l2: factor) }
  /// Both penalties (Keras defaults 0.01 each).
  public static func l1l2(l1: Float = 0.01, l2: Float = 0.01) -> Regularizer { Regularizer(l1: l1, l2: l2) }

  /// The regularizer with Keras name `name` (`"l1"`, `"l2"`, `"l1_l2"`) and default factors.
  public init(named name: String) throws {
    switch name {
    case "l1", "L1": self = .l1()
    case "l2", "L2": self = .l2()
    case "l1_l2", "L1L2": self = .l1l2()
    default: throw KerasError.unknownName(kind: "regularizer", name: name, valid: ["l1", "l2", "l1_l2"])
    }
  }

  init(l1: Float, l2: Float) {
    self.l1 = l1
    self.l2 = l2
  }

  /// The penalty for `weights`, a scalar tensor (differentiable).
  public func callAsFunction(_ weights: Tensor) -> Tensor {
    var penalty = Tensor(0)
    if l1 != 0 { penalty = try! penalty + l1 * weights.abs().sum() }
    if l2 != 0 { penalty = try! penalty + l2 * weights.square().sum() }
    return penalty
  }

  /// The Keras config: `L1`, `L2` or `L1L2` with its factors.
  public var config: ConfigValue {
    let (className, inner): (String, [(String, ConfigValue)]) =
      l1 != 0 && l2 != 0 || (l1 == 0 && l2 == 0)
      ? ("L1L2", [("l1", .decimal(l1)), ("l2", .decimal(l2))])
      : l1 != 0 ? ("L1", [("l1", .decimal(l1))]) : ("L2", [("l2", .decimal(l2))])
    return .object([
      ("module", "keras.regularizers"), ("class_name", .string(className)), ("config", .object(inner)),
      ("registered_name", .null),
    ])
  }
}
