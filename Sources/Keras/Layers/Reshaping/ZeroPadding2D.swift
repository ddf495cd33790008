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
