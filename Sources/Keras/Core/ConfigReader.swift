/// Reads typed values from one Keras config object, naming its owner and the key in every
/// error: `Layer 'dense' config: 'units' must be an integer, got "abc"`.
///
/// It remembers which keys were read, so ``rejectUnreadKeys()`` can refuse a setting the
/// reader of this config does not know instead of silently dropping it.
final class ConfigReader {
  /// Who the config belongs to, as errors name it: `Layer 'dense'`, `Initializer 'RandomUniform'`.
  let owner: String
  private let pairs: [(String, ConfigValue)]
  private var readKeys: Set<String> = []

  /// A reader of `config`, which must be a JSON object.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when `config` is not an object.
  init(_ config: ConfigValue, owner: String) throws {
    guard case .object(let pairs) = config else {
      throw KerasError.invalidArgument("\(owner) config must be a JSON object, got \(config.json)")
    }
    self.owner = owner
    self.pairs = pairs
  }

  /// The value under `key` (nil when absent; `.null` when null), marking the key as read.
  func value(_ key: String) -> ConfigValue? {
    readKeys.insert(key)
    return pairs.first { $0.0 == key }?.1
  }

  /// The value under `key` unless it is absent or null.
  func present(_ key: String) -> ConfigValue? {
    guard let value = value(key), value != .null else { return nil }
    return value
  }

  /// Marks keys as read whatever their value: settings that change nothing SwiftKeras computes.
  func ignore(_ keys: String...) { readKeys.formUnion(keys) }

  // MARK: Errors

  /// The error for a value of the wrong type or range.
  func invalid(_ key: String, expected: String, got value: ConfigValue) -> KerasError {
    KerasError.invalidArgument("\(owner) config: '\(key)' must be \(expected), got \(value.json)")
  }

  /// The error for a valid Keras setting that SwiftKeras cannot honour.
  func unsupported(_ key: String, _ value: ConfigValue, _ reason: String) -> KerasError {
    KerasError.invalidArgument("\(owner) config: '\(key)' = \(value.json) is not supported: \(reason)")
  }

  /// The error for a nested config (an initializer, a wrapped layer) that failed to read.
  func nested(_ key: String, _ error: Error) -> KerasError {
    KerasError.invalidArgument("\(owner) config: '\(key)': \(error)")
  }

  private func missing(_ key: String, expected: String) -> KerasError {
    KerasError.invalidArgument("\(owner) config: '\(key)' is missing; it must be \(expected)")
  }

  /// Reads `key` with `convert`, or returns `defaultValue` when the key is absent (or null and
  /// `nullIsDefault`); throws naming `expected` when the key is missing without a default or
  /// `convert` returns nil.
  private func read<T>(
    _ key: String, _ expected: String, default defaultValue: T?, nullIsDefault: Bool = false,
    _ convert: (ConfigValue) -> T?
  ) throws -> T {
    guard let value = value(key), !(nullIsDefault && value == .null) else {
      guard let defaultValue else { throw missing(key, expected: expected) }
      return defaultValue
    }
    guard let result = convert(value) else { throw invalid(key, expected: expected, got: value) }
    return result
  }

  // MARK: Scalars

  /// An integer (a whole JSON number).
  func int(_ key: String, default defaultValue: Int? = nil) throws -> Int {
    try read(key, "an integer", default: defaultValue, ConfigReader.integer)
  }

  /// An integer of at least 1.
  func positiveInt(_ key: String, default defaultValue: Int? = nil) throws -> Int {
    try read(key, "a positive integer", default: defaultValue) {
      ConfigReader.integer($0).flatMap { $0 > 0 ? $0 : nil }
    }
  }

  /// A number, as a Float.
  func float(_ key: String, default defaultValue: Float? = nil) throws -> Float {
    try read(key, "a number", default: defaultValue, ConfigReader.number)
  }

  /// A number in `[0, 1)`, such as a dropout rate.
  func fraction(_ key: String, default defaultValue: Float? = nil) throws -> Float {
    try read(key, "a number in [0, 1)", default: defaultValue) {
      ConfigReader.number($0).flatMap { $0 >= 0 && $0 < 1 ? $0 : nil }
    }
  }

  /// A boolean.
  func bool(_ key: String, default defaultValue: Bool? = nil) throws -> Bool {
    try read(key, "true or false", default: defaultValue) {
      if case .bool(let b) = $0 { return b }
      return nil
    }
  }

  /// A string.
  func string(_ key: String, default defaultValue: String? = nil) throws -> String {
    try read(key, "a string", default: defaultValue) {
      if case .string(let s) = $0 { return s }
      return nil
    }
  }

  /// A string, or nil when the key is absent or null.
  func optionalString(_ key: String) throws -> String? {
    try read(key, "a string or null", default: .some(nil), nullIsDefault: true) { value -> String?? in
      if case .string(let s) = value { return .some(s) }
      return nil
    }
  }

  /// A random seed (an integer, or null for none), as Keras writes it.
  func seed(_ key: String) throws -> UInt64? {
    try read(key, "an integer seed or null", default: .some(nil), nullIsDefault: true) { value -> UInt64?? in
      guard let seed = ConfigReader.integer(value) else { return nil }
      return .some(UInt64(bitPattern: Int64(seed)))
    }
  }

  // MARK: Lists

  /// A whole number given alone or as a one-element list (Keras writes `kernel_size` as `[3]`),
  /// at least 1.
  func positiveIntOrSingleList(_ key: String, default defaultValue: Int? = nil) throws -> Int {
    try read(key, "a positive integer or a list of one", default: defaultValue, nullIsDefault: defaultValue != nil) {
      value in
      let single: Int?
      if case .array(let items) = value {
        single = items.count == 1 ? ConfigReader.integer(items[0]) : nil
      } else {
        single = ConfigReader.integer(value)
      }
      return single.flatMap { $0 > 0 ? $0 : nil }
    }
  }

  /// A positive integer for both axes, or a list of two (Keras' `kernel_size=3` or `(3, 5)`).
  func positiveIntPair(_ key: String, default defaultValue: Size2D? = nil) throws -> Size2D {
    try read(key, "a positive integer or a list of two", default: defaultValue, nullIsDefault: defaultValue != nil) {
      value in
      let pair: [Int?]
      if case .array(let items) = value { pair = items.map(ConfigReader.integer) } else { pair = [ConfigReader.integer(value)] }
      let sizes = pair.compactMap { $0 }
      guard sizes.count == pair.count, sizes.allSatisfy({ $0 > 0 }) else { return nil }
      switch sizes.count {
      case 1: return Size2D(sizes[0], sizes[0])
      case 2: return Size2D(sizes[0], sizes[1])
      default: return nil
      }
    }
  }

  /// A list of integers.
  func intList(_ key: String, default defaultValue: [Int]? = nil) throws -> [Int] {
    try read(key, "a list of integers", default: defaultValue) { value in
      guard case .array(let items) = value else { return nil }
      let ints = items.compactMap(ConfigReader.integer)
      return ints.count == items.count ? ints : nil
    }
  }

  /// An integer, or a list of integers.
  func intOrIntList(_ key: String, default defaultValue: Int? = nil) throws -> (axes: [Int], isList: Bool) {
    try read(key, "an integer or a list of integers", default: defaultValue.map { ([$0], false) }) { value in
      if let single = ConfigReader.integer(value) { return ([single], false) }
      guard case .array(let items) = value else { return nil }
      let ints = items.compactMap(ConfigReader.integer)
      return ints.count == items.count ? (ints, true) : nil
    }
  }

  /// A shape as Keras writes it: a list of non-negative sizes with `null` for unknown ones;
  /// nil when the key is absent or null.
  func shape(_ key: String) throws -> [Int?]? {
    try read(key, "a shape (a list of sizes or nulls)", default: .some(nil), nullIsDefault: true) { value in
      guard case .array(let items) = value else { return nil }
      var dims: [Int?] = []
      for item in items {
        if item == .null {
          dims.append(nil)
        } else if let size = ConfigReader.integer(item), size >= 0 {
          dims.append(size)
        } else {
          return nil
        }
      }
      return .some(dims)
    }
  }

  // MARK: Keras objects

  /// An activation by Keras name; null means linear.
  func activation(_ key: String, default defaultValue: ActivationFunction? = nil) throws -> ActivationFunction {
    guard let value = value(key) else {
      guard let defaultValue else { throw missing(key, expected: "an activation name") }
      return defaultValue
    }
    switch value {
    case .null: return .linear
    case .string(let name):
      if name == "hard_sigmoid", KerasDialect.current == .keras2 { return .hardSigmoidKeras2 }
      do {
        return try ActivationFunction(named: name)
      } catch {
        throw nested(key, error)
      }
    default: throw invalid(key, expected: "an activation name", got: value)
    }
  }

  /// An initializer config or name (see ``Initializer/init(config:)``); `defaultValue` when absent or null.
  func initializer(_ key: String, default defaultValue: Initializer) throws -> Initializer {
    guard let value = present(key) else { return defaultValue }
    do {
      return try Initializer(config: value)
    } catch {
      throw nested(key, error)
    }
  }

  /// A regularizer config or name (see ``Regularizer/init(config:)``), or nil when absent or null.
  func regularizer(_ key: String) throws -> Regularizer? {
    guard let value = present(key) else { return nil }
    do {
      return try Regularizer(config: value)
    } catch {
      throw nested(key, error)
    }
  }

  // MARK: Settings SwiftKeras cannot honour

  /// Throws unless `key` is absent or one of `allowed`.
  func require(_ key: String, in allowed: [ConfigValue], _ reason: String) throws {
    guard let value = value(key), !allowed.contains(value) else { return }
    throw unsupported(key, value, reason)
  }

  /// Throws unless `key` is absent or null: constraints, activity regularizers and other
  /// settings SwiftKeras does not have.
  func requireNull(_ key: String, _ reason: String) throws {
    try require(key, in: [.null], reason)
  }

  /// The dtype policy under `key` (a name such as `"mixed_bfloat16"`, Keras 3's `DTypePolicy`
  /// config or Keras 2's `Policy`), nil when absent or null.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the owner for a policy SwiftKeras does not have.
  func dtypePolicy(_ key: String = "dtype") throws -> DTypePolicy? {
    guard let value = present(key) else { return nil }
    do {
      return try DTypePolicy(config: value)
    } catch {
      throw unsupported(key, value, "\(error)")
    }
  }

  /// Throws unless the `dtype` (a name such as `"float32"`, or a `DTypePolicy` config) is float32.
  func requireFloat32(_ key: String = "dtype") throws {
    guard let value = present(key) else { return }
    var name = value
    if case .object = value { name = value["config"]?["name"] ?? value }
    guard name != .string("float32") else { return }
    throw unsupported(key, value, "SwiftKeras computes in float32")
  }

  /// Throws for the first key no accessor has read, unless its value is null (an unset option
  /// of a newer Keras changes nothing).
  func rejectUnreadKeys() throws {
    for (key, value) in pairs where !readKeys.contains(key) && value != .null {
      throw unsupported(key, value, "SwiftKeras does not know this setting")
    }
  }

  // MARK: Conversions

  /// A whole JSON number as an Int (`3` or `3.0`), else nil.
  static func integer(_ value: ConfigValue) -> Int? {
    switch value {
    case .int(let i): return i
    case .double(let d) where d == d.rounded() && Swift.abs(d) < 9e15: return Int(d)
    default: return nil
    }
  }

  /// A JSON number as a Float, else nil.
  static func number(_ value: ConfigValue) -> Float? {
    switch value {
    case .int(let i): return Float(i)
    case .double(let d): return Float(d)
    default: return nil
    }
  }
}
