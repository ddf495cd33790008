/// A built-in optimizer class as model files and `compile` name it: the Keras class name
/// (`"Adam"`), its string form (`"adam"`), Keras' defaults and how a serialized config is read.
/// Each optimizer's file adds its entry (`extension OptimizerClass { static let adam = ... }`)
/// and ``OptimizerClass/builtIn`` lists them.
struct OptimizerClass: Sendable {
  /// The Keras class name (`"Adam"`).
  let className: String
  /// The optimizer with Keras' default arguments (`keras.optimizers.get("adam")`).
  let makeDefault: @Sendable () -> Optimizer
  /// The optimizer of a serialized config.
  let make: @Sendable (SerializedOptimizer) throws -> Optimizer

  /// The string form Keras accepts (`"adam"`, `"rmsprop"`): the class name in lower case.
  var name: String { className.lowercased() }

  /// The built-in optimizers, in the order error messages list them.
  static let builtIn: [OptimizerClass] = [.sgd, .adam, .adamW, .rmsprop, .adagrad, .adadelta, .adamax, .nadam]

  /// The built-in optimizer named `name` (class name or string form, in any case).
  static func named(_ name: String) -> OptimizerClass? {
    let key = name.lowercased()
    return builtIn.first { $0.name == key }
  }
}

/// An optimizer's serialized config with the arguments every optimizer takes already read: the
/// learning rate (a number or a schedule), weight decay, clipping and name.
struct SerializedOptimizer {
  /// The reader of the config's own keys.
  let reader: ConfigReader
  let learningRate: LearningRate
  let weightDecay: Float?
  let clipnorm: Float?
  let clipvalue: Float?
  let globalClipnorm: Float?
  let name: String?
}
