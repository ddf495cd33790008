import Foundation

/// Turns strings into token ids, or into multi-hot, count or TF-IDF rows over a vocabulary
/// learned by ``adapt(_:)`` (`keras.layers.TextVectorization`).
///
/// Each string is standardized (``Standardize``: by default lowercased and stripped of ASCII
/// punctuation), split into tokens (``Split``: on whitespace by default), optionally joined into
/// n-grams (``ngrams``), and looked up in the vocabulary, which begins with the mask token `""`
/// (id 0, ``OutputMode/int`` only) and the out-of-vocabulary token `"[UNK]"`:
///
/// - ``OutputMode/int``: `[N, L]` ids, 0 padding after the tokens, `L` the longest string's
///   token count or ``outputSequenceLength`` (longer strings are cut);
/// - ``OutputMode/multiHot``, ``OutputMode/count``, ``OutputMode/tfIdf``: `[N, V]` rows over
///   the vocabulary (`V` its size, or `maxTokens` with ``padToMaxTokens``), index 0 counting
///   the unknown tokens.
///
/// ```swift
/// let vectorizer = TextVectorization(maxTokens: 20_000, outputSequenceLength: 200)
/// try vectorizer.adapt(trainingTexts)
/// let ids = try vectorizer(["the cat sat on the mat"])     // [1, 200], as floats
/// let predictions = try model.predict(ids)
/// ```
///
/// Everything matches Keras: ASCII-only lowercasing (TensorFlow's `tf.strings.lower`, so `"É"`
/// stays), the punctuation Keras strips, whitespace as TensorFlow splits on it, characters as
/// Unicode scalars, the vocabulary order of `adapt` (by count, ties by the token's UTF-8 bytes in
/// descending order) and its IDF weights `log(1 + documents / (1 + documents with the token))`,
/// the unknown token's weight being their mean.
///
/// The layer is a preprocessing step: models take numbers, so it runs before the model on
/// `[String]` (a model loaded from a Keras file whose input is strings keeps it as
/// ``Model/textVectorization``). It has no weights; in `.keras` files its vocabulary is an asset,
/// `assets/layers/<key>/vocabulary.txt`, as Keras writes it.
public final class TextVectorization: Layer, @unchecked Sendable {
  /// How strings are cleaned before splitting (Keras' `standardize`; `nil` leaves them as they are).
  public enum Standardize: String, Sendable, CaseIterable {
    /// ASCII letters lowercased, then ASCII punctuation removed (Keras' default).
    case lowerAndStripPunctuation = "lower_and_strip_punctuation"
    /// ASCII letters lowercased.
    case lower
    /// ASCII punctuation ``TextVectorization/punctuation`` removed.
    case stripPunctuation = "strip_punctuation"
  }

  /// How strings are cut into tokens (Keras' `split`; `nil`: each string is one token).
  public enum Split: String, Sendable, CaseIterable {
    /// On runs of ASCII whitespace, ignoring it at both ends (Keras' default).
    case whitespace
    /// Into Unicode scalars.
    case character
  }

  /// What the layer returns (Keras' `output_mode`).
  public enum OutputMode: String, Sendable, CaseIterable {
    /// Token ids, `[N, L]`.
    case int
    /// 1 for each vocabulary entry present in a string, `[N, V]`.
    case multiHot = "multi_hot"
    /// How often each vocabulary entry occurs in a string, `[N, V]`.
    case count
    /// The counts times the entries' IDF weights, `[N, V]`.
    case tfIdf = "tf_idf"
  }

  /// The n-gram widths to produce (Keras' `ngrams`): `2` means widths 1 and 2; `[1, 3]` exactly those.
  public struct NGrams: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    /// The widths, in the order their n-grams follow each other.
    public let widths: [Int]
    /// Whether Keras' config holds an integer (`true`) or a list.
    let isUpTo: Bool

    /// All widths from 1 to `n`.
    public init(integerLiteral n: Int) { self.init(upTo: n) }
    /// All widths from 1 to `n`.
    public init(upTo n: Int) {
      widths = Array(1...Swift.max(n, 1))
      isUpTo = true
    }
    /// Exactly the given widths.
    public init(arrayLiteral widths: Int...) { self.init(widths: widths) }
    /// Exactly the given widths.
    public init(widths: [Int]) {
      self.widths = widths
      isUpTo = false
    }

    var config: ConfigValue { isUpTo ? .int(widths.count) : .array(widths.map { .int($0) }) }
  }

  /// The characters Keras' standardization removes: `!"#$%&()*+,-./:;<=>?@[\]^_`{|}~'`.
  public static let punctuation = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'"
  /// The mask token, id 0 in ``OutputMode/int``.
  public static let maskToken = ""
  /// The token standing for every string outside the vocabulary.
  public static let oovToken = "[UNK]"

  /// The largest vocabulary, special tokens included (`nil`: no limit).
  public let maxTokens: Int?
  /// The standardization.
  public let standardize: Standardize?
  /// The splitting.
  public let split: Split?
  /// The n-grams made from the tokens, if any.
  public let ngrams: NGrams?
  /// The output form.
  public let outputMode: OutputMode
  /// The length ``OutputMode/int`` rows are padded or cut to, if fixed.
  public let outputSequenceLength: Int?
  /// Whether non-int rows are `maxTokens` wide even when the vocabulary is smaller.
  public let padToMaxTokens: Bool
  /// The vocabulary given at construction (Keras keeps it in the config, not in the assets).
  public let givenVocabulary: [String]?
  /// The IDF weights given at construction, for ``OutputMode/tfIdf``.
  public let givenIdfWeights: [Float]?

  /// The learned or given tokens, special tokens excluded, in id order.
  public private(set) var tokens: [String] = []
  /// The IDF weight of every id (special tokens included), for ``OutputMode/tfIdf``.
  public private(set) var idfWeights: [Float]?
  private var index: [String: Int] = [:]
  /// The name of the string input this layer read in the Keras file it was loaded from.
  var stringInputName: String?

  /// A text vectorization layer with Keras' arguments and defaults.
  ///
  /// With `vocabulary` (special tokens optional at its start), the layer is ready and cannot
  /// be adapted; with ``OutputMode/tfIdf`` it then needs `idfWeights` (one per entry).
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the layer for an `outputSequenceLength`
  ///   outside ``OutputMode/int``, a `maxTokens` below the special tokens, and a vocabulary Keras
  ///   refuses (empty, repeated tokens, the mask token inside, larger than `maxTokens`).
  public init(
    maxTokens: Int? = nil, standardize: Standardize? = .lowerAndStripPunctuation, split: Split? = .whitespace,
    ngrams: NGrams? = nil, outputMode: OutputMode = .int, outputSequenceLength: Int? = nil,
    padToMaxTokens: Bool = false, vocabulary: [String]? = nil, idfWeights: [Float]? = nil, name: String? = nil
  ) throws {
    self.maxTokens = maxTokens
    self.standardize = standardize
    self.split = split
    self.ngrams = ngrams
    self.outputMode = outputMode
    self.outputSequenceLength = outputSequenceLength
    self.padToMaxTokens = padToMaxTokens
    self.givenVocabulary = vocabulary
    self.givenIdfWeights = idfWeights
    super.init(name: name)
    // It computes on strings and outputs ids or counts: never rounded to a mixed policy's bfloat16.
    dtypePolicy = .float32
    if outputSequenceLength != nil, outputMode != .int {
      throw fail("`outputSequenceLength` must not be set if `outputMode` is not 'int'")
    }
    if let outputSequenceLength, outputSequenceLength < 0 {
      throw fail("`outputSequenceLength` must be 0 or greater. Received: \(outputSequenceLength)")
    }
    if let maxTokens, maxTokens <= specialTokens.count {
      throw fail("`maxTokens` must be greater than the \(specialTokens.count) special tokens. Received: \(maxTokens)")
    }
    if padToMaxTokens, maxTokens == nil, outputMode != .int {
      throw fail("`padToMaxTokens` needs `maxTokens`")
    }
    if let ngrams, ngrams.widths.isEmpty || ngrams.widths.contains(where: { $0 < 1 }) {
      throw fail("`ngrams` widths must be 1 or more. Received: \(ngrams.widths)")
    }
    if let vocabulary {
      try setVocabulary(vocabulary, idfWeights: idfWeights)
    } else if outputMode == .tfIdf, idfWeights != nil {
      throw fail("`idfWeights` can only be given with a `vocabulary`")
    }
  }

  public override class var className: String { "TextVectorization" }

  private func fail(_ message: String) -> KerasError {
    KerasError.invalidArgument("Layer '\(name)' (TextVectorization): \(message)")
  }

  /// The special tokens at the start of the vocabulary: `["", "[UNK]"]`, or `["[UNK]"]` outside ``OutputMode/int``.
  var specialTokens: [String] { outputMode == .int ? [Self.maskToken, Self.oovToken] : [Self.oovToken] }

  /// The id of unknown tokens.
  private var oovID: Int { outputMode == .int ? 1 : 0 }

  // MARK: Vocabulary

  /// The vocabulary in id order (Keras' `get_vocabulary`), special tokens first unless excluded.
  public func getVocabulary(includeSpecialTokens: Bool = true) -> [String] {
    includeSpecialTokens ? specialTokens + tokens : tokens
  }

  /// The vocabulary's size, special tokens included (Keras' `vocabulary_size()`).
  public var vocabularySize: Int { specialTokens.count + tokens.count }

  /// Replaces the vocabulary (Keras' `set_vocabulary`); the special tokens may lead it, as
  /// ``getVocabulary(includeSpecialTokens:)`` returns them. With ``OutputMode/tfIdf``,
  /// `idfWeights` gives one weight per entry (the special tokens, when absent, get their mean).
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` as Keras: an empty vocabulary, repeated
  ///   tokens, the mask token elsewhere than first, more than `maxTokens` entries, IDF weights
  ///   missing in ``OutputMode/tfIdf`` or given in another mode, or not one per entry.
  public func setVocabulary(_ vocabulary: [String], idfWeights: [Float]? = nil) throws {
    if outputMode == .tfIdf, idfWeights == nil { throw fail("`idfWeights` must be set if outputMode is 'tf_idf'") }
    if outputMode != .tfIdf, idfWeights != nil {
      throw fail(
        "`idfWeights` should only be set if outputMode is 'tf_idf'. Received: outputMode=\(outputMode.rawValue)")
    }
    guard !vocabulary.isEmpty else { throw fail("cannot set an empty vocabulary") }
    let foundSpecialTokens = Array(vocabulary.prefix(specialTokens.count)) == specialTokens
    let newTokens = foundSpecialTokens ? Array(vocabulary.dropFirst(specialTokens.count)) : vocabulary
    var seen: [String: Int] = [:]
    for (index, token) in newTokens.enumerated() {
      if seen[token] != nil {
        throw fail("the passed vocabulary has at least one repeated term. Please uniquify your dataset: '\(token)'")
      }
      seen[token] = index + specialTokens.count
    }
    if seen[Self.maskToken] != nil {
      throw fail(
        "found reserved mask token at unexpected location in `vocabulary`: include the OOV and mask tokens only at "
          + "the start, in this order: \(specialTokens)")
    }
    if let maxTokens, specialTokens.count + newTokens.count > maxTokens {
      throw fail(
        "attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary size is "
          + "\(specialTokens.count + newTokens.count); `maxTokens` is \(maxTokens)")
    }
    var weights: [Float]? = nil
    if outputMode == .tfIdf, let idfWeights {
      guard idfWeights.count == vocabulary.count else {
        throw fail(
          "`idfWeights` must be the same length as vocabulary. len(idf_weights) is \(idfWeights.count); "
            + "len(vocabulary) is \(vocabulary.count)")
      }
      let front = foundSpecialTokens ? [] : [Float](repeating: Self.mean(idfWeights), count: specialTokens.count)
      weights = front + idfWeights
    }
    tokens = newTokens
    index = seen
    self.idfWeights = weights.map { padIdf($0) }
  }

  /// IDF weights padded with zeros to `maxTokens` entries with ``padToMaxTokens``.
  private func padIdf(_ weights: [Float]) -> [Float] {
    guard padToMaxTokens, let maxTokens, weights.count < maxTokens else { return weights }
    return weights + [Float](repeating: 0, count: maxTokens - weights.count)
  }

  /// The mean as Keras takes it (`np.average` / `tf.reduce_mean` of float32 values).
  private static func mean(_ values: [Float]) -> Float {
    values.isEmpty ? 0 : Float(values.reduce(0.0) { $0 + Double($1) } / Double(values.count))
  }

  // MARK: Adapting

  /// Learns the vocabulary of `texts` (each one document), as Keras' `adapt`: tokens by
  /// decreasing count, ties by decreasing UTF-8 bytes, the first `maxTokens` minus the special
  /// tokens kept; with ``OutputMode/tfIdf`` also the IDF weights.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when the layer was given a vocabulary.
  public func adapt(_ texts: [String]) throws {
    guard givenVocabulary == nil else {
      throw fail("cannot adapt the layer after setting a static vocabulary via the `vocabulary` argument")
    }
    var counts: [String: Int] = [:]
    var documentCounts: [String: Int] = [:]
    for text in texts {
      let documentTokens = tokenize(text)
      for token in documentTokens { counts[token, default: 0] += 1 }
      if outputMode == .tfIdf {
        for token in Set(documentTokens) { documentCounts[token, default: 0] += 1 }
      }
    }
    counts[Self.maskToken] = nil
    counts[Self.oovToken] = nil
    var sorted = counts.map { (token: $0.key, bytes: Array($0.key.utf8), count: $0.value) }
    sorted.sort { $0.count != $1.count ? $0.count > $1.count : $0.bytes.lexicographicallyPrecedes($1.bytes) == false }
    if let maxTokens { sorted = Array(sorted.prefix(maxTokens - specialTokens.count)) }
    tokens = sorted.map(\.token)
    index = Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($1, $0 + specialTokens.count) })
    if outputMode == .tfIdf {
      let weights = tokens.map { token in
        Float(Foundation.log(1 + Double(texts.count) / Double(1 + documentCounts[token, default: 0])))
      }
      idfWeights = padIdf([Float](repeating: Self.mean(weights), count: specialTokens.count) + weights)
    }
  }

  // MARK: Tokenizing

  /// The tokens of `text` after standardization, splitting and n-grams, as Keras makes them.
  public func tokenize(_ text: String) -> [String] {
    var bytes = Array(text.utf8)
    if standardize == .lower || standardize == .lowerAndStripPunctuation {
      for i in bytes.indices where bytes[i] >= 65 && bytes[i] <= 90 { bytes[i] += 32 }
    }
    if standardize == .stripPunctuation || standardize == .lowerAndStripPunctuation {
      bytes.removeAll { Self.punctuationBytes.contains($0) }
    }
    let words: [String]
    switch split {
    case .whitespace?:
      words = bytes.split(whereSeparator: { Self.whitespaceBytes.contains($0) }).map {
        String(decoding: $0, as: UTF8.self)
      }
    case .character?:
      words = String(decoding: bytes, as: UTF8.self).unicodeScalars.map { String($0) }
    case nil:
      words = [String(decoding: bytes, as: UTF8.self)]
    }
    guard let ngrams else { return words }
    var result: [String] = []
    for width in ngrams.widths where width <= words.count {
      for start in 0...(words.count - width) { result.append(words[start..<(start + width)].joined(separator: " ")) }
    }
    return result
  }

  private static let punctuationBytes = Set(punctuation.utf8)
  /// What TensorFlow's `tf.strings.split` splits on: ASCII whitespace.
  private static let whitespaceBytes: Set<UInt8> = [32, 9, 10, 11, 12, 13]

  /// The id of `token`: its vocabulary index, 0 for the mask token in ``OutputMode/int``, else the unknown id.
  private func id(of token: String) -> Int? {
    if token == Self.maskToken { return outputMode == .int ? 0 : nil }
    return index[token] ?? oovID
  }

  // MARK: Calling

  /// Vectorizes `texts`: `[N, L]` ids as floats (the form ``Embedding`` takes) in
  /// ``OutputMode/int``, `[N, V]` rows otherwise. Without splitting and without
  /// ``outputSequenceLength``, ids are `[N]`, as Keras gives them for a list of strings.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when a non-int layer has no vocabulary yet.
  public func callAsFunction(_ texts: [String]) throws -> Tensor {
    if outputMode == .int {
      let rows = texts.map { tokenize($0).map { id(of: $0) ?? 0 } }
      if split == nil, outputSequenceLength == nil {
        return Tensor(rows.map { Float($0.first ?? 0) })
      }
      let length = outputSequenceLength ?? rows.map(\.count).max() ?? 0
      var values = [Float](repeating: 0, count: texts.count * length)
      for (r, row) in rows.enumerated() {
        for (t, id) in row.prefix(length).enumerated() { values[r * length + t] = Float(id) }
      }
      return try Tensor(shape: [texts.count, length], scalars: values)
    }
    guard !tokens.isEmpty || padToMaxTokens else {
      throw fail(
        "when using `outputMode=\(outputMode.rawValue)` and `padToMaxTokens=false`, you must set the layer's "
          + "vocabulary before calling it: pass a `vocabulary` or call `adapt`")
    }
    let depth = padToMaxTokens ? maxTokens! : vocabularySize
    var values = [Float](repeating: 0, count: texts.count * depth)
    for (r, text) in texts.enumerated() {
      for token in tokenize(text) {
        guard let id = id(of: token), id < depth else { continue }
        switch outputMode {
        case .multiHot: values[r * depth + id] = 1
        case .count: values[r * depth + id] += 1
        case .tfIdf: values[r * depth + id] += 1
        case .int: break
        }
      }
    }
    if outputMode == .tfIdf, let idfWeights {
      for r in 0..<texts.count {
        for i in 0..<Swift.min(depth, idfWeights.count) { values[r * depth + i] *= idfWeights[i] }
      }
    }
    return try Tensor(shape: [texts.count, depth], scalars: values)
  }

  /// Token ids of `texts` as integers, ``OutputMode/int`` only; see ``callAsFunction(_:)-([String])``.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` in another output mode.
  public func ids(_ texts: [String]) throws -> IntTensor {
    guard outputMode == .int else { throw fail("ids(_:) needs outputMode 'int', not '\(outputMode.rawValue)'") }
    return try IntTensor(self(texts))
  }

  /// The layer takes strings: calling it on numbers throws.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    throw fail("the layer takes strings: call it on [String] before the model")
  }

  /// The output shape for `[N, 1]` strings: `[N, L]` ids or `[N, V]` rows.
  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    if outputMode == .int { return [inputShape.first ?? nil, outputSequenceLength] }
    return [inputShape.first ?? nil, padToMaxTokens ? maxTokens : vocabularySize]
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("max_tokens", maxTokens.map { .int($0) } ?? .null),
      ("standardize", standardize.map { .string($0.rawValue) } ?? .null),
      ("split", split.map { .string($0.rawValue) } ?? .null), ("ngrams", ngrams?.config ?? .null),
      ("output_mode", .string(outputMode.rawValue)),
      ("output_sequence_length", outputSequenceLength.map { .int($0) } ?? .null),
      ("pad_to_max_tokens", .bool(padToMaxTokens)), ("sparse", false), ("ragged", false),
      ("vocabulary", givenVocabulary.map { .array($0.map { .string($0) }) } ?? .null),
      ("idf_weights", givenIdfWeights.map { .array($0.map { .decimal($0) }) } ?? .null), ("encoding", "utf-8"),
      ("vocabulary_size", .int(vocabularySize)),
    ]
  }

  // MARK: Assets

  /// The vocabulary file Keras writes in a `.keras` archive's assets: the vocabulary, special
  /// tokens included, one per line, with no final newline.
  public var vocabularyAsset: String { getVocabulary().joined(separator: "\n") }

  /// Reads a vocabulary file written by Keras' `save_assets` (lines; trailing empty lines ignored).
  ///
  /// - Throws: as ``setVocabulary(_:idfWeights:)``.
  public func loadVocabularyAsset(_ text: String, idfWeights: [Float]? = nil) throws {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    while lines.last == "" { lines.removeLast() }
    try setVocabulary(lines, idfWeights: idfWeights ?? self.idfWeights)
  }
}
