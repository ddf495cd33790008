/// Reorders the axes after the batch (`keras.layers.Permute`).
///
/// `dims` counts from 1 (the batch stays first): `Permute([2, 1])` turns `[N, L, C]` into `[N, C, L]`.
public final class Permute: Layer, @unchecked Sendable {
  /// The new order of the non-batch axes, a permutation of `1...dims.count`.
  public let dims: [Int]

  /// A permutation of the non-batch axes.
  public init(_ dims: [Int], inputShape: [Int]? = nil, name: String? = nil) {
    precondition(
      dims.sorted() == Array(1...Swift.max(1, dims.count)) && !dims.isEmpty,
      "Permute: dims must be a permutation of 1...\(dims.count), got \(dims)")
    self.dims = dims
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: dims.count + 1)
  }

  /// The input with its axes reordered.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    try input.permuted([0] + dims)
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    guard inputShape.count == dims.count + 1 else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "rank \(dims.count + 1) (batch and \(dims.count) axes)", got: inputShape.map { $0 ?? -1 })
    }
    return [inputShape[0]] + dims.map { inputShape[$0] }
  }

  public override var layerConfig: [(String, ConfigValue)] { [("dims", .array(dims.map { .int($0) }))] }

  /// A Permute from its Keras config.
  static func fromConfig(_ reader: ConfigReader, inputShape: [Int]?, name: String?) throws -> Layer {
    let value = reader.value("dims") ?? .null
    guard case .array(let items) = value else { throw reader.invalid("dims", expected: "a list of axes", got: value) }
    let dims = items.compactMap(ConfigReader.integer)
    guard dims.count == items.count, !dims.isEmpty, dims.sorted() == Array(1...dims.count) else {
      throw reader.invalid("dims", expected: "a permutation of 1...\(items.count)", got: value)
    }
    return Permute(dims, inputShape: inputShape, name: name)
  }
}

extension Permute: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    try fromConfig(config.reader, inputShape: config.inputShape, name: config.name)
  }
}
