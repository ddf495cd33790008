/// Flattens every axis after the batch: `[N, d1, d2, ...] → [N, d1·d2·...]` (`keras.layers.Flatten`).
public final class Flatten: Layer, @unchecked Sendable {
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    try input.reshaped(to: [input.shape.first ?? 1, -1])
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    let rest = inputShape.dropFirst()
    return [inputShape.first ?? nil, rest.contains { $0 == nil } ? nil : rest.reduce(1) { $0 * $1! }]
  }

  public override var layerConfig: [(String, ConfigValue)] { [("data_format", "channels_last")] }
}

extension Flatten: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    try config.requireChannelsLast()
    return Flatten(name: config.name, inputShape: config.inputShape)
  }
}
