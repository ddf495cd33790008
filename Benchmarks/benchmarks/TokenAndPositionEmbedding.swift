import Keras

/// The `TokenAndPositionEmbedding` layer of Keras' "Text classification with Transformer"
/// example, as `keras_workloads.py` defines it: an `Embedding(vocabularySize, embedDim)` of the
/// token ids plus an `Embedding(maxLength, embedDim)` of the positions `0..<T`, broadcast over
/// the batch. Ids `[N, T]` → `[N, T, embedDim]`.
///
/// Keras builds the positions inside the layer's `call` (`ops.arange`), so a Functional model
/// keeps one input, the token ids; this layer does the same with two ``Embedding`` sublayers,
/// whose weights it reports as its own (token table first, as Keras orders them). The weight
/// count is Keras': `(vocabularySize + maxLength) · embedDim`.
final class TokenAndPositionEmbedding: Layer, @unchecked Sendable {
  /// The longest sequence: positions must be in `0..<maxLength`.
  let maxLength: Int
  /// The token vocabulary size.
  let vocabularySize: Int
  /// The embedding size, the output's last axis.
  let embedDim: Int
  /// The token ids' table (`token_emb`).
  let tokenEmbedding: Embedding
  /// The positions' table (`pos_emb`).
  let positionEmbedding: Embedding

  /// A token and position embedding of `vocabularySize` ids and `maxLength` positions into `embedDim`-vectors.
  init(maxLength: Int, vocabularySize: Int, embedDim: Int, name: String? = nil) {
    self.maxLength = maxLength
    self.vocabularySize = vocabularySize
    self.embedDim = embedDim
    tokenEmbedding = Embedding(vocabularySize, embedDim)
    positionEmbedding = Embedding(maxLength, embedDim)
    super.init(name: name)
  }

  override class var className: String { "TokenAndPositionEmbedding" }

  override var weights: [Variable] { tokenEmbedding.weights + positionEmbedding.weights }

  override func build(inputShape: [Int?]) throws {
    guard inputShape.count == 2 else {
      throw KerasError.incompatibleInput(layer: name, expected: "(None, steps)", got: inputShape.map { $0 ?? -1 })
    }
    try tokenEmbedding.buildIfNeeded(inputShape)
    try positionEmbedding.buildIfNeeded([inputShape[1]])
  }

  override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    let steps = input.shape[1]
    guard steps <= maxLength else {
      throw KerasError.invalidArgument("Layer '\(name)': \(steps) steps, more than maxLength \(maxLength)")
    }
    let positions = try Tensor(shape: [steps], scalars: (0..<steps).map(Float.init))
    return try tokenEmbedding(input, training: training) + positionEmbedding(positions, training: training)
  }

  override func outputShape(for inputShape: [Int?]) throws -> [Int?] { inputShape + [embedDim] }

  /// Each row's embedding comes from that row's ids alone, so inference may divide the batch.
  override var computesRowsIndependentlyInInference: Bool { true }

  override var layerConfig: [(String, ConfigValue)] {
    [("maxlen", .int(maxLength)), ("vocab_size", .int(vocabularySize)), ("embed_dim", .int(embedDim))]
  }
}
