/// A height and a width: a kernel, pool, stride or dilation size of an image layer, written `3`
/// (both 3) or `[3, 5]` as Keras takes an int or a pair.
public struct Size2D: Equatable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral,
  CustomStringConvertible
{
  /// The size along the rows.
  public let height: Int
  /// The size along the columns.
  public let width: Int

  /// A size of `height` rows and `width` columns.
  public init(_ height: Int, _ width: Int) {
    self.height = height
    self.width = width
  }

  /// The same size along both axes.
  public init(integerLiteral value: Int) { self.init(value, value) }

  /// `[height, width]`; any other count is a programmer error.
  public init(arrayLiteral elements: Int...) {
    precondition(elements.count == 2, "Size2D: give [height, width], got \(elements)")
    self.init(elements[0], elements[1])
  }

  /// `[height, width]`.
  public var pair: [Int] { [height, width] }
  /// Whether both sizes are positive.
  var isPositive: Bool { height > 0 && width > 0 }
  /// Keras' config value `[height, width]`.
  var config: ConfigValue { .array([.int(height), .int(width)]) }
  public var description: String { "[\(height), \(width)]" }
}

/// Where the windows of a 2-D convolution or pooling fall on images `[N, H, W, C]`.
struct ImageWindows {
  let size: Size2D
  let strides: Size2D
  let dilation: Size2D
  let padding: Padding

  private func axis(_ i: Int) -> SlidingWindows {
    SlidingWindows(
      size: size.pair[i], stride: strides.pair[i], dilation: dilation.pair[i], padding: padding)
  }

  /// The output shape `[N, H', W', channels]` for an input shape `[N, H, W, C]` (nil for unknown sizes).
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` naming `layer` when the
  ///   input is not of rank 4 or is smaller than one window.
  func outputShape(for inputShape: [Int?], channels: Int?, layer: String) throws -> [Int?] {
    let counts = inputShape.count == 4 ? [axis(0).outputLength(inputShape[1]), axis(1).outputLength(inputShape[2])] : []
    guard inputShape.count == 4, counts.allSatisfy({ $0 ?? 1 > 0 }) else {
      let minimum = padding == .valid ? " with rows >= \(axis(0).span) and columns >= \(axis(1).span)" : ""
      throw KerasError.incompatibleInput(
        layer: layer, expected: kerasShapeText([nil, nil, nil, inputShape.last ?? nil]) + minimum,
        got: inputShape.map { $0 ?? -1 })
    }
    return [inputShape[0], counts[0], counts[1], channels]
  }

  /// The windows over `input` `[N, H, W, C]`.
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` as ``outputShape(for:channels:layer:)``.
  func window(for input: Tensor, layer: String) throws -> Window2D {
    _ = try outputShape(for: input.shape.map { $0 }, channels: nil, layer: layer)
    return Window2D(
      input: [input.shape[1], input.shape[2]], kernel: size.pair, strides: strides.pair, dilation: dilation.pair,
      samePadding: padding == .same)
  }

  /// Throws unless the padding is `valid` or `same` and strides and dilation are not both above 1, as Keras.
  func validate(layer: String) throws {
    guard padding != .causal else {
      throw KerasError.invalidArgument("Layer '\(layer)': padding must be 'valid' or 'same', got 'causal'")
    }
    guard strides == 1 || dilation == 1 else {
      throw KerasError.invalidArgument(
        "Layer '\(layer)': strides > 1 cannot be combined with dilationRate > 1 "
          + "(strides=\(strides), dilationRate=\(dilation))")
    }
  }
}
