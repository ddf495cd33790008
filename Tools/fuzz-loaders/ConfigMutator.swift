import Keras

/// Mutations of a Keras config (`config.json`, `model_config`, `training_config`): values of
/// the wrong type, huge or negative numbers, unknown class names, deep nesting, missing keys.
enum ConfigMutator {
  /// The mutated JSON text of `config`, and what was done.
  static func mutate(_ config: ConfigValue, using random: inout SeededGenerator) -> (text: String, note: String) {
    var value = config
    var notes: [String] = []
    for _ in 0..<(1 + random.below(3)) {
      let paths = allPaths(value)
      let path = random.pick(paths)
      let (replacement, note) = replacement(for: get(value, at: path), key: path.last, using: &random)
      value = set(value, at: path, to: replacement)
      notes.append("\(describe(path)) := \(note)")
    }
    var text = value.json
    if random.chance(0.1) {
      // Nesting deeper than any parser should recurse into.
      let depth = random.pick([300, 5_000, 200_000])
      let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
      if let range = text.range(of: "null") ?? text.range(of: "true") ?? text.range(of: "false") {
        text.replaceSubrange(range, with: nested)
      } else {
        text = "[" + text + ", " + nested + "]"
      }
      notes.append("nesting \(depth)")
    }
    if random.chance(0.05) {
      text = String(text.prefix(random.below(text.count + 1)))
      notes.append("truncated JSON")
    }
    return (text, notes.joined(separator: "; "))
  }

  /// A path step: an object key or an array index.
  enum Step { case key(String), index(Int) }

  static func allPaths(_ value: ConfigValue, prefix: [Step] = []) -> [[Step]] {
    var paths = [prefix]
    switch value {
    case .object(let pairs):
      for (key, child) in pairs { paths += allPaths(child, prefix: prefix + [.key(key)]) }
    case .array(let items):
      for (index, child) in items.enumerated() { paths += allPaths(child, prefix: prefix + [.index(index)]) }
    default: break
    }
    return paths
  }

  static func get(_ value: ConfigValue, at path: [Step]) -> ConfigValue {
    guard let step = path.first else { return value }
    switch (step, value) {
    case (.key(let key), .object(let pairs)):
      return get(pairs.first { $0.0 == key }?.1 ?? .null, at: Array(path.dropFirst()))
    case (.index(let index), .array(let items)) where index < items.count:
      return get(items[index], at: Array(path.dropFirst()))
    default: return .null
    }
  }

  static func set(_ value: ConfigValue, at path: [Step], to replacement: ConfigValue?) -> ConfigValue {
    guard let step = path.first else { return replacement ?? .null }
    let rest = Array(path.dropFirst())
    switch (step, value) {
    case (.key(let key), .object(var pairs)):
      guard let position = pairs.firstIndex(where: { $0.0 == key }) else { return value }
      if rest.isEmpty, replacement == nil {
        pairs.remove(at: position)
      } else {
        pairs[position].1 = set(pairs[position].1, at: rest, to: replacement)
      }
      return .object(pairs)
    case (.index(let index), .array(var items)) where index < items.count:
      if rest.isEmpty, replacement == nil {
        items.remove(at: index)
      } else {
        items[index] = set(items[index], at: rest, to: replacement)
      }
      return .array(items)
    default: return value
    }
  }

  private static func describe(_ path: [Step]) -> String {
    "/"
      + path.map { step in
        switch step {
        case .key(let key): key
        case .index(let index): "\(index)"
        }
      }.joined(separator: "/")
  }

  static let hugeIntegers: [Int] = [
    -1, 0, -2_147_483_648, 2_147_483_647, 1 << 31, 1 << 32, 1 << 40, 1 << 62, Int.max, Int.min, 100_000, 65_537,
  ]

  static let classNames = [
    "Dense", "LSTM", "GRU", "SimpleRNN", "Bidirectional", "TimeDistributed", "Embedding", "Conv1D", "Conv2D",
    "BatchNormalization", "Dropout", "Flatten", "InputLayer", "Sequential", "Functional", "Model", "NoSuchLayer",
    "", "__class__", "../../etc/passwd",
  ]

  /// A hostile value in place of `value` (nil removes it).
  private static func replacement(
    for value: ConfigValue, key: Step?, using random: inout SeededGenerator
  ) -> (ConfigValue?, String) {
    switch random.below(12) {
    case 0: return (nil, "removed")
    case 1: return (.null, "null")
    case 2, 3:
      let number = random.pick(hugeIntegers)
      return (.int(number), "\(number)")
    case 4:
      let number = random.pick([1e308, -1e308, Double.nan, Double.infinity, -Double.infinity, 0.5, -0.5, 3.7])
      return (.double(number), "\(number)")
    case 5:
      let name = random.pick(classNames)
      return (.string(name), "\"\(name)\"")
    case 6:
      let string = String(repeating: "x", count: random.pick([0, 1, 1 << 16, 1 << 20]))
      return (.string(string), "string of \(string.count)")
    case 7: return (.bool(random.chance(0.5)), "bool")
    case 8:
      let items = (0..<random.pick([0, 1, 3, 33])).map { _ in ConfigValue.int(random.pick(hugeIntegers)) }
      return (.array(items), "array of \(items.count) integers")
    case 9: return (.object([]), "{}")
    case 10:
      // Duplicate the value next to itself when it is an array element or swap types of arrays.
      if case .array(let items) = value, !items.isEmpty {
        let copies = random.pick([2, 50])
        return (
          .array(items + Array(repeating: items[random.below(items.count)], count: copies)), "\(copies) duplicates"
        )
      }
      return (.array([value, value]), "wrapped in array")
    default:
      // Perturb a number in place: the most useful mutation for units, shapes and rates.
      switch value {
      case .int(let number):
        let changed = random.pick([number &* 1000, 0 &- number, number &+ 1, number &- 1, number &* 65_536])
        return (.int(changed), "\(changed)")
      case .double(let number):
        let changed = random.pick([number * 1e6, -number, number + 1, 1 / number])
        return (.double(changed), "\(changed)")
      case .array(let items):
        return (
          .array(items.map { item in if case .int = item { .int(random.pick(hugeIntegers)) } else { item } }),
          "array integers"
        )
      default:
        let number = random.pick(hugeIntegers)
        return (.int(number), "\(number)")
      }
    }
  }
}
