/// The mean over time of each channel (`keras.layers.GlobalAveragePooling1D`).
///
/// Input `[N, L, C]`, output `[N, C]` (`[N, 1, C]` with `keepDims`). Given the mask of a
/// previous layer (`[N, L]`, 1 = real step), only real steps are averaged, as Keras does.
public final class GlobalAveragePooling1D: GlobalPooling, @unchecked Sendable {
  /// Global average pooling over the time axis.
  public init(keepDims: Bool = false, inputShape: [Int]? = nil, name: String? = nil) {
    super.init(poolDimensions: 1, keepDims: keepDims, inputShape: inputShape, name: name)
  }

  /// The mean over time of `input` `[N, L, C]`, over the steps where `mask` `[N, L]` is non-zero if given.
  public override func call(_ input: Tensor, mask: Tensor?, training: Bool) throws -> Tensor {
    guard let mask else { return try input.mean(axis: 1, keepDims: keepDims) }
    guard mask.shape == Array(input.shape.prefix(2)) else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "a mask of shape \(Array(input.shape.prefix(2)))", got: mask.shape)
    }
    let steps = try mask.notEqual(Tensor(0)).expandingDims(at: 2)
    let total = try Tensor.where(steps, input, Tensor(0)).sum(axis: 1, keepDims: keepDims)
    return try total / steps.sum(axis: 1, keepDims: keepDims)
  }
}

extension GlobalAveragePooling1D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    GlobalAveragePooling1D(
      keepDims: try config.globalPoolingKeepDims(), inputShape: config.inputShape, name: config.name)
  }
}
