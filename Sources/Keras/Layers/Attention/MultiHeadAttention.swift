import Foundation

/// Multi-head attention as in "Attention is all you need" (`keras.layers.MultiHeadAttention`).
///
/// Query `[N, T, D]`, value `[N, S, Dv]`, key `[N, S, Dk]` (the value when absent). Each input
/// is projected per head (`query/kernel` `[D, heads, keyDim]`, `key/kernel` `[Dk, heads, keyDim]`,
/// `value/kernel` `[Dv, heads, valueDim]`, biases `[heads, keyDim]` and `[heads, valueDim]`);
/// each head attends with `softmax(q kᵀ / √keyDim) v`; the heads are projected together by
/// `attention_output/kernel` `[heads, valueDim, ...outputShape]` to the output
/// `[N, T, ...outputShape]` (`outputShape` defaults to `[D]`). Scores are `[N, heads, T, S]`.
///
/// Masks follow Keras: the query's, value's and key's masks (an Embedding's `maskZero`) and
/// `attentionMask` (`[N, T, S]` or `[T, S]`, 1 = may attend) combine with `useCausalMask`
/// (step `j` visible from step `i` when `j ≤ i`); the output carries the query's mask.
///
/// ```swift
/// let tokens = Input(shape: [128], dtype: "int32")
/// let x = Embedding(5000, 64)(tokens)
/// let attended = MultiHeadAttention(numHeads: 4, keyDim: 16)(x, x, useCausalMask: true)
/// ```
public final class MultiHeadAttention: Layer, @unchecked Sendable {
  /// The number of heads.
  public let numHeads: Int
  /// The size of each head's queries and keys.
  public let keyDim: Int
  /// The size of each head's values (`keyDim` unless given).
  public let valueDim: Int
  /// The fraction of attention weights dropped in training.
  public let dropout: Float
  /// Whether the projections add biases.
  public let useBias: Bool
  /// The output's trailing sizes, the `outputShape` given (nil: the query's feature size).
  public let outputSizes: [Int]?
  /// Draws the four kernels (Keras default: Glorot uniform).
  public let kernelInitializer: Initializer
  /// Draws the biases (Keras default: zeros).
  public let biasInitializer: Initializer
  /// Penalty on the kernels.
  public let kernelRegularizer: Regularizer?
  /// Penalty on the biases.
  public let biasRegularizer: Regularizer?
  /// The seed of the dropout masks (nil: the global generator).
  public let seed: UInt64?

  /// The query projection `query/kernel` `[D, heads, keyDim]`, once built.
  public private(set) var queryKernel: Variable?
  /// The query bias `query/bias` `[heads, keyDim]`, with `useBias` once built.
  public private(set) var queryBias: Variable?
  /// The key projection `key/kernel` `[Dk, heads, keyDim]`, once built.
  public private(set) var keyKernel: Variable?
  /// The key bias `key/bias` `[heads, keyDim]`, with `useBias` once built.
  public private(set) var keyBias: Variable?
  /// The value projection `value/kernel` `[Dv, heads, valueDim]`, once built.
  public private(set) var valueKernel: Variable?
  /// The value bias `value/bias` `[heads, valueDim]`, with `useBias` once built.
  public private(set) var valueBias: Variable?
  /// The output projection `attention_output/kernel` `[heads, valueDim, ...outputShape]`, once built.
  public private(set) var outputKernel: Variable?
  /// The output bias `attention_output/bias` `[...outputShape]`, with `useBias` once built.
  public private(set) var outputBias: Variable?

  /// The feature sizes of the query, value and key the layer was built for.
  public private(set) var inputFeatures: (query: Int, value: Int, key: Int)?
  private var pendingFeatures: (value: Int, key: Int)?
  var masks: DropoutMaskSource

  /// A multi-head attention layer of `numHeads` heads of `keyDim` (queries, keys) and `valueDim` (values).
  ///
  /// `attentionAxes` must be nil or `[1]` (attention over the steps of `[N, T, D]` inputs, Keras'
  /// default); other axes are not supported.
  public init(
    numHeads: Int, keyDim: Int, valueDim: Int? = nil, dropout: Float = 0, useBias: Bool = true,
    outputShape: [Int]? = nil, attentionAxes: [Int]? = nil, kernelInitializer: Initializer = .glorotUniform(),
    biasInitializer: Initializer = .zeros, kernelRegularizer: Regularizer? = nil, biasRegularizer: Regularizer? = nil,
    seed: UInt64? = nil, name: String? = nil
  ) {
    precondition(numHeads > 0, "MultiHeadAttention: numHeads must be positive, got \(numHeads)")
    precondition(keyDim > 0, "MultiHeadAttention: keyDim must be positive, got \(keyDim)")
    precondition((valueDim ?? 1) > 0, "MultiHeadAttention: valueDim must be positive, got \(valueDim ?? 0)")
    precondition(dropout >= 0 && dropout < 1, "MultiHeadAttention: dropout must be in [0, 1), got \(dropout)")
    precondition(
      (outputShape ?? [1]).allSatisfy { $0 > 0 } && outputShape != [],
      "MultiHeadAttention: outputShape sizes must be positive, got \(outputShape ?? [])")
    precondition(
      attentionAxes == nil || attentionAxes == [1] || attentionAxes == [-2],
      "MultiHeadAttention: only attentionAxes nil or [1] (over the steps) is supported, got \(attentionAxes ?? [])")
    self.numHeads = numHeads
    self.keyDim = keyDim
    self.valueDim = valueDim ?? keyDim
    self.dropout = dropout
    self.useBias = useBias
    self.outputSizes = outputShape
    self.kernelInitializer = kernelInitializer
    self.biasInitializer = biasInitializer
    self.kernelRegularizer = kernelRegularizer
    self.biasRegularizer = biasRegularizer
    self.seed = seed
    masks = DropoutMaskSource(seed: seed)
    super.init(name: name)
  }

  // MARK: Building

  /// Builds for a query `[N, T, D]`, value `[N, S, Dv]` and key `[N, S, Dk]` (the value's when nil).
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` for a shape that is not
  ///   `(batch, steps, features)` with known features, or value and key steps that differ.
  public func build(queryShape: [Int?], valueShape: [Int?], keyShape: [Int?]? = nil) throws {
    let keyShape = keyShape ?? valueShape
    for (role, shape) in [("query", queryShape), ("value", valueShape), ("key", keyShape)] {
      guard shape.count == 3, shape[2] != nil else {
        throw KerasError.incompatibleInput(
          layer: name, expected: "a \(role) (batch, steps, features)", got: shape.map { $0 ?? -1 })
      }
    }
    if let s = valueShape[1], let k = keyShape[1], s != k {
      throw KerasError.incompatibleInput(
        layer: name, expected: "a key of the value's \(s) steps", got: keyShape.map { $0 ?? -1 })
    }
    if let built = inputFeatures {
      guard built == (queryShape[2]!, valueShape[2]!, keyShape[2]!) else {
        throw KerasError.incompatibleInput(
          layer: name,
          expected: "query, value and key of \(built.query), \(built.value) and \(built.key) features",
          got: [queryShape[2]!, valueShape[2]!, keyShape[2]!])
      }
      return
    }
    pendingFeatures = (valueShape[2]!, keyShape[2]!)
    defer { pendingFeatures = nil }
    try buildIfNeeded(queryShape)
  }

  /// Creates the weights; `inputShape` is the query's (value and key as the query's unless
  /// given to ``build(queryShape:valueShape:keyShape:)``).
  public override func build(inputShape: [Int?]) throws {
    guard inputShape.count == 3, let queryFeatures = inputShape[2] else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "a query (batch, steps, features)", got: inputShape.map { $0 ?? -1 })
    }
    let (valueFeatures, keyFeatures) = pendingFeatures ?? (queryFeatures, queryFeatures)
    let output = outputSizes ?? [queryFeatures]
    // Keras' EinsumDense sublayers count a kernel's fans over its input and output axes
    // (64 and 64 for a [64, 4, 16] query kernel), not as a convolution's: drawn here likewise.
    func kernel(_ shape: [Int], inputAxes: Int) throws -> Variable {
      let kernel = try addWeight("kernel", shape: shape, initializer: .zeros, regularizer: kernelRegularizer)
      kernel.value = try kernelInitializer.einsumKernel(shape, inputAxes: inputAxes)
      return kernel
    }
    func projection(_ inputs: Int, _ size: Int) throws -> (Variable, Variable?) {
      let kernel = try kernel([inputs, numHeads, size], inputAxes: 1)
      let bias = useBias
        ? try addWeight("bias", shape: [numHeads, size], initializer: biasInitializer, regularizer: biasRegularizer) : nil
      return (kernel, bias)
    }
    (queryKernel, queryBias) = try projection(queryFeatures, keyDim)
    (keyKernel, keyBias) = try projection(keyFeatures, keyDim)
    (valueKernel, valueBias) = try projection(valueFeatures, valueDim)
    outputKernel = try kernel([numHeads, valueDim] + output, inputAxes: 2)
    if useBias {
      outputBias = try addWeight("bias", shape: output, initializer: biasInitializer, regularizer: biasRegularizer)
    }
    inputFeatures = (queryFeatures, valueFeatures, keyFeatures)
  }

  /// The sublayers Keras keeps the weights in (`query`, `key`, `value`, `attention_output`),
  /// with their attribute keys in a `.weights.h5` file, in Keras' weight order.
  var projections: [(key: String, name: String, weights: [Variable])] {
    let parts: [(String, String, Variable?, Variable?)] = [
      ("query_dense", "query", queryKernel, queryBias), ("key_dense", "key", keyKernel, keyBias),
      ("value_dense", "value", valueKernel, valueBias), ("output_dense", "attention_output", outputKernel, outputBias),
    ]
    return parts.map { ($0.0, $0.1, [$0.2, $0.3].compactMap { $0 }) }
  }

  // MARK: Calling

  /// A multi-head attention layer takes a query and a value: call it as `mha(query, value)`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` always, naming the layer.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    throw KerasError.invalidArgument(
      "Layer '\(name)': MultiHeadAttention takes a query and a value; call it as mha(query, value, key:)")
  }

  /// The attention output `[N, T, ...outputShape]` of `query` over `value` (keyed by `key`, else `value`).
  ///
  /// `queryMask` `[N, T]`, `valueMask` and `keyMask` `[N, S]` (1 for real steps), `attentionMask`
  /// `[N, T, S]` or `[T, S]` (1 where a query step may attend to a key step).
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` when the shapes disagree.
  public func callAsFunction(
    _ query: Tensor, _ value: Tensor, key: Tensor? = nil, attentionMask: Tensor? = nil, queryMask: Tensor? = nil,
    valueMask: Tensor? = nil, keyMask: Tensor? = nil, useCausalMask: Bool = false, training: Bool = false
  ) throws -> Tensor {
    try attend(
      query, value, key: key, attentionMask: attentionMask, queryMask: queryMask, valueMask: valueMask,
      keyMask: keyMask, useCausalMask: useCausalMask, returnScores: false, training: training
    ).output
  }

  /// The attention output and the attention weights `[N, heads, T, S]` (Keras'
  /// `return_attention_scores=True`); the weights carry no gradient.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` when the shapes disagree.
  public func callReturningScores(
    _ query: Tensor, _ value: Tensor, key: Tensor? = nil, attentionMask: Tensor? = nil, queryMask: Tensor? = nil,
    valueMask: Tensor? = nil, keyMask: Tensor? = nil, useCausalMask: Bool = false, training: Bool = false
  ) throws -> (output: Tensor, scores: Tensor) {
    try attend(
      query, value, key: key, attentionMask: attentionMask, queryMask: queryMask, valueMask: valueMask,
      keyMask: keyMask, useCausalMask: useCausalMask, returnScores: true, training: training)
  }

  func attend(
    _ query: Tensor, _ value: Tensor, key: Tensor?, attentionMask: Tensor?, queryMask: Tensor?, valueMask: Tensor?,
    keyMask: Tensor?, useCausalMask: Bool, returnScores: Bool, training: Bool
  ) throws -> (output: Tensor, scores: Tensor) {
    // The dtype policy's casts, for direct calls too (a graph call's inputs arrive cast already).
    let (query, value, key) = (castInput(query), castInput(value), castInput(key ?? value))
    try build(queryShape: [nil] + query.shape.dropFirst().map { $0 }, valueShape: [nil] + value.shape.dropFirst().map { $0 },
      keyShape: [nil] + key.shape.dropFirst().map { $0 })
    let (batch, queries, steps) = (query.shape[0], query.shape[1], value.shape[1])
    guard value.shape[0] == batch, key.shape[0] == batch else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "a value and key of \(batch) rows", got: [value.shape[0], key.shape[0]])
    }
    let keep = try keepFlags(
      batch: batch, queries: queries, steps: steps, attentionMask: attentionMask, queryMask: queryMask,
      valueMask: valueMask, keyMask: keyMask)
    let q = try project(query, queryKernel!, queryBias, size: keyDim)
    let k = try project(key, keyKernel!, keyBias, size: keyDim)
    let v = try project(value, valueKernel!, valueBias, size: valueDim)
    let dropped = training && dropout > 0 ? masks.mask([batch, numHeads, queries, steps], rate: dropout) : nil
    // Keras' fused path (no dropout, no scores returned) leaves a query step that sees no key
    // step uniform; its explicit path zeroes it.
    let (attended, weights) = try Tensor.multiHeadAttention(
      query: q, key: k, value: v, mask: AttentionMask(keep: keep, causal: useCausalMask),
      scale: 1 / Float(keyDim).squareRoot(), zeroMaskedRows: dropout > 0 || returnScores, dropout: dropped,
      precision: matMulPrecision, keepWeights: returnScores)
    let output = outputSizes ?? [query.shape[2]]
    let width = output.reduce(1, *)
    let heads = try castOutput(attended).reshaped(to: [batch * queries, numHeads * valueDim])
    let y = try projected(
      heads, computeValue(outputKernel!).reshaped(to: [numHeads * valueDim, width]),
      outputBias.map { try computeValue($0).reshaped(to: [width]) })
    // Without returnScores the weights are not kept (an empty tensor stands in).
    return (castOutput(try y.reshaped(to: [batch, queries] + output)), weights ?? Tensor.zeros([0]))
  }

  /// `input [N, L, F] · kernel [F, heads, size] + bias`, as `[N, L, heads, size]`.
  private func project(_ input: Tensor, _ kernel: Variable, _ bias: Variable?, size: Int) throws -> Tensor {
    let (rows, steps, features) = (input.shape[0], input.shape[1], input.shape[2])
    let y = try projected(
      input.reshaped(to: [rows * steps, features]), computeValue(kernel).reshaped(to: [features, numHeads * size]),
      bias.map { try computeValue($0).reshaped(to: [numHeads * size]) })
    return castOutput(try y.reshaped(to: [rows, steps, numHeads, size]))
  }

  /// `rows [M, K] · kernel [K, N] + bias [N]`; in float32 the GEMM adds the bias.
  private func projected(_ rows: Tensor, _ kernel: Tensor, _ bias: Tensor?) throws -> Tensor {
    if let bias, matMulPrecision == .float32, !castsToBFloat16 { return try rows.matmul(kernel, addingBias: bias) }
    let y = try rows.matmul(kernel, precision: matMulPrecision)
    return try bias.map { try y + $0 } ?? y
  }

  /// The combined keep flags `[N or 1, 1, T, S]` of the masks given, or nil for none.
  private func keepFlags(
    batch: Int, queries: Int, steps: Int, attentionMask: Tensor?, queryMask: Tensor?, valueMask: Tensor?,
    keyMask: Tensor?
  ) throws -> Tensor? {
    var keep: Tensor?
    func combine(_ mask: Tensor) throws {
      let flags = try mask.notEqual(Tensor(0))
      keep = try keep.map { try $0 * flags } ?? flags
    }
    for (role, mask) in [("query", queryMask), ("value", valueMask), ("key", keyMask)] {
      guard let mask else { continue }
      let expected = [batch, role == "query" ? queries : steps]
      guard mask.shape == expected else {
        throw KerasError.incompatibleInput(layer: name, expected: "a \(role) mask \(kerasShapeText(expected))", got: mask.shape)
      }
      try combine(role == "query" ? mask.reshaped(to: [batch, queries, 1]) : mask.reshaped(to: [batch, 1, steps]))
    }
    if let attentionMask {
      let shape = attentionMask.shape
      guard shape == [batch, queries, steps] || shape == [queries, steps] || shape == [1, queries, steps] else {
        throw KerasError.incompatibleInput(
          layer: name, expected: "an attention mask (\(batch), \(queries), \(steps)) or (\(queries), \(steps))",
          got: shape)
      }
      try combine(attentionMask.rank == 2 ? attentionMask.reshaped(to: [1, queries, steps]) : attentionMask)
    }
    guard let flags = keep else { return nil }
    let rows = flags.shape[0]
    return try (flags + Tensor.zeros([rows, queries, steps])).reshaped(to: [rows, 1, queries, steps])
  }

  // MARK: Config

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    Array(inputShape.dropLast()) + (outputSizes.map { $0.map { $0 } } ?? [inputShape.last ?? nil])
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("num_heads", .int(numHeads)), ("key_dim", .int(keyDim)), ("value_dim", .int(valueDim)),
      ("dropout", .decimal(dropout)), ("use_bias", .bool(useBias)), ("use_gate", false),
      ("output_shape", outputSizes.map { .array($0.map { .int($0) }) } ?? .null),
      ("attention_axes", isBuilt ? .array([1]) : .null), ("sliding_window", .null),
      ("kernel_initializer", kernelInitializer.config), ("bias_initializer", biasInitializer.config),
      ("kernel_regularizer", kernelRegularizer?.config ?? .null), ("bias_regularizer", biasRegularizer?.config ?? .null),
      ("activity_regularizer", .null), ("kernel_constraint", .null), ("bias_constraint", .null),
      ("seed", seed.map { .int(Int(truncatingIfNeeded: $0)) } ?? .null),
    ]
  }

  /// A MultiHeadAttention from a Keras 3 or tf.keras 2 config (`query_shape`, `value_shape`,
  /// `key_shape` of tf.keras build the layer; `softmax_robust_masking` is tf.keras' name for
  /// the masking Keras 3 always does).
  static func fromConfig(_ reader: ConfigReader, name: String?) throws -> Layer {
    try reader.require("use_gate", in: [.null, false], "SwiftKeras' MultiHeadAttention has no gate")
    try reader.requireNull("sliding_window", "SwiftKeras' MultiHeadAttention attends over every step")
    try reader.requireNull("activity_regularizer", "SwiftKeras has no activity regularizers")
    for key in ["kernel_constraint", "bias_constraint"] { try reader.requireNull(key, "SwiftKeras has no weight constraints") }
    try reader.require(
      "attention_axes", in: [.null, .int(1), .array([.int(1)]), .int(-2), .array([.int(-2)])], "SwiftKeras attends over the steps of (batch, steps, features)")
    reader.ignore("softmax_robust_masking", "flash_attention")
    let outputShape: [Int]?
    switch reader.present("output_shape") {
    case nil: outputShape = nil
    case .array(let sizes)?:
      let values = sizes.compactMap(ConfigReader.integer)
      guard values.count == sizes.count, !values.isEmpty, values.allSatisfy({ $0 > 0 }) else {
        throw reader.invalid("output_shape", expected: "a list of positive sizes", got: .array(sizes))
      }
      outputShape = values
    case let value?:
      guard let size = ConfigReader.integer(value), size > 0 else {
        throw reader.invalid("output_shape", expected: "a positive size or a list of them", got: value)
      }
      outputShape = [size]
    }
    let keyDim = try reader.positiveInt("key_dim")
    let valueDim: Int? = reader.present("value_dim") == nil ? nil : try reader.positiveInt("value_dim")
    let layer = MultiHeadAttention(
      numHeads: try reader.positiveInt("num_heads"), keyDim: keyDim, valueDim: valueDim,
      dropout: try reader.fraction("dropout", default: 0), useBias: try reader.bool("use_bias", default: true),
      outputShape: outputShape, kernelInitializer: try reader.initializer("kernel_initializer", default: .glorotUniform()),
      biasInitializer: try reader.initializer("bias_initializer", default: .zeros),
      kernelRegularizer: try reader.regularizer("kernel_regularizer"),
      biasRegularizer: try reader.regularizer("bias_regularizer"), seed: try reader.seed("seed"), name: name)
    if let query = try reader.shape("query_shape"), let value = try reader.shape("value_shape") {
      try layer.build(queryShape: query, valueShape: value, keyShape: try reader.shape("key_shape"))
    } else {
      reader.ignore("query_shape", "value_shape", "key_shape")
    }
    return layer
  }
}

// MARK: - In model graphs

extension MultiHeadAttention {
  /// Calls the layer in a model graph, as Keras' `mha(query, value, key=..., attention_mask=...,
  /// use_causal_mask=...)`: the masks the inputs carry (an Embedding's `maskZero`) apply as in
  /// eager calls, and the call's keyword arguments are saved with the model.
  public func callAsFunction(
    _ query: KerasTensor, _ value: KerasTensor, key: KerasTensor? = nil, attentionMask: KerasTensor? = nil,
    useCausalMask: Bool = false
  ) -> KerasTensor {
    let outputs: [KerasTensor] = self(
      query, value, key: key, attentionMask: attentionMask, useCausalMask: useCausalMask, returnAttentionScores: false)
    return outputs[0]
  }

  /// Calls the layer in a model graph and returns `[output]`, or `[output, scores]` with
  /// `returnAttentionScores` (scores `[N, heads, T, S]`).
  public func callAsFunction(
    _ query: KerasTensor, _ value: KerasTensor, key: KerasTensor? = nil, attentionMask: KerasTensor? = nil,
    useCausalMask: Bool = false, returnAttentionScores: Bool
  ) -> [KerasTensor] {
    var keywords = CallKeywords()
    if let key { keywords.tensors.append(("key", key)) }
    if let attentionMask { keywords.tensors.append(("attention_mask", attentionMask)) }
    if useCausalMask { keywords.settings.append(("use_causal_mask", true)) }
    if returnAttentionScores { keywords.settings.append(("return_attention_scores", true)) }
    return symbolicCall([query, value], asList: false, initialState: [], keywords: keywords)
  }
}

extension MultiHeadAttention: KeywordCallLayer {

  /// The query, value and key of a graph call: positional, or (tf.keras 2) `value` and `key` as keywords.
  private func roles<T>(_ inputs: [T], keyword: (String) -> T?) throws -> (query: T, value: T, key: T?) {
    guard (1...3).contains(inputs.count), let value = inputs.count > 1 ? inputs[1] : keyword("value") else {
      throw KerasError.invalidArgument(
        "Layer '\(name)' (MultiHeadAttention) takes a query and a value (and a key), got \(inputs.count) inputs")
    }
    return (inputs[0], value, inputs.count > 2 ? inputs[2] : keyword("key"))
  }

  func symbolicOutputShapes(_ inputShapes: [[Int?]], keywords: CallKeywords) throws -> [[Int?]] {
    try keywords.check(
      tensorNames: ["value", "key", "attention_mask"], settingNames: ["use_causal_mask", "return_attention_scores"],
      layer: name, className: Self.className)
    let (query, value, key) = try roles(inputShapes) { keywords.tensor($0)?.shape }
    try build(queryShape: query, valueShape: value, keyShape: key)
    _ = try keywords.flag("use_causal_mask", layer: name)
    let output = try outputShape(for: query)
    guard try keywords.flag("return_attention_scores", layer: name) else { return [output] }
    return [output, [query[0], numHeads, query[1], value[1]]]
  }

  func callNode(
    _ inputs: [Tensor], masks: [Tensor?], keywords: CallKeywords, keywordValues: [String: (Tensor, Tensor?)],
    training: Bool
  ) throws -> (outputs: [Tensor], masks: [Tensor?]) {
    let given = zip(inputs, masks).map { ($0, $1) }
    let (query, value, key) = try roles(given) { keywordValues[$0] }
    let returnScores = try keywords.flag("return_attention_scores", layer: name)
    let (output, scores) = try attend(
      query.0, value.0, key: key?.0, attentionMask: keywordValues["attention_mask"]?.0, queryMask: query.1,
      valueMask: value.1, keyMask: key?.1, useCausalMask: try keywords.flag("use_causal_mask", layer: name),
      returnScores: returnScores, training: training)
    return returnScores ? ([output, scores], [query.1, nil]) : ([output], [query.1])
  }

  /// Keras' `shapes_dict` of the query, value and key shapes.
  func buildConfig(for node: Node) -> ConfigValue? {
    guard let shapes = try? roles(node.inputs.map(\.shape), keyword: { node.keywords.tensor($0)?.shape }) else {
      return nil
    }
    var dict: [(String, ConfigValue)] = [("query_shape", .shape(shapes.query)), ("value_shape", .shape(shapes.value))]
    if let key = shapes.key { dict.append(("key_shape", .shape(key))) }
    return .object([("shapes_dict", .object(dict))])
  }
}

extension MultiHeadAttention: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer { try fromConfig(config.reader, name: config.name) }
}
