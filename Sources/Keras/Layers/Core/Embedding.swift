/// Turns token ids into dense vectors: `[N, T]` ids → `[N, T, outputDim]` (`keras.layers.Embedding`).
///
/// Ids arrive as a float tensor holding whole numbers (as Keras casts them); with
/// `maskZero`, id 0 is padding and the layer passes a mask `[N, T]` to the next layer, so
/// recurrent layers skip padded steps.
public final class Embedding: Layer, @unchecked Sendable {
  /// The vocabulary size: ids must be in `0..<inputDim`.
  public let inputDim: Int
  /// The vector size (Keras' `output_dim`): the last axis of the output.
  public let outputDim: Int
  /// Draws the table (Keras default: uniform in ±0.05).
  public let embeddingsInitializer: Initializer
  /// Penalty on the table.
  public let embeddingsRegularizer: Regularizer?
  /// Whether id 0 marks padding.
  public let maskZero: Bool

  /// The table `[inputDim, outputDim]`, once built.
  public private(set) var embeddings: Variable?

  /// An embedding of `inputDim` ids into `outputDim`-vectors.
  public init(
    _ inputDim: Int, _ outputDim: Int, embeddingsInitializer: Initializer = .randomUniform(),
    embeddingsRegularizer: Regularizer? = nil, maskZero: Bool = false, inputShape: [Int]? = nil, name: String? = nil
  ) {
    self.inputDim = inputDim
    self.outputDim = outputDim
    self.embeddingsInitializer = embeddingsInitializer
    self.embeddingsRegularizer = embeddingsRegularizer
    self.maskZero = maskZero
    super.init(name: name, inputShape: inputShape)
  }

  /// False: the ids are not cast to a mixed policy's bfloat16 (Keras' Embedding has
  /// `autocast = False`); the vectors it outputs are.
  public override var autocast: Bool { false }

  public override func build(inputShape: [Int?]) throws {
    embeddings = try addWeight(
      "embeddings", shape: [inputDim, outputDim], initializer: embeddingsInitializer, regularizer: embeddingsRegularizer)
  }

  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    let ids: IntTensor
    do {
      ids = try IntTensor(input)
    } catch {
      throw KerasError.invalidArgument("Layer '\(name)': token ids must be whole numbers: \(error)")
    }
    do {
      return try embeddings!.value.gathering(ids)
    } catch {
      throw KerasError.invalidArgument("Layer '\(name)': \(error) (input_dim is \(inputDim))")
    }
  }

  public override func computeMask(_ input: Tensor, mask: Tensor?) throws -> Tensor? {
    maskZero ? try input.notEqual(Tensor(0)) : nil
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] { inputShape + [outputDim] }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("input_dim", .int(inputDim)), ("output_dim", .int(outputDim)),
      ("embeddings_initializer", embeddingsInitializer.config),
      ("embeddings_regularizer", embeddingsRegularizer?.config ?? .null), ("activity_regularizer", .null),
      ("embeddings_constraint", .null), ("mask_zero", .bool(maskZero)),
    ]
  }
}

extension Embedding: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    try config.requireNoConstraints("embeddings_constraint")
    try config.requireNoActivityRegularizer()
    try config.requireUnquantized()
    let reader = config.reader
    try reader.require("sparse", in: [false], "SwiftKeras embeddings give dense gradients")
    // Keras 2's fixed sequence length is shape information only (its batch_input_shape carries it).
    reader.ignore("input_length")
    return Embedding(
      try reader.positiveInt("input_dim"), try reader.positiveInt("output_dim"),
      embeddingsInitializer: try reader.initializer("embeddings_initializer", default: .randomUniform()),
      embeddingsRegularizer: try reader.regularizer("embeddings_regularizer"),
      maskZero: try reader.bool("mask_zero", default: false), inputShape: config.inputShape, name: config.name)
  }
}
