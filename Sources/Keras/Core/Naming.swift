import Synchronization

/// Unique default layer names as Keras gives them: `dense`, `dense_1`, `dense_2`, ...
enum LayerNames {
  private static let counters = Mutex([String: Int]())

  /// The next unique name for the prefix (the snake_case class name).
  static func unique(_ prefix: String) -> String {
    counters.withLock { counts in
      let n = counts[prefix, default: 0]
      counts[prefix] = n + 1
      return n == 0 ? prefix : "\(prefix)_\(n)"
    }
  }

  /// Forgets every name handed out, as `keras.backend.clear_session()`.
  static func reset() { counters.withLock { $0.removeAll() } }

  /// `LSTM` → `lstm`, `GlobalAveragePooling1D` → `global_average_pooling1d`, `SimpleRNN` → `simple_rnn`
  /// (Keras' `to_snake_case`).
  static func snakeCase(_ name: String) -> String {
    // Keras: re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name), then re.sub("([a-z])([A-Z])", r"\1_\2", ...).lower()
    var chars = Array(name)
    var out: [Character] = []
    var i = 0
    while i < chars.count {
      let c = chars[i]
      if i > 0, c.isUppercase, i + 1 < chars.count, chars[i + 1].isLowercase { out.append("_") }
      out.append(c)
      i += 1
    }
    chars = out
    out = []
    for (j, c) in chars.enumerated() {
      if j > 0, c.isUppercase, chars[j - 1].isLowercase { out.append("_") }
      out.append(c)
    }
    return String(out).lowercased()
  }
}

/// Resets default layer names, so the next `Dense` is named `dense` again (`keras.backend.clear_session()`).
public func clearSession() { LayerNames.reset() }
