/// Text of arrays laid out as NumPy's `str(array)` with default print options
/// (precision 8, `floatmode='maxprec'`, line width 75, summarised past 1000
/// elements with 3 edge items).
enum NumPyFormat {
  static let lineWidth = 75
  static let threshold = 1000
  static let edgeItems = 3

  /// NumPy's text for an array of `shape`; `value(i)` gives element `i` (row-major) for
  /// float formatting, or `element(i)` its text for integer formatting.
  static func format(shape: [Int], count: Int, value: (Int) -> Float, element: ((Int) -> String)? = nil) -> String {
    if shape.isEmpty { return element?(0) ?? value(0).description }
    if count == 0 { return "[]" }
    let summarise = count > threshold
    let shown = shownIndices(shape: shape, summarise: summarise)
    let texts: [Int: String]
    if let element {
      let raw = shown.map { ($0, element($0)) }
      let width = raw.map { $0.1.count }.max() ?? 0
      texts = Dictionary(uniqueKeysWithValues: raw.map { ($0.0, String(repeating: " ", count: width - $0.1.count) + $0.1) })
    } else {
      let formatter = FloatFormatter(shown.map(value))
      texts = Dictionary(uniqueKeysWithValues: shown.map { ($0, formatter.format(value($0))) })
    }
    let strides = Shape.strides(shape)
    // NumPy's _formatArray recursion, with its wrapping rules (legacy=False).
    func recurse(_ offset: Int, axis: Int, indent: String, width: Int) -> String {
      if axis == shape.count { return texts[offset]! }
      let nextIndent = indent + " "
      let nextWidth = width - 1
      let length = shape[axis]
      let summary = summarise && 2 * edgeItems < length
      let items: [Int?] = summary ? Array(0..<edgeItems) + [nil] + Array((length - edgeItems)..<length) : Array(0..<length)
      var s = ""
      if axis == shape.count - 1 {
        let elementWidth = width - 1
        var line = indent
        for (n, item) in items.enumerated() {
          let word = item.map { recurse(offset + $0 * strides[axis], axis: axis + 1, indent: nextIndent, width: nextWidth) } ?? "..."
          let isLast = n == items.count - 1
          let limit = isLast ? width - 1 : elementWidth
          if line.count + word.count > limit && line.count > indent.count {
            s += String(line.reversed().drop(while: { $0 == " " }).reversed()) + "\n"
            line = indent
          }
          line += word
          if !isLast { line += " " }
        }
        s += line
      } else {
        let separator = String(repeating: "\n", count: shape.count - axis - 1)
        for (n, item) in items.enumerated() {
          let nested = item.map { recurse(offset + $0 * strides[axis], axis: axis + 1, indent: nextIndent, width: nextWidth) } ?? "..."
          s += indent + nested
          if n < items.count - 1 { s += separator }
        }
      }
      return "[" + s.dropFirst(indent.count) + "]"
    }
    return recurse(0, axis: 0, indent: " ", width: lineWidth)
  }

  /// Flat indices of the elements that are printed (all, or the edges when summarised).
  private static func shownIndices(shape: [Int], summarise: Bool) -> [Int] {
    var indices = [0]
    let strides = Shape.strides(shape)
    for axis in 0..<shape.count {
      let length = shape[axis]
      let picks = summarise && 2 * edgeItems < length
        ? Array(0..<edgeItems) + Array((length - edgeItems)..<length) : Array(0..<length)
      indices = indices.flatMap { base in picks.map { base + $0 * strides[axis] } }
    }
    return indices
  }

  /// NumPy's FloatingFormat: positional with aligned decimal points, or scientific
  /// when values span more than 1e3 or reach 1e8 or fall below 1e-4.
  struct FloatFormatter {
    var scientific = false
    var padLeft = 0
    var padRight = 0
    var precision = 8
    var exponentDigits = 2

    init(_ values: [Float]) {
      let finite = values.filter { $0.isFinite }
      let nonZero = finite.filter { $0 != 0 }.map { Swift.abs($0) }
      if let maxValue = nonZero.max(), let minValue = nonZero.min() {
        scientific = maxValue >= 1e8 || minValue < 0.0001 || maxValue / minValue > 1000
      }
      if finite.isEmpty {
        padLeft = 0
        padRight = 0
      } else if scientific {
        let parts = finite.map { FloatFormatter.scientificParts($0, maxDigits: 8) }
        precision = parts.map { $0.fraction.count }.max()!
        padLeft = parts.map { $0.integer.count }.max()!
        exponentDigits = Swift.max(2, parts.map { String(Swift.abs($0.exponent)).count }.max()!)
      } else {
        let parts = finite.map { FloatFormatter.positionalParts($0) }
        padLeft = parts.map { $0.integer.count }.max()!
        padRight = parts.map { $0.fraction.count }.max()!
      }
      if values.count != finite.count {
        let hasNegativeInfinity = values.contains { $0 == -.infinity }
        padLeft = Swift.max(padLeft, 3 - (padRight + 1), 3 + (hasNegativeInfinity ? 1 : 0) - (padRight + 1))
      }
    }

    func format(_ x: Float) -> String {
      if !x.isFinite {
        let text = x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf")
        let width = scientific ? padLeft + 1 + precision + 2 + exponentDigits : padLeft + 1 + padRight
        return String(repeating: " ", count: Swift.max(0, width - text.count)) + text
      }
      if scientific {
        let p = FloatFormatter.scientificParts(x, maxDigits: 8)
        let fraction = p.fraction + String(repeating: "0", count: precision - p.fraction.count)
        let e = String(Swift.abs(p.exponent))
        let exponent = (p.exponent < 0 ? "-" : "+") + String(repeating: "0", count: exponentDigits - e.count) + e
        return String(repeating: " ", count: padLeft - p.integer.count) + p.integer + "." + fraction + "e" + exponent
      }
      let p = FloatFormatter.positionalParts(x)
      return String(repeating: " ", count: padLeft - p.integer.count) + p.integer + "." + p.fraction
        + String(repeating: " ", count: padRight - p.fraction.count)
    }

    /// The shortest round-trip decimal digits of `x` and its decimal exponent.
    static func shortestDigits(_ x: Float) -> (negative: Bool, digits: [UInt8], exponent: Int) {
      // Float.description is the shortest round-trip text: "1.5", "1e-05", "3.4028235e+38".
      let text = Swift.abs(x).description
      let (mantissa, exponentText) = text.contains("e")
        ? (String(text.split(separator: "e")[0]), String(text.split(separator: "e")[1])) : (text, "0")
      let pieces = mantissa.split(separator: ".", omittingEmptySubsequences: false)
      let integer = String(pieces[0])
      let fraction = pieces.count > 1 ? String(pieces[1]) : ""
      var digits = Array((integer + fraction).utf8).map { $0 - 48 }
      var exponent = Int(exponentText)! + integer.count - 1  // position of the first digit
      while digits.count > 1 && digits.first == 0 {
        digits.removeFirst()
        exponent -= 1
      }
      while digits.count > 1 && digits.last == 0 { digits.removeLast() }
      return (x.sign == .minus && x != 0, digits, exponent)
    }

    /// Rounds a digit string to keep `keep` digits (half to even on exact ties is close enough here).
    static func round(_ digits: [UInt8], exponent: Int, keep: Int) -> ([UInt8], Int) {
      guard keep < digits.count else { return (digits, exponent) }
      guard keep >= 0 else { return ([0], exponent) }
      var kept = Array(digits[..<keep])
      var exp = exponent
      if digits[keep] >= 5 {
        var i = kept.count - 1
        while i >= 0 {
          if kept[i] == 9 {
            kept[i] = 0
            i -= 1
          } else {
            kept[i] += 1
            break
          }
        }
        if i < 0 {
          kept.insert(1, at: 0)
          exp += 1
        }
      }
      if kept.isEmpty { kept = [0] }
      while kept.count > 1 && kept.last == 0 { kept.removeLast() }
      return (kept, exp)
    }

    /// Integer and fraction text of `x` in positional form, at most 8 fraction digits.
    static func positionalParts(_ x: Float) -> (integer: String, fraction: String) {
      let (negative, d0, e0) = shortestDigits(x)
      // Keep digits down to 1e-8.
      let (digits, exponent) = round(d0, exponent: e0, keep: e0 + 1 + 8)
      var integer = ""
      var fraction = ""
      if digits == [0] {
        integer = "0"
      } else {
        for (i, d) in digits.enumerated() {
          let position = exponent - i
          if position >= 0 { integer += String(d) } else { fraction += String(d) }
        }
        if exponent < 0 {
          integer = "0"
          fraction = String(repeating: "0", count: -exponent - 1) + fraction
        } else if exponent + 1 > digits.count {
          integer += String(repeating: "0", count: exponent + 1 - digits.count)
        }
      }
      return ((negative ? "-" : "") + integer, fraction)
    }

    /// Mantissa parts and exponent of `x` in scientific form with at most `maxDigits` fraction digits.
    static func scientificParts(_ x: Float, maxDigits: Int) -> (integer: String, fraction: String, exponent: Int) {
      let (negative, d0, e0) = shortestDigits(x)
      let (digits, exponent) = x == 0 ? ([0], 0) : round(d0, exponent: e0, keep: maxDigits + 1)
      let fraction = digits.dropFirst().map(String.init).joined()
      return ((negative ? "-" : "") + String(digits[0]), fraction, exponent)
    }
  }
}

extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
  /// The elements as NumPy prints `str(array)`: `[[1.  2.5]\n [3.  4. ]]`.
  public var description: String {
    withUnsafeBufferPointer { buffer in NumPyFormat.format(shape: shape, count: count) { buffer[$0] } }
  }

  /// The shape and the elements: `Tensor(shape: [2, 2], [[1. 2.] ...])`.
  public var debugDescription: String { "Tensor(shape: \(shape), \(description))" }
}
