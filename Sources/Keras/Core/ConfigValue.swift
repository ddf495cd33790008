import Foundation

/// A JSON value in a Keras config (`get_config()`), ordered as Keras writes it.
public indirect enum ConfigValue: Equatable, Sendable, CustomStringConvertible {
  case null
  case bool(Bool)
  case int(Int)
  case double(Double)
  case string(String)
  case array([ConfigValue])
  /// Keys in the order Keras writes them.
  case object([(String, ConfigValue)])

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
  public init(stringLiteral value: String) { self = .string(value) }
  public init(integerLiteral value: Int) { self = .int(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(floatLiteral value: Double) { self = .double(value) }
  public init(nilLiteral: ()) { self = .null }
}

extension ConfigValue {
  /// A shape as Keras writes it (a list, `null` for unknown dimensions).
  static func shape(_ dims: [Int?]) -> ConfigValue { .array(dims.map { $0.map { .int($0) } ?? .null }) }
  /// An optional float as a JSON number or null.
  static func number(_ value: Float?) -> ConfigValue { value.map { .double(Double($0)) } ?? .null }
}
