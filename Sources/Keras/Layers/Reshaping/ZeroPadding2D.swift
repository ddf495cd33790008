/// Adds rows and columns of zeros around images (`keras.layers.ZeroPadding2D`).
///
/// Input `[N, H, W, C]`, output `[N, top + H + bottom, left + W + right, C]`.
public final class ZeroPadding2D: Layer, @unchecked Sendable {
  /// Rows added above and below.
  public let top: Int, bottom: Int
  /// Columns added left and right.
  public let left: Int, right: Int

  /// `padding.height` rows above and below, `padding.width` columns left and right (`1` or `[1, 2]`).
  public convenience init(padding: Size2D = 1, inputShape: [Int]? = nil, name: String? = nil) {
    self.init(
      top: padding.height, bottom: padding.height, left: padding.width, right: padding.width, inputShape: inputShape,
      name: name)
  }

  /// Each border padded by its own amount (Keras' `((top, bottom), (left, right))`).
  public init(top: Int, bottom: Int, left: Int, right: Int, inputShape: [Int]? = nil, name: String? = nil) {
    precondition(
      [top, bottom, left, right].allSatisfy { $0 >= 0 },
      "ZeroPadding2D: padding must not be negative, got \([top, bottom, left, right])")
    (self.top, self.bottom, self.left, self.right) = (top, bottom, left, right)
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: 4)
  }

  /// The images with their zero borders.
  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    func padded(_ x: Tensor, axis: Int, _ before: Int, _ after: Int) throws -> Tensor {
      guard before + after > 0 else { return x }
      var border = x.shape
      var pieces = [x]
      border[axis] = before
      if before > 0 { pieces.insert(Tensor.zeros(border), at: 0) }
      border[axis] = after
      if after > 0 { pieces.append(Tensor.zeros(border)) }
      return try Tensor.concatenate(pieces, axis: axis)
    }
    return try padded(padded(input, axis: 1, top, bottom), axis: 2, left, right)
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    guard inputShape.count == 4 else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "(None, rows, cols, channels)", got: inputShape.map { $0 ?? -1 })
    }
    return [inputShape[0], inputShape[1].map { $0 + top + bottom }, inputShape[2].map { $0 + left + right }, inputShape[3]]
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("padding", .array([.array([.int(top), .int(bottom)]), .array([.int(left), .int(right)])])),
      ("data_format", "channels_last"),
    ]
  }
}

extension ZeroPadding2D: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    let reader = config.reader
    try config.requireChannelsLast()
    let value = reader.present("padding") ?? .int(1)
    let expected = "an integer, a list of two or a list of two pairs"
    let amounts: [Int]?
    switch value {
    case .array(let items) where items.count == 2:
      let pairs = items.map { item -> [Int]? in
        if case .array(let pair) = item { return pair.count == 2 ? pair.compactMap(ConfigReader.integer) : nil }
        return ConfigReader.integer(item).map { [$0, $0] }
      }
      amounts = pairs.allSatisfy { $0?.count == 2 } ? pairs.flatMap { $0! } : nil
    default: amounts = ConfigReader.integer(value).map { [$0, $0, $0, $0] }
    }
    guard let amounts, amounts.allSatisfy({ $0 >= 0 }) else {
      throw reader.invalid("padding", expected: expected, got: value)
    }
    return ZeroPadding2D(
      top: amounts[0], bottom: amounts[1], left: amounts[2], right: amounts[3], inputShape: config.inputShape,
      name: config.name)
  }
}
