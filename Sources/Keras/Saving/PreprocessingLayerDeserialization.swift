/// Keras' preprocessing layers (`Normalization`, `TextVectorization`) built from their
/// configs; both join ``LayerRegistry`` as the other built-in classes do (they read `dtype`
/// themselves). A `TextVectorization`'s adapted vocabulary is not in its config but in the `.keras`
/// archive's assets (see ``TextModelArchive``).
enum PreprocessingLayerDeserialization {
  static func normalization(_ reader: ConfigReader, name: String?) throws -> Layer {
    let policy = try reader.dtypePolicy()
    let axes: [Int]
    switch reader.value("axis") {
    case nil: axes = [-1]
    case .null?: axes = []
    default: axes = try reader.intOrIntList("axis").axes
    }
    let mean = try statistic(reader, "mean")
    let variance = try statistic(reader, "variance")
    guard (mean == nil) == (variance == nil) else {
      throw reader.invalid(
        "variance", expected: "given with 'mean' or not at all", got: reader.value("variance") ?? .null)
    }
    let layer = Normalization(
      axes: axes, mean: mean, variance: variance, invert: try reader.bool("invert", default: false), name: name)
    if let policy { layer.dtypePolicy = policy }
    return layer
  }

  /// A number or nested lists of numbers (NumPy's `tolist()`) as a tensor; nil when absent or null.
  private static func statistic(_ reader: ConfigReader, _ key: String) throws -> Tensor? {
    guard let value = reader.present(key) else { return nil }
    var shape: [Int] = []
    var values: [Float] = []
    func walk(_ item: ConfigValue, depth: Int) -> Bool {
      if let number = ConfigReader.number(item) {
        guard depth == shape.count else { return false }
        values.append(number)
        return true
      }
      guard case .array(let items) = item else { return false }
      if depth == shape.count { shape.append(items.count) } else if shape[depth] != items.count { return false }
      return items.allSatisfy { walk($0, depth: depth + 1) }
    }
    guard walk(value, depth: 0), let tensor = try? Tensor(shape: shape, scalars: values) else {
      throw reader.invalid(key, expected: "a number or nested lists of numbers of one shape", got: value)
    }
    return tensor
  }

  static func textVectorization(_ reader: ConfigReader, name: String?) throws -> Layer {
    // The layer computes on strings; Keras records the float32 policy of its outputs.
    try reader.requireFloat32()
    func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type, default defaultValue: T?) throws
      -> T?
    where T.RawValue == String {
      guard let value = reader.value(key) else { return defaultValue }
      if value == .null { return nil }
      guard case .string(let text) = value, let choice = T(rawValue: text) else {
        throw reader.invalid(
          key, expected: "null or one of " + T.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "), got: value)
      }
      return choice
    }
    let standardize = try choice("standardize", TextVectorization.Standardize.self, default: .lowerAndStripPunctuation)
    let split = try choice("split", TextVectorization.Split.self, default: .whitespace)
    var modeName = try reader.string("output_mode", default: "int")
    if modeName == "binary" { modeName = "multi_hot" }
    if modeName == "tf-idf" { modeName = "tf_idf" }
    guard let outputMode = TextVectorization.OutputMode(rawValue: modeName) else {
      throw reader.invalid(
        "output_mode",
        expected: "one of " + TextVectorization.OutputMode.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "),
        got: .string(modeName))
    }
    var ngrams: TextVectorization.NGrams? = nil
    if let value = reader.present("ngrams") {
      if let n = ConfigReader.integer(value) {
        ngrams = .init(upTo: n)
      } else {
        ngrams = .init(widths: try reader.intList("ngrams"))
      }
    }
    let maxTokens = try reader.present("max_tokens").map { _ in try reader.positiveInt("max_tokens") }
    let sequenceLength = try reader.present("output_sequence_length").map { _ in
      try reader.int("output_sequence_length")
    }
    try reader.require("sparse", in: [false], "SwiftKeras returns dense rows")
    try reader.require("ragged", in: [false], "SwiftKeras returns padded rows")
    try reader.require("encoding", in: ["utf-8"], "SwiftKeras reads UTF-8 strings")
    var vocabulary: [String]? = nil
    if let value = reader.present("vocabulary") {
      guard case .array(let items) = value, let strings = Optional(items.compactMap(\.stringValue)),
        strings.count == items.count
      else { throw reader.invalid("vocabulary", expected: "a list of strings", got: value) }
      vocabulary = strings
    }
    var idfWeights: [Float]? = nil
    if let value = reader.present("idf_weights") {
      guard case .array(let items) = value, let weights = Optional(items.compactMap(ConfigReader.number)),
        weights.count == items.count
      else { throw reader.invalid("idf_weights", expected: "a list of numbers", got: value) }
      idfWeights = weights
    }
    // The size is recorded for Keras' shape inference; the vocabulary comes with the assets.
    reader.ignore("vocabulary_size", "has_input_vocabulary")
    return try TextVectorization(
      maxTokens: maxTokens, standardize: standardize, split: split, ngrams: ngrams, outputMode: outputMode,
      outputSequenceLength: sequenceLength, padToMaxTokens: try reader.bool("pad_to_max_tokens", default: false),
      vocabulary: vocabulary, idfWeights: idfWeights, name: name)
  }
}

extension Normalization: KerasDeserializable {
  static var readsDType: Bool { true }
  static func make(from config: LayerConfig) throws -> Layer {
    try PreprocessingLayerDeserialization.normalization(config.reader, name: config.name)
  }
}

extension TextVectorization: KerasDeserializable {
  static var readsDType: Bool { true }
  static func make(from config: LayerConfig) throws -> Layer {
    try PreprocessingLayerDeserialization.textVectorization(config.reader, name: config.name)
  }
}
