/// How ``Attention`` scores a query against a key.
public enum AttentionScoreMode: String, CaseIterable, Sendable {
  /// The dot product `q · k` (Luong-style).
  case dot
  /// The sum over features of `tanh(q + k)` (Bahdanau-style).
  case concat
}

/// Dot-product attention: each query step takes the softmax-weighted mean of the value steps
/// (`keras.layers.Attention`).
///
/// Query `[N, Tq, D]`, value `[N, Tv, Dv]`, key `[N, Tv, D]` (the value when absent); output
/// `[N, Tq, Dv]`, scores `[N, Tq, Tv]`. Scores are `q · kᵀ` (times ``scale`` with `useScale`), or
/// for `concat` `concatScoreWeight · Σ tanh(scale · (q + k))`; value steps masked out (by the value
/// mask or, with `useCausalMask`, every step after the query's) get `score - 1e9` before the
/// softmax, as Keras; query steps masked out give zeros.
///
/// ```swift
/// let attention = Attention()
/// let context = try attention(query: q, value: v, useCausalMask: true)
/// ```
public class Attention: Layer, @unchecked Sendable {
  /// Whether the scores are multiplied by a learned scalar ``scale`` (initially 1).
  public let useScale: Bool
  /// How scores are computed.
  public let scoreMode: AttentionScoreMode
  /// The fraction of attention weights dropped in training.
  public let dropout: Float
  /// The seed of the dropout masks (nil: the global generator).
  public let seed: UInt64?

  /// The learned scale, with `useScale` once built: a scalar `[]` (an ``AdditiveAttention``'s is `[dim]`).
  public internal(set) var scale: Variable?
  /// The learned scalar weight of `concat` scores `[]`, once built.
  public private(set) var concatScoreWeight: Variable?
  var masks: DropoutMaskSource

  /// An attention layer; `dropout` (in `0..<1`) applies to the attention weights in training.
  public init(
    useScale: Bool = false, scoreMode: AttentionScoreMode = .dot, dropout: Float = 0, seed: UInt64? = nil,
    name: String? = nil
  ) {
    precondition(dropout >= 0 && dropout < 1, "Attention: dropout must be in [0, 1), got \(dropout)")
    self.useScale = useScale
    self.scoreMode = scoreMode
    self.dropout = dropout
    self.seed = seed
    masks = DropoutMaskSource(seed: seed)
    super.init(name: name)
  }

  /// Creates the scalar weights; `inputShape` is the query's shape.
  public override func build(inputShape: [Int?]) throws {
    try buildScores(queryShape: inputShape)
  }

  /// Creates the weights of the scores.
  func buildScores(queryShape: [Int?]) throws {
    if useScale { scale = try addWeight("scale", shape: [], initializer: .ones) }
    if scoreMode == .concat { concatScoreWeight = try addWeight("concat_score_weight", shape: [], initializer: .ones) }
  }

  /// An attention layer takes a query and a value: call ``callAsFunction(query:value:key:queryMask:valueMask:useCausalMask:training:)``.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` always, naming the layer.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    throw KerasError.invalidArgument(
      "Layer '\(name)': Attention takes a query and a value; call it as attention(query:value:key:)")
  }

  /// In a model graph, `Attention()([query, value])` or `([query, value, key])`: the output has
  /// the query's steps and the value's features; the inputs' masks (e.g. from an Embedding with
  /// `maskZero`) mask the query and value steps as Keras does.
  public override func symbolicOutputShapes(
    _ inputShapes: [[Int?]], initialStateShapes: [[Int?]], inputDTypes: [String]
  ) throws -> [[Int?]] {
    guard (2...3).contains(inputShapes.count), initialStateShapes.isEmpty,
      inputShapes.allSatisfy({ $0.count == 3 })
    else {
      throw KerasError.invalidArgument(
        "Layer '\(name)' (Attention) takes [query, value] or [query, value, key], each (batch, steps, features); got "
          + inputShapes.map(kerasShapeText).joined(separator: ", "))
    }
    if !isBuilt { try buildIfNeeded(inputShapes[0]) }
    return [[inputShapes[0][0], inputShapes[0][1], inputShapes[1][2]]]
  }

  public override func callNode(_ inputs: [Tensor], masks: [Tensor?], initialState: [Tensor], training: Bool) throws -> (
    outputs: [Tensor], masks: [Tensor?]
  ) {
    try callNode(inputs, masks: masks, keywords: CallKeywords(), keywordValues: [:], training: training)
  }

  /// The attention output `[N, Tq, Dv]` of `query` over `value` (keyed by `key`, else `value`).
  ///
  /// `queryMask` `[N, Tq]` and `valueMask` `[N, Tv]` hold 1 for real steps, 0 for padding.
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` when the shapes disagree.
  public func callAsFunction(
    query: Tensor, value: Tensor, key: Tensor? = nil, queryMask: Tensor? = nil, valueMask: Tensor? = nil,
    useCausalMask: Bool = false, training: Bool = false
  ) throws -> Tensor {
    try callReturningScores(
      query: query, value: value, key: key, queryMask: queryMask, valueMask: valueMask, useCausalMask: useCausalMask,
      training: training
    ).output
  }

  /// The attention output `[N, Tq, Dv]` and the attention weights `[N, Tq, Tv]` after masking and
  /// softmax (Keras' `return_attention_scores=True`).
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` when the shapes disagree.
  public func callReturningScores(
    query: Tensor, value: Tensor, key: Tensor? = nil, queryMask: Tensor? = nil, valueMask: Tensor? = nil,
    useCausalMask: Bool = false, training: Bool = false
  ) throws -> (output: Tensor, scores: Tensor) {
    // The dtype policy's casts, for direct calls too (a graph call's inputs arrive cast already).
    let (query, value, key) = (castInput(query), castInput(value), castInput(key ?? value))
    try checkShapes(query: query, value: value, key: key, queryMask: queryMask, valueMask: valueMask)
    try buildIfNeeded(query.shape.map { $0 })
    let (batch, queries, steps) = (query.shape[0], query.shape[1], key.shape[1])
    var scores = try self.scores(query: query, key: key)
    if let keep = try scoreMask(valueMask: valueMask, causal: useCausalMask, queries: queries, steps: steps) {
      scores = try Tensor.where(keep, scores, scores - 1e9)
    }
    var weights = castOutput(try castOutput(scores).softmax(axis: -1))
    if training && dropout > 0 { weights = try weights * masks.mask([batch, queries, steps], rate: dropout) }
    var output = castOutput(try weights.matmul(value, precision: matMulPrecision))
    if let queryMask { output = try Tensor.where(queryMask.notEqual(Tensor(0)).expandingDims(at: 2), output, Tensor(0)) }
    return (output, weights)
  }

  /// The scores `[N, Tq, Tv]` of each query step against each key step.
  func scores(query: Tensor, key: Tensor) throws -> Tensor {
    switch scoreMode {
    case .dot:
      let scores = try query.matmul(key, transposeB: true, precision: matMulPrecision)
      return try scale.map { try scores * computeValue($0) } ?? scores
    case .concat:
      var sums = try query.expandingDims(at: 2) + key.expandingDims(at: 1)
      if let scale { sums = try sums * scale.value }
      return try sums.tanh().sum(axis: -1) * concatScoreWeight!.value
    }
  }

  /// 1 where a query step may see a value step: the value mask `[N, 1, Tv]`, the causal mask
  /// `[1, Tq, Tv]` (step `j` visible from step `i` when `j ≤ i`), both, or nil for neither.
  private func scoreMask(valueMask: Tensor?, causal: Bool, queries: Int, steps: Int) throws -> Tensor? {
    let values = try valueMask.map { try $0.notEqual(Tensor(0)).expandingDims(at: 1) }
    guard causal else { return values }
    let lower = Tensor(shape: [1, queries, steps]) { out in
      for i in 0..<queries { for j in 0..<steps { out[i * steps + j] = j <= i ? 1 : 0 } }
    }
    return try values.map { try $0 * lower } ?? lower
  }

  private func checkShapes(
    query: Tensor, value: Tensor, key: Tensor, queryMask: Tensor?, valueMask: Tensor?
  ) throws {
    guard query.rank == 3 else {
      throw KerasError.incompatibleInput(layer: name, expected: "a query (batch, Tq, dim)", got: query.shape)
    }
    let (batch, features) = (query.shape[0], query.shape[2])
    guard value.rank == 3, value.shape[0] == batch else {
      throw KerasError.incompatibleInput(layer: name, expected: "a value (\(batch), Tv, dim)", got: value.shape)
    }
    guard key.shape == [batch, value.shape[1], features] else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "a key (\(batch), \(value.shape[1]), \(features))", got: key.shape)
    }
    if let queryMask, queryMask.shape != [batch, query.shape[1]] {
      throw KerasError.incompatibleInput(
        layer: name, expected: "a query mask (\(batch), \(query.shape[1]))", got: queryMask.shape)
    }
    if let valueMask, valueMask.shape != [batch, value.shape[1]] {
      throw KerasError.incompatibleInput(
        layer: name, expected: "a value mask (\(batch), \(value.shape[1]))", got: valueMask.shape)
    }
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] { inputShape }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("use_scale", .bool(useScale)), ("score_mode", .string(scoreMode.rawValue)), ("dropout", .decimal(dropout)),
      ("seed", seed.map { .int(Int(truncatingIfNeeded: $0)) } ?? .null),
    ]
  }

  /// An Attention from its Keras config. Keras 3's legacy `.h5` files hold `score_mode` as the
  /// string `"dot"` or `"concat"` too (Keras 3.15's own legacy loader turns `"dot"` into the
  /// `keras.layers.dot` function and fails; SwiftKeras reads the string).
  static func fromConfig(_ reader: ConfigReader, name: String?) throws -> Layer {
    let mode = try reader.string("score_mode", default: "dot")
    guard let scoreMode = AttentionScoreMode(rawValue: mode) else {
      throw reader.invalid("score_mode", expected: "'dot' or 'concat'", got: .string(mode))
    }
    return Attention(
      useScale: try reader.bool("use_scale", default: false), scoreMode: scoreMode,
      dropout: try reader.fraction("dropout", default: 0), seed: try reader.seed("seed"), name: name)
  }
}

extension Attention {
  /// Calls the layer in a model graph on `[query, value]` or `[query, value, key]`, as Keras'
  /// `Attention()([q, v], use_causal_mask=True)`; the setting is saved with the model.
  public func callAsFunction(_ inputs: [KerasTensor], useCausalMask: Bool) -> KerasTensor {
    let outputs: [KerasTensor] = self(inputs, useCausalMask: useCausalMask, returnAttentionScores: false)
    return outputs[0]
  }

  /// Calls the layer in a model graph and returns `[output]`, or `[output, scores]` (scores
  /// `[N, Tq, Tv]`) with `returnAttentionScores`.
  public func callAsFunction(
    _ inputs: [KerasTensor], useCausalMask: Bool = false, returnAttentionScores: Bool
  ) -> [KerasTensor] {
    var keywords = CallKeywords()
    if useCausalMask { keywords.settings.append(("use_causal_mask", true)) }
    if returnAttentionScores { keywords.settings.append(("return_attention_scores", true)) }
    return symbolicCall(inputs, asList: true, initialState: [], keywords: keywords)
  }
}

extension Attention: KeywordCallLayer {

  func symbolicOutputShapes(_ inputShapes: [[Int?]], keywords: CallKeywords) throws -> [[Int?]] {
    try keywords.check(
      tensorNames: [], settingNames: ["use_causal_mask", "return_attention_scores"], layer: name,
      className: Self.className)
    _ = try keywords.flag("use_causal_mask", layer: name)
    let shapes = try symbolicOutputShapes(inputShapes, initialStateShapes: [], inputDTypes: [])
    guard try keywords.flag("return_attention_scores", layer: name) else { return shapes }
    return shapes + [[inputShapes[0][0], inputShapes[0][1], inputShapes[1][1]]]
  }

  func callNode(
    _ inputs: [Tensor], masks: [Tensor?], keywords: CallKeywords, keywordValues: [String: (Tensor, Tensor?)],
    training: Bool
  ) throws -> (outputs: [Tensor], masks: [Tensor?]) {
    guard (2...3).contains(inputs.count) else {
      throw KerasError.invalidArgument(
        "Layer '\(name)' (\(Self.className)) takes [query, value] or [query, value, key], got \(inputs.count) inputs")
    }
    let mask = { (i: Int) -> Tensor? in masks.indices.contains(i) ? masks[i] : nil }
    let (output, scores) = try callReturningScores(
      query: inputs[0], value: inputs[1], key: inputs.count > 2 ? inputs[2] : nil, queryMask: mask(0),
      valueMask: mask(1), useCausalMask: try keywords.flag("use_causal_mask", layer: name), training: training)
    guard try keywords.flag("return_attention_scores", layer: name) else { return ([output], [mask(0)]) }
    return ([output, scores], [mask(0), nil])
  }
}

extension Attention: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    // Called through AdditiveAttention's metatype too (a subclass shares this conformance).
    if self is AdditiveAttention.Type { return try AdditiveAttention.fromAdditiveConfig(config.reader, name: config.name) }
    return try fromConfig(config.reader, name: config.name)
  }
}
