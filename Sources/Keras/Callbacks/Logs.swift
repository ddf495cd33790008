/// Named values reported at the end of a batch or an epoch, in the order Keras logs them:
/// metrics, then `loss`, then the same with `val_` for validation.
public struct Logs: Sendable, Equatable, CustomStringConvertible {
  /// The entries in display order.
  public private(set) var entries: [(name: String, value: Float)] = []

  /// Empty logs.
  public init() {}

  /// Logs holding `entries` in order.
  public init(_ entries: [(String, Float)]) { for (k, v) in entries { self[k] = v } }

  /// The value named `name`; setting appends a new name at the end.
  public subscript(name: String) -> Float? {
    get { entries.first { $0.name == name }?.value }
    set {
      if let i = entries.firstIndex(where: { $0.name == name }) {
        if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
      } else if let newValue {
        entries.append((name, newValue))
      }
    }
  }

  /// The names in order.
  public var names: [String] { entries.map(\.name) }
  /// The names in order (as a dictionary's keys, for code written against `[String: Float]`).
  public var keys: [String] { names }
  /// The number of entries.
  public var count: Int { entries.count }

  /// A dictionary of the values.
  public var dictionary: [String: Float] { Dictionary(entries.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }) }

  /// Whether both hold the same names with the same values, in the same order.
  public static func == (lhs: Logs, rhs: Logs) -> Bool {
    lhs.entries.count == rhs.entries.count && zip(lhs.entries, rhs.entries).allSatisfy { $0.name == $1.name && $0.value == $1.value }
  }

  /// The entries as the progress bar shows them: `accuracy: 0.91 - loss: 0.23`.
  public var description: String { entries.map { "\($0.name): \($0.value)" }.joined(separator: " - ") }
}
