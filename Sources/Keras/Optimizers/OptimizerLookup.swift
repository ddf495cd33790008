/// The names ``optimizer(named:)`` accepts, in Keras' spelling.
public let optimizerNames: [String] = OptimizerClass.builtIn.map { $0.name }

/// The optimizer Keras calls `name` (`"adam"`, `"rmsprop"`; case-insensitive, as
/// `keras.optimizers.get`), with Keras' default arguments.
///
/// - Throws: ``KerasError/unknownName(kind:name:valid:)`` listing the valid names.
public func optimizer(named name: String) throws -> Optimizer {
  guard let optimizerClass = OptimizerClass.named(name) else {
    throw KerasError.unknownName(kind: "optimizer", name: name, valid: optimizerNames)
  }
  return optimizerClass.makeDefault()
}
