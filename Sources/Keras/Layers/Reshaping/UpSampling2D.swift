/// Repeats every row and column of images (`keras.layers.UpSampling2D`, nearest interpolation).
///
/// Input `[N, H, W, C]`, output `[N, H·size.height, W·size.width, C]`.
public final class UpSampling2D: Layer, @unchecked Sendable {
  /// How many times each row and each column is repeated.
  public let size: Size2D

  /// Upsampling by `size` (`2` or `[2, 3]`), each pixel repeated as its nearest neighbours.
  public init(size: Size2D = 2, inputShape: [Int]? = nil, name: String? = nil) {
    precondition(size.isPositive, "UpSampling2D: size must be positive, got \(size)")
    self.size = size
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: 4)
  }

  /// Every row repeated `size.height` times and every column `size.width` times.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    func repeated(_ x: Tensor, axis: Int, _ times: Int) throws -> Tensor {
      guard times > 1 else { return x }
      let indices = (0..<x.shape[axis] * times).map { Int32($0 / times) }
      return try x.gathering(IntTensor(shape: [indices.count], scalars: indices), axis: axis)
    }
    return try repeated(repeated(input, axis: 1, size.height), axis: 2, size.width)
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    guard inputShape.count == 4 else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "(None, rows, cols, channels)", got: inputShape.map { $0 ?? -1 })
    }
    return [inputShape[0], inputShape[1].map { $0 * size.height }, inputShape[2].map { $0 * size.width }, inputShape[3]]
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [("size", size.config), ("data_format", "channels_last"), ("interpolation", "nearest")]
  }
}

extension UpSampling2D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    try config.requireChannelsLast()
    try config.reader.require("interpolation", in: [.null, "nearest"], "SwiftKeras upsamples by nearest neighbours")
    return UpSampling2D(
      size: try config.reader.positiveIntPair("size", default: 2), inputShape: config.inputShape, name: config.name)
  }
}
