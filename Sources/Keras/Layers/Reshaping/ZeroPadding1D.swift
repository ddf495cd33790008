/// Adds steps of zeros at the start and end of sequences (`keras.layers.ZeroPadding1D`).
///
/// Input `[N, L, C]`, output `[N, left + L + right, C]`.
public final class ZeroPadding1D: Layer, @unchecked Sendable {
  /// Steps added before the sequence.
  public let left: Int
  /// Steps added after the sequence.
  public let right: Int

  /// `padding` steps of zeros at each end.
  public convenience init(padding: Int = 1, inputShape: [Int]? = nil, name: String? = nil) {
    self.init(left: padding, right: padding, inputShape: inputShape, name: name)
  }

  /// `left` steps before and `right` after (Keras' `padding=(left, right)`).
  public init(left: Int, right: Int, inputShape: [Int]? = nil, name: String? = nil) {
    precondition(left >= 0 && right >= 0, "ZeroPadding1D: padding must not be negative, got \([left, right])")
    (self.left, self.right) = (left, right)
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: 3)
  }

  /// The sequences with their zero steps.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    guard left + right > 0 else { return input }
    var pieces = [input]
    if left > 0 { pieces.insert(Tensor.zeros([input.shape[0], left, input.shape[2]]), at: 0) }
    if right > 0 { pieces.append(Tensor.zeros([input.shape[0], right, input.shape[2]])) }
    return try Tensor.concatenate(pieces, axis: 1)
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    guard inputShape.count == 3 else {
      throw KerasError.incompatibleInput(layer: name, expected: "(None, steps, channels)", got: inputShape.map { $0 ?? -1 })
    }
    return [inputShape[0], inputShape[1].map { $0 + left + right }, inputShape[2]]
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [("padding", .array([.int(left), .int(right)])), ("data_format", "channels_last")]
  }

  /// A ZeroPadding1D from its Keras config (`padding` an integer or a pair).
  static func fromConfig(_ reader: ConfigReader, inputShape: [Int]?, name: String?) throws -> Layer {
    try reader.require("data_format", in: [.null, "channels_last"], "SwiftKeras layers take channels last")
    let value = reader.present("padding") ?? .int(1)
    var amounts: [Int]?
    if case .array(let items) = value, items.count == 2 {
      let pair = items.compactMap(ConfigReader.integer)
      amounts = pair.count == 2 ? pair : nil
    } else if let size = ConfigReader.integer(value) {
      amounts = [size, size]
    }
    guard let amounts, amounts.allSatisfy({ $0 >= 0 }) else {
      throw reader.invalid("padding", expected: "a non-negative integer or a pair of them", got: value)
    }
    return ZeroPadding1D(left: amounts[0], right: amounts[1], inputShape: inputShape, name: name)
  }
}

extension ZeroPadding1D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    try fromConfig(config.reader, inputShape: config.inputShape, name: config.name)
  }
}
