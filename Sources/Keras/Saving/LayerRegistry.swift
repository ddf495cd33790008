import Foundation

/// Custom layer classes known by name, so model files that use them load
/// (Keras' `@keras.saving.register_keras_serializable`).
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

  private static let lock = NSLock()
  nonisolated(unsafe) private static var makers: [String: Maker] = [:]
  nonisolated(unsafe) private static var packages: [String: String] = [:]

  /// Registers `className` under `package` (Keras' default package is `"Custom"`); the
  /// registered name is `package>className`. Registering a name again replaces its maker.
  public static func register(_ className: String, package: String = "Custom", _ make: @escaping Maker) {
    lock.withLock {
      makers["\(package)>\(className)"] = make
      makers[className] = make
      packages[className] = package
    }
  }

  /// Removes a registration (for tests and plug-ins that unload).
  public static func unregister(_ className: String) {
    lock.withLock {
      if let package = packages.removeValue(forKey: className) { makers["\(package)>\(className)"] = nil }
      makers[className] = nil
    }
  }

  /// The maker of a registered name (`package>Class` or `Class`).
  static func maker(for name: String) -> Maker? { lock.withLock { makers[name] } }

  /// The registered name (`package>Class`) of a class name, if registered.
  static func registeredName(of className: String) -> String? {
    lock.withLock { packages[className].map { "\($0)>\(className)" } }
  }

  /// The registered names, for error messages.
  static var names: [String] { lock.withLock { packages.map { "\($1)>\($0)" }.sorted() } }
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
