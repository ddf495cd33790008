/// Additive (Bahdanau-style) attention (`keras.layers.AdditiveAttention`).
///
/// As ``Attention``, with scores `Σ scale · tanh(q + k)` over the features: query `[N, Tq, D]`,
/// value `[N, Tv, Dv]`, key `[N, Tv, D]` (the value when absent); output `[N, Tq, Dv]`, scores
/// `[N, Tq, Tv]`. With `useScale` (Keras' default) `scale` is a learned `[D]` vector
/// (Glorot uniform), else 1. Masks, `useCausalMask`, dropout and the graph calls are
/// ``Attention``'s.
///
/// ```swift
/// let context = try AdditiveAttention()(query: q, value: v, useCausalMask: true)
/// ```
public final class AdditiveAttention: Attention, @unchecked Sendable {
  /// An additive attention layer; `dropout` (in `0..<1`) applies to the attention weights in training.
  public init(useScale: Bool = true, dropout: Float = 0, seed: UInt64? = nil, name: String? = nil) {
    super.init(useScale: useScale, scoreMode: .dot, dropout: dropout, seed: seed, name: name)
  }

  /// Creates `scale` `[D]` with `useScale`; `queryShape` is `(batch, Tq, D)`.
  override func buildScores(queryShape: [Int?]) throws {
    guard useScale else { return }
    guard let features = queryShape.last ?? nil else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "a query (batch, Tq, dim) of known dim", got: queryShape.map { $0 ?? -1 })
    }
    scale = try addWeight("scale", shape: [features], initializer: .glorotUniform())
  }

  override func scores(query: Tensor, key: Tensor) throws -> Tensor {
    let sums = try (query.expandingDims(at: 2) + key.expandingDims(at: 1)).tanh()
    return try (scale.map { try sums * $0.value } ?? sums).sum(axis: -1)
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("use_scale", .bool(useScale)), ("dropout", .decimal(dropout)),
      ("seed", seed.map { .int(Int(truncatingIfNeeded: $0)) } ?? .null),
    ]
  }

  /// An AdditiveAttention from its Keras config.
  static func fromAdditiveConfig(_ reader: ConfigReader, name: String?) throws -> Layer {
    AdditiveAttention(
      useScale: try reader.bool("use_scale", default: true), dropout: try reader.fraction("dropout", default: 0),
      seed: try reader.seed("seed"), name: name)
  }
}
