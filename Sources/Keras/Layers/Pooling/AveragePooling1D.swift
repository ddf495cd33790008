/// Average pooling over time: the mean of each window, per channel (`keras.layers.AveragePooling1D`).
///
/// Input `[N, L, C]`, output `[N, L', C]` with `L' = ⌊(L - poolSize) / strides⌋ + 1` for
/// `valid` padding and `⌈L / strides⌉` for `same`, where, as in Keras, a window hanging over
/// the ends averages only the steps inside the sequence.
public final class AveragePooling1D: Pooling1D, @unchecked Sendable {
  /// Average pooling with windows of `poolSize` steps, `strides` apart (`poolSize` when nil).
  public override init(
    poolSize: Int, strides: Int? = nil, padding: Padding = .valid, inputShape: [Int]? = nil, name: String? = nil
  ) {
    super.init(poolSize: poolSize, strides: strides, padding: padding, inputShape: inputShape, name: name)
  }

  /// The mean of each window's steps inside the sequence: `[N, L, C]` → `[N, L', C]`.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` when the sequence is shorter than one window.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    let sums = try windows.gather(input, fill: 0, layer: name).sum(axis: 2)
    guard padding == .same else { return sums * (1 / Float(poolSize)) }
    let counts = try windows.gather(Tensor.ones([1, input.shape[1], 1]), fill: 0, layer: name).sum(axis: 2)
    return try sums / counts
  }
}

extension AveragePooling1D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    let settings = try config.pooling1DSettings()
    return AveragePooling1D(
      poolSize: settings.poolSize, strides: settings.strides, padding: settings.padding,
      inputShape: config.inputShape, name: config.name)
  }
}
