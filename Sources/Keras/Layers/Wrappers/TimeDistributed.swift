/// Applies a layer to every time step: `[N, T, ...] → [N, T, ...]` by running the inner
/// layer on `[N·T, ...]` (`keras.layers.TimeDistributed`). The weights are the inner layer's.
public final class TimeDistributed: Layer, @unchecked Sendable {
  /// The layer applied at each step.
  public let layer: Layer

  /// Applies `layer` to each of the `T` steps of `[N, T, ...]` inputs, with one set of weights.
  public init(_ layer: Layer, inputShape: [Int]? = nil, name: String? = nil) {
    self.layer = layer
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(minimumRank: 3)
  }

  public override var weights: [Variable] { layer.weights }
  public override var regularizationLosses: [Tensor] { layer.regularizationLosses }

  public override func build(inputShape: [Int?]) throws {
    try layer.buildIfNeeded([nil] + inputShape.dropFirst(2))
  }

  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    let (n, t) = (input.shape[0], input.shape[1])
    let steps = try input.reshaped(to: [n * t] + input.shape.dropFirst(2))
    let output = try layer(steps, training: training)
    return try output.reshaped(to: [n, t] + output.shape.dropFirst())
  }

  /// The mask of the time steps, passed on unchanged (Keras' `supports_masking`).
  public override func computeMask(_ input: Tensor, mask: Tensor?) throws -> Tensor? { mask }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    let inner = try layer.outputShape(for: [nil] + inputShape.dropFirst(2))
    return [inputShape[0], inputShape[1]] + inner.dropFirst()
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [("layer", layerReference(layer))]
  }
}

/// `{"module": "keras.layers", "class_name": ..., "config": ...}` for a nested layer, as Keras serializes it.
func layerReference(_ layer: Layer) -> ConfigValue {
  .object([
    ("module", "keras.layers"), ("class_name", .string(type(of: layer).className)), ("config", layer.config),
    ("registered_name", .null),
  ])
}

extension TimeDistributed: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    TimeDistributed(try config.nestedLayer("layer"), inputShape: config.inputShape, name: config.name)
  }
}
