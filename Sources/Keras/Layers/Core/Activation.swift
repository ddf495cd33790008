/// Applies an activation function (`keras.layers.Activation`).
public final class Activation: Layer, @unchecked Sendable {
  /// The function applied.
  public let activation: ActivationFunction

  /// A layer applying `activation`.
  public init(_ activation: ActivationFunction, inputShape: [Int]? = nil, name: String? = nil) {
    self.activation = activation
    super.init(name: name, inputShape: inputShape)
  }

  public override func call(_ input: Tensor, training: Bool) throws -> Tensor { try activation(input) }

  public override func callReturningLogits(_ input: Tensor, mask: Tensor?, training: Bool) throws -> (Tensor, OutputLogits?) {
    (try activation(input), activation.producesLogits ? OutputLogits(activation: activation, values: input) : nil)
  }

  /// The mask of the previous layer, passed on (Keras' `supports_masking`).
  public override func computeMask(_ input: Tensor, mask: Tensor?) throws -> Tensor? { mask }

  public override var layerConfig: [(String, ConfigValue)] { [("activation", .string(activation.name))] }
}

extension Activation: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    Activation(try config.reader.activation("activation"), inputShape: config.inputShape, name: config.name)
  }
}
