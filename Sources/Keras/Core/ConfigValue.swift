import Foundation

/// A JSON value in a Keras config (`get_config()`), ordered as Keras writes it.
public indirect enum ConfigValue: Equatable, Sendable, CustomStringConvertible {
  /// JSON `null` (Python's `None`).
  case null
  /// `true` or `false`.
  case bool(Bool)
  /// A JSON number without a fraction, such as `units`.
  case int(Int)
  /// A JSON number with a fraction, such as `rate` (written `0.0` when whole, as Python).
  case double(Double)
  /// A JSON string.
  case string(String)
  /// A JSON array (Python list or tuple).
  case array([ConfigValue])
  /// A JSON object (Python dict); keys in the order Keras writes them.
  case object([(String, ConfigValue)])

  /// Whether two values hold the same JSON: objects compare as dictionaries (key order aside),
  /// and an `int` equals a `double` of the same value.
  public static func == (lhs: ConfigValue, rhs: ConfigValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.int(let a), .int(let b)): return a == b
    case (.double(let a), .double(let b)): return a == b
    case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)): return a == b
    case (.object(let a), .object(let b)):
      return a.count == b.count && Dictionary(a, uniquingKeysWith: { x, _ in x }) == Dictionary(b, uniquingKeysWith: { x, _ in x })
    default: return false
    }
  }

  /// The value under `key` of an object, or nil.
  public subscript(key: String) -> ConfigValue? {
    if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
    return nil
  }

  /// Compact JSON text of this value.
  public var json: String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .double(let d):
      if d.isNaN { return "NaN" }
      if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
      return d == d.rounded() && Swift.abs(d) < 1e15 ? String(format: "%.1f", d) : "\(d)"
    case .string(let s): return ConfigValue.quote(s)
    case .array(let items): return "[" + items.map(\.json).joined(separator: ", ") + "]"
    case .object(let pairs): return "{" + pairs.map { ConfigValue.quote($0.0) + ": " + $0.1.json }.joined(separator: ", ") + "}"
    }
  }

  /// The compact JSON text, as ``json``.
  public var description: String { json }

  private static func quote(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}

extension ConfigValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
  ExpressibleByFloatLiteral, ExpressibleByNilLiteral
{
  /// A string literal as ``string(_:)``.
  public init(stringLiteral value: String) { self = .string(value) }
  /// An integer literal as ``int(_:)``.
  public init(integerLiteral value: Int) { self = .int(value) }
  /// `true` or `false` as ``bool(_:)``.
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  /// A float literal as ``double(_:)``.
  public init(floatLiteral value: Double) { self = .double(value) }
  /// `nil` as ``null``.
  public init(nilLiteral: ()) { self = .null }
}

extension ConfigValue {
  /// A shape as Keras writes it (a list, `null` for unknown dimensions).
  static func shape(_ dims: [Int?]) -> ConfigValue { .array(dims.map { $0.map { .int($0) } ?? .null }) }
  /// An optional float as a JSON number or null.
  static func number(_ value: Float?) -> ConfigValue { value.map { .double(Double($0)) } ?? .null }
}

extension ConfigValue {
  /// The string of a `.string`, else nil.
  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// The integer of an `.int` (or of a whole `.double`), else nil.
  public var intValue: Int? {
    switch self {
    case .int(let i): return i
    case .double(let d) where d == d.rounded() && Swift.abs(d) < 1e15: return Int(d)
    default: return nil
    }
  }
}
