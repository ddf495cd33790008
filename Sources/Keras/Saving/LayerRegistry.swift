import Foundation

/// The layer classes model files can name, found by Keras class name: SwiftKeras' built-in
/// layers and the custom classes registered here (Keras' `@keras.saving.register_keras_serializable`).
///
/// Built-in classes are registered under their class name (`"Dense"`), which is how Keras
/// files name them; a custom class under `package>Class` and, for Keras 2 files that give the
/// class name alone, under `Class` too. ``deserializeLayer(_:)``, ``loadModel(_:)-(String)``
/// and the nested layers of wrappers find both kinds with the same look-up.
///
/// ```swift
/// final class Scale: Layer, @unchecked Sendable {
///   let factor: Float
///   init(factor: Float, name: String? = nil) {
///     self.factor = factor
///     super.init(name: name)
///   }
///   override class var className: String { "Scale" }
///   override func call(_ input: Tensor, training: Bool) throws -> Tensor { input * factor }
///   override var layerConfig: [(String, ConfigValue)] { [("factor", .double(Double(factor)))] }
/// }
///
/// LayerRegistry.register("Scale", package: "my_package") { config in
///   Scale(factor: Float(config["factor"]?.doubleValue ?? 1), name: config["name"]?.stringValue)
/// }
/// ```
///
/// Files written by Keras name such a class `package>Class` in `registered_name`; SwiftKeras
/// writes its registered layers the same way, so Python loads them once the same class is
/// registered there.
public enum LayerRegistry {
  /// Makes a layer from its config (`layer.get_config()`, name included).
  public typealias Maker = @Sendable (ConfigValue) throws -> Layer

  /// One registered class: how a serialized layer of it is made.
  struct LayerClass: Sendable {
    /// The package of a custom class; nil for a built-in one.
    let package: String?
    /// The Swift class of a built-in layer; nil for a custom one.
    let type: (any KerasDeserializable.Type)?
    /// Makes the layer of a serialized config, named as given.
    let make: @Sendable (SerializedLayer, _ name: String?) throws -> Layer

    /// The entry of a built-in class.
    init(builtIn type: any KerasDeserializable.Type) {
      package = nil
      self.type = type
      make = { serialized, name in try serialized.makeBuiltIn(type, name: name) }
    }

    /// The entry of a class registered with a maker.
    init(package: String, _ maker: @escaping Maker) {
      self.package = package
      type = nil
      make = { serialized, _ in
        let layer = try maker(serialized.config)
        if case .bool(false)? = serialized.config["trainable"] { layer.trainable = false }
        return layer
      }
    }
  }

  private static let lock = NSLock()
  /// Every class by registered name: built-in ones by class name, custom ones by `package>Class`.
  nonisolated(unsafe) private static var classes: [String: LayerClass] = builtInClasses()
  /// The registered name of each custom class, by class name (Keras 2 files give the class alone).
  nonisolated(unsafe) private static var customNames: [String: String] = [:]

  /// The built-in classes by class name, older names (`CuDNNLSTM`) included.
  private static func builtInClasses() -> [String: LayerClass] {
    var classes: [String: LayerClass] = [:]
    for type in builtInLayerTypes {
      for name in [type.kerasClassName] + type.legacyClassNames { classes[name] = LayerClass(builtIn: type) }
    }
    return classes
  }

  /// The built-in class names, in the order error messages list them.
  static let classNames: [String] = builtInLayerTypes.map { $0.kerasClassName }

  /// Registers `className` under `package` (Keras' default package is `"Custom"`); the
  /// registered name is `package>className`. Registering a name again replaces its maker.
  public static func register(_ className: String, package: String = "Custom", _ make: @escaping Maker) {
    lock.withLock {
      let registered = "\(package)>\(className)"
      classes[registered] = LayerClass(package: package, make)
      customNames[className] = registered
    }
  }

  /// Removes a registration (for tests and plug-ins that unload).
  public static func unregister(_ className: String) {
    lock.withLock {
      if let registered = customNames.removeValue(forKey: className) { classes[registered] = nil }
    }
  }

  /// The class a serialized layer names: a built-in class when `registered_name` is absent or
  /// the class name and `module` is Keras' own (or absent), else the custom class registered as
  /// `registered_name`, else the custom class registered under `className` in any package.
  static func layerClass(className: String, registeredName: String?, module: String?) -> LayerClass? {
    let registered = registeredName ?? className
    let isKerasModule = module.map { $0 == "keras" || $0.hasPrefix("keras.") } ?? true
    return lock.withLock {
      if registered == className, isKerasModule, let builtIn = classes[className], builtIn.package == nil {
        return builtIn
      }
      if let custom = classes[registered], custom.package != nil { return custom }
      return customNames[className].flatMap { classes[$0] }
    }
  }

  /// The registered name (`package>Class`) of a custom class name, if registered.
  static func registeredName(of className: String) -> String? {
    lock.withLock { customNames[className] }
  }

  /// The registered names of the custom classes, for error messages.
  static var names: [String] { lock.withLock { customNames.values.sorted() } }
}

extension ConfigValue {
  /// The number of an `.int` or `.double`, else nil.
  public var doubleValue: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .double(let d): return d
    default: return nil
    }
  }
}
