/// Marks time steps to skip (`keras.layers.Masking`): a step whose features all equal
/// `maskValue` is masked for the layers after it (recurrent layers hold their state over it,
/// pooling and merges leave it out), and its output is zero.
///
/// Input `[N, T, ...]`; the mask is `[N, T]` (the last axis is the features compared).
public final class Masking: Layer, @unchecked Sendable {
  /// The value that marks a padded step when every feature of the step has it.
  public let maskValue: Float

  /// A mask of the steps whose features are not all `maskValue`.
  public init(maskValue: Float = 0, inputShape: [Int]? = nil, name: String? = nil) {
    self.maskValue = maskValue
    super.init(name: name, inputShape: inputShape)
  }

  /// 1 for a step with any feature unlike `maskValue`, keeping the last axis (length 1).
  private func keep(_ input: Tensor) throws -> Tensor {
    try input.notEqual(Tensor(maskValue)).max(axis: -1, keepDims: true)
  }

  /// `input` with the masked steps zeroed, as Keras' `inputs * cast(mask)`.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    try input * keep(input)
  }

  public override func computeMask(_ input: Tensor, mask: Tensor?) throws -> Tensor? {
    let steps = try keep(input)
    return try steps.reshaped(to: Array(steps.shape.dropLast()))
  }

  public override var layerConfig: [(String, ConfigValue)] { [("mask_value", .decimal(maskValue))] }
}

extension Masking: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    Masking(maskValue: try config.reader.float("mask_value", default: 0), inputShape: config.inputShape, name: config.name)
  }
}
