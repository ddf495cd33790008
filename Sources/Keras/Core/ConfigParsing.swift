extension ConfigValue {
  /// Parses JSON text as Keras writes it (`model.to_json()`, `config.json`, an `.h5` file's
  /// `model_config`), keeping the order of object keys.
  ///
  /// Numbers without a fraction or exponent that fit an `Int` become ``int(_:)``, all others
  /// ``double(_:)``. Python's `NaN`, `Infinity` and `-Infinity` tokens, which `json.dumps`
  /// writes for non-finite floats, are accepted. When a key repeats, the last value wins at the
  /// first key's place (as Python's `json.loads`).
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the line and column of the first error.
  public static func parse(json text: String) throws -> ConfigValue {
    var parser = JSONParser(Array(text.utf8))
    return try parser.parseDocument()
  }
}

/// A recursive-descent JSON parser over UTF-8 bytes.
private struct JSONParser {
  private let bytes: [UInt8]
  private var position = 0
  private var depth = 0
  /// Deeper nesting than this is refused rather than risking the stack.
  private static let maximumDepth = 256

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  mutating func parseDocument() throws -> ConfigValue {
    skipWhitespace()
    let value = try parseValue()
    skipWhitespace()
    guard position == bytes.count else { throw error("expected the end of the text, got \(describeCurrent())") }
    return value
  }

  private mutating func parseValue() throws -> ConfigValue {
    guard position < bytes.count else { throw error("expected a value, got the end of the text") }
    switch bytes[position] {
    case UInt8(ascii: "{"): return try nested { try $0.parseObject() }
    case UInt8(ascii: "["): return try nested { try $0.parseArray() }
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "n"): return try literal("null", .null)
    case UInt8(ascii: "N"): return try literal("NaN", .double(.nan))
    case UInt8(ascii: "I"): return try literal("Infinity", .double(.infinity))
    case UInt8(ascii: "-") where matches("-Infinity"): return try literal("-Infinity", .double(-.infinity))
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    default: throw error("expected a value, got \(describeCurrent())")
    }
  }

  private mutating func nested(_ parse: (inout JSONParser) throws -> ConfigValue) throws -> ConfigValue {
    depth += 1
    defer { depth -= 1 }
    guard depth <= JSONParser.maximumDepth else {
      throw error("nesting deeper than \(JSONParser.maximumDepth) levels")
    }
    return try parse(&self)
  }

  private mutating func parseObject() throws -> ConfigValue {
    position += 1
    var pairs: [(String, ConfigValue)] = []
    var indexOfKey: [String: Int] = [:]
    skipWhitespace()
    if consume(UInt8(ascii: "}")) { return .object(pairs) }
    while true {
      skipWhitespace()
      guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
        throw error("expected a string key, got \(describeCurrent())")
      }
      let key = try parseString()
      skipWhitespace()
      guard consume(UInt8(ascii: ":")) else {
        throw error("expected ':' after key \"\(key)\", got \(describeCurrent())")
      }
      skipWhitespace()
      let value = try parseValue()
      if let index = indexOfKey[key] {
        pairs[index].1 = value
      } else {
        indexOfKey[key] = pairs.count
        pairs.append((key, value))
      }
      skipWhitespace()
      if consume(UInt8(ascii: ",")) { continue }
      if consume(UInt8(ascii: "}")) { return .object(pairs) }
      throw error("expected ',' or '}' in an object, got \(describeCurrent())")
    }
  }

  private mutating func parseArray() throws -> ConfigValue {
    position += 1
    var items: [ConfigValue] = []
    skipWhitespace()
    if consume(UInt8(ascii: "]")) { return .array(items) }
    while true {
      skipWhitespace()
      items.append(try parseValue())
      skipWhitespace()
      if consume(UInt8(ascii: ",")) { continue }
      if consume(UInt8(ascii: "]")) { return .array(items) }
      throw error("expected ',' or ']' in an array, got \(describeCurrent())")
    }
  }

  private mutating func parseString() throws -> String {
    let start = position
    position += 1
    var utf8: [UInt8] = []
    while position < bytes.count {
      let byte = bytes[position]
      switch byte {
      case UInt8(ascii: "\""):
        position += 1
        return String(decoding: utf8, as: UTF8.self)
      case UInt8(ascii: "\\"):
        position += 1
        guard position < bytes.count else { break }
        let escape = bytes[position]
        position += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"): utf8.append(contentsOf: try parseUnicodeEscape())
        default:
          position -= 2
          throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))' in a string")
        }
      case 0..<0x20:
        throw error("unescaped control character U+\(hex(UInt32(byte))) in a string")
      default:
        utf8.append(byte)
        position += 1
      }
    }
    position = start
    throw error("unterminated string")
  }

  /// The UTF-8 bytes of a `\uXXXX` escape (the `\u` already read), joining a surrogate pair.
  private mutating func parseUnicodeEscape() throws -> [UInt8] {
    let escapeStart = position - 2
    var value = try hexQuad()
    if (0xD800..<0xDC00).contains(value) {
      guard matches("\\u") else {
        position = escapeStart
        throw error("unpaired surrogate \\u\(hex(value)) in a string")
      }
      position += 2
      let low = try hexQuad()
      guard (0xDC00..<0xE000).contains(low) else {
        position = escapeStart
        throw error("unpaired surrogate \\u\(hex(value)) in a string")
      }
      value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
    } else if (0xDC00..<0xE000).contains(value) {
      position = escapeStart
      throw error("unpaired surrogate \\u\(hex(value)) in a string")
    }
    return Array(String(Character(Unicode.Scalar(value)!)).utf8)
  }

  private mutating func hexQuad() throws -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<4 {
      guard position < bytes.count, let digit = hexDigit(bytes[position]) else {
        throw error("expected 4 hexadecimal digits after \\u, got \(describeCurrent())")
      }
      value = value << 4 | digit
      position += 1
    }
    return value
  }

  private func hexDigit(_ byte: UInt8) -> UInt32? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
    default: return nil
    }
  }

  /// A number by JSON's grammar: `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`.
  private mutating func parseNumber() throws -> ConfigValue {
    let start = position
    _ = consume(UInt8(ascii: "-"))
    if consume(UInt8(ascii: "0")) {
      if position < bytes.count, isDigit(bytes[position]) {
        throw error("a number cannot have a leading zero")
      }
    } else if !digits() {
      throw error("expected a digit, got \(describeCurrent())")
    }
    var isInteger = true
    if consume(UInt8(ascii: ".")) {
      isInteger = false
      guard digits() else { throw error("expected a digit after '.', got \(describeCurrent())") }
    }
    if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
      isInteger = false
      if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
      guard digits() else { throw error("expected a digit in the exponent, got \(describeCurrent())") }
    }
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    if isInteger, let value = Int(text) { return .int(value) }
    guard let value = Double(text) else {
      position = start
      throw error("invalid number \(text)")
    }
    return .double(value)
  }

  /// Reads one or more digits; false when there are none.
  private mutating func digits() -> Bool {
    let start = position
    while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    return position > start
  }

  private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

  private mutating func literal(_ word: String, _ value: ConfigValue) throws -> ConfigValue {
    guard matches(word) else { throw error("expected a value, got \(describeCurrent())") }
    position += word.utf8.count
    return value
  }

  private func matches(_ word: String) -> Bool {
    let utf8 = Array(word.utf8)
    return position + utf8.count <= bytes.count && Array(bytes[position..<position + utf8.count]) == utf8
  }

  private mutating func consume(_ byte: UInt8) -> Bool {
    guard position < bytes.count, bytes[position] == byte else { return false }
    position += 1
    return true
  }

  private mutating func skipWhitespace() {
    while position < bytes.count {
      switch bytes[position] {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): position += 1
      default: return
      }
    }
  }

  /// The character at the current position, quoted, for messages.
  private func describeCurrent() -> String {
    guard position < bytes.count else { return "the end of the text" }
    var end = position + 1
    while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
    return "'" + String(decoding: bytes[position..<end], as: UTF8.self) + "'"
  }

  private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: Swift.max(0, 4 - digits.count)) + digits
  }

  /// An error at the current position: line and column (in characters) counted from 1.
  private func error(_ message: String) -> KerasError {
    let end = Swift.min(position, bytes.count)
    var line = 1
    var column = 1
    for byte in bytes[..<end] {
      if byte == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else if byte & 0xC0 != 0x80 {
        column += 1
      }
    }
    return KerasError.invalidArgument("Invalid JSON at line \(line), column \(column): \(message)")
  }
}
