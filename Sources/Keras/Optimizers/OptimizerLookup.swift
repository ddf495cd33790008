/// The names ``optimizer(named:)`` accepts, in Keras' spelling.
public let optimizerNames = ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam"]

/// The optimizer Keras calls `name` (`"adam"`, `"rmsprop"`; case-insensitive, as
/// `keras.optimizers.get`), with Keras' default arguments.
///
/// - Throws: ``KerasError/unknownName(kind:name:valid:)`` listing the valid names.
public func optimizer(named name: String) throws -> Optimizer {
  switch name.lowercased() {
  case "sgd": return SGD()
  case "adam": return Adam()
  case "adamw": return AdamW()
  case "rmsprop": return RMSprop()
  case "adagrad": return Adagrad()
  case "adadelta": return Adadelta()
  case "adamax": return Adamax()
  case "nadam": return Nadam()
  default: throw KerasError.unknownName(kind: "optimizer", name: name, valid: optimizerNames)
  }
}
