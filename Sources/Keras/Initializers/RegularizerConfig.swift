extension Regularizer {
  /// The regularizer a Keras config describes: `{"module": "keras.regularizers", "class_name":
  /// "L2", "config": {"l2": 0.01}}` (Keras 3), the same without `module` (Keras 2, whose
  /// `L1L2` class wrote every penalty), or a name such as `"l2"`.
  ///
  /// Missing factors take Keras' defaults: 0.01 for `L1` and `L2`, 0 for `L1L2`.
  ///
  /// - Throws: ``KerasError/unknownName(kind:name:valid:)`` for a regularizer SwiftKeras does not
  ///   have; ``KerasError/invalidArgument(_:)`` naming the key for a factor that is not a
  ///   non-negative number.
  public init(config: ConfigValue) throws {
    if case .string(let name) = config {
      self = try Regularizer(named: name)
      return
    }
    let wrapper = try ConfigReader(config, owner: "Regularizer")
    let className = try wrapper.string("class_name")
    let reader = try ConfigReader(wrapper.present("config") ?? .object([]), owner: "Regularizer '\(className)'")
    func factor(_ key: String, default defaultValue: Float) throws -> Float {
      let value = try reader.float(key, default: defaultValue)
      guard value >= 0 else {
        throw reader.invalid(key, expected: "a non-negative number", got: .double(Double(value)))
      }
      return value
    }
    switch className {
    case "L1", "l1": self = .l1(try factor("l1", default: 0.01))
    case "L2", "l2": self = .l2(try factor("l2", default: 0.01))
    case "L1L2", "l1_l2": self = .l1l2(l1: try factor("l1", default: 0), l2: try factor("l2", default: 0))
    default: throw KerasError.unknownName(kind: "regularizer", name: className, valid: ["L1", "L2", "L1L2"])
    }
    try reader.rejectUnreadKeys()
  }
}
