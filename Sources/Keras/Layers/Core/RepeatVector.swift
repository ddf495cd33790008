/// Repeats each input vector `n` times: `[N, D] → [N, n, D]` (`keras.layers.RepeatVector`).
public final class RepeatVector: Layer, @unchecked Sendable {
  /// The number of repetitions.
  public let n: Int

  /// Repeats the input `n` times.
  public init(_ n: Int, inputShape: [Int]? = nil, name: String? = nil) {
    self.n = n
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: 2)
  }

  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    try input.expandingDims(at: 1).broadcast(to: [input.shape[0], n, input.shape[1]])
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] { [inputShape[0], n, inputShape[1]] }

  public override var layerConfig: [(String, ConfigValue)] { [("n", .int(n))] }
}

extension RepeatVector: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    RepeatVector(try config.reader.positiveInt("n"), inputShape: config.inputShape, name: config.name)
  }
}
