/// A built-in loss as `compile` and model files name it: its Keras class name, the function
/// name and aliases Keras accepts as strings, its defaults and, for a loss whose config holds
/// settings, how a serialized config is read. Each loss's file adds its entry
/// (`extension LossClass { static let huber = ... }`) and ``LossClass/builtIn`` lists them.
struct LossClass: Sendable {
  /// The Keras class name (`"BinaryCrossentropy"`).
  let className: String
  /// The string forms: the function name first, then its aliases (`"binary_crossentropy"`, `"bce"`).
  let aliases: [String]
  /// The loss with Keras' default arguments.
  let makeDefault: @Sendable () -> any Loss
  /// The loss of a serialized config and its `name`, when the config's settings are read; nil
  /// when the defaults are used whatever the config holds.
  let make: (@Sendable (ConfigReader, _ name: String?) throws -> any Loss)?

  init(
    _ className: String, aliases: [String], makeDefault: @escaping @Sendable () -> any Loss,
    make: (@Sendable (ConfigReader, _ name: String?) throws -> any Loss)? = nil
  ) {
    self.className = className
    self.aliases = aliases
    self.makeDefault = makeDefault
    self.make = make
  }

  /// Every name the loss is found by: the aliases, then the class name.
  var names: [String] { aliases + [className] }

  /// The built-in losses, in the order error messages list their names.
  static let builtIn: [LossClass] = [
    .meanSquaredError, .meanAbsoluteError, .meanAbsolutePercentageError, .meanSquaredLogarithmicError, .huber,
    .logCosh, .binaryCrossentropy, .categoricalCrossentropy, .sparseCategoricalCrossentropy, .klDivergence,
    .poisson, .hinge, .squaredHinge, .cosineSimilarity,
  ]

  /// The built-in loss one of whose names is `name` (case-sensitive, as Keras).
  static func named(_ name: String) -> LossClass? { builtIn.first { $0.names.contains(name) } }
}
