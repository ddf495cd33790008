/// Max pooling over time: the largest value of each window, per channel (`keras.layers.MaxPooling1D`).
///
/// Input `[N, L, C]`, output `[N, L', C]` with `L' = ⌊(L - poolSize) / strides⌋ + 1` for
/// `valid` padding and `⌈L / strides⌉` for `same` (padded steps never win).
public final class MaxPooling1D: Pooling1D, @unchecked Sendable {
  /// Max pooling with windows of `poolSize` steps, `strides` apart (`poolSize` when nil).
  public override init(
    poolSize: Int = 2, strides: Int? = nil, padding: Padding = .valid, inputShape: [Int]? = nil, name: String? = nil
  ) {
    super.init(poolSize: poolSize, strides: strides, padding: padding, inputShape: inputShape, name: name)
  }

  /// The maximum of each window: `[N, L, C]` → `[N, L', C]`.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` when the sequence is shorter than one window.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    try windows.gather(input, fill: -.infinity, layer: name).max(axis: 2)
  }
}

extension MaxPooling1D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    let settings = try config.pooling1DSettings()
    return MaxPooling1D(
      poolSize: settings.poolSize, strides: settings.strides, padding: settings.padding,
      inputShape: config.inputShape, name: config.name)
  }
}
