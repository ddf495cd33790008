/// The dot product of two inputs along `axes`, sample by sample (`keras.layers.Dot`).
///
/// `[N, d]` and `[N, d]` give `[N, 1]`; `[N, a, d]` and `[N, b, d]` with `axes: [2, 2]` give
/// `[N, a, b]`. With `normalize`, each input is first divided by its L2 norm along its axis
/// (at least 1e-7), so the product is the cosine proximity.
public final class Dot: Merge, @unchecked Sendable {
  /// The axis of each input to take the product over (batch axis 0).
  public let axes: [Int]
  /// Whether to L2-normalize along the axes first.
  public let normalize: Bool

  /// A Dot layer over one axis of both inputs.
  public convenience init(axes: Int, normalize: Bool = false, name: String? = nil) {
    self.init(axes: [axes, axes], normalize: normalize, name: name)
  }

  /// A Dot layer over `axes[0]` of the first input and `axes[1]` of the second.
  /// A list of other than two axes makes every call of the layer throw, naming it.
  public init(axes: [Int], normalize: Bool = false, name: String? = nil) {
    self.axes = axes
    self.normalize = normalize
    super.init(name: name)
  }

  private func resolvedAxes(_ ranks: [Int]) -> [Int] {
    guard axes.count == 2 else { return [-1, -1] }
    return zip(axes, ranks).map { axis, rank in axis < 0 ? ((axis % rank) + rank) % rank : axis }
  }

  override func mergedShape(_ shapes: [[Int?]]) throws -> [Int?] {
    guard shapes.count == 2 else {
      throw KerasError.invalidArgument("Layer '\(name)' (Dot) should be called on exactly 2 inputs, got \(shapes.count)")
    }
    guard axes.count == 2 else {
      throw KerasError.invalidArgument("Layer '\(name)' (Dot): axes must name one axis per input, got \(axes)")
    }
    let (x, y) = (shapes[0], shapes[1])
    let a = resolvedAxes([x.count, y.count])
    guard (2...3).contains(x.count), x.count == y.count, a[0] >= 1, a[1] >= 1, a[0] < x.count, a[1] < y.count,
      x[a[0]] == nil || y[a[1]] == nil || x[a[0]] == y[a[1]]
    else {
      throw KerasError.invalidArgument(
        "Layer '\(name)' (Dot) with axes \(axes) cannot multiply shapes \(kerasShapeText(x)) and \(kerasShapeText(y)) "
          + "(inputs of rank 2 or 3 with equal sizes along the axes)")
    }
    var rest = Array(x.dropFirst())
    rest.remove(at: a[0] - 1)
    var other = Array(y.dropFirst())
    other.remove(at: a[1] - 1)
    let joined = rest + other
    return [x[0] ?? y[0]] + (joined.isEmpty ? [1] : joined)
  }

  override func merge(_ inputs: [Tensor]) throws -> Tensor {
    var x = inputs[0]
    var y = inputs[1]
    let a = resolvedAxes([x.rank, y.rank])
    if normalize {
      x = try l2Normalized(x, axis: a[0])
      y = try l2Normalized(y, axis: a[1])
    }
    if x.rank == 2 { return try (x * y).sum(axes: [1], keepDims: true) }
    // Rank 3: per sample, a [a, d]·[d, b] product with the contracted axes moved inside.
    let left = a[0] == 2 ? x : try x.permuted([0, 2, 1])
    let right = a[1] == 1 ? y : try y.permuted([0, 2, 1])
    let rows = try (0..<x.shape[0]).map { n in
      try left.slice(axis: 0, n..<(n + 1)).reshaped(to: Array(left.shape.dropFirst()))
        .matmul(right.slice(axis: 0, n..<(n + 1)).reshaped(to: Array(right.shape.dropFirst())))
        .reshaped(to: [1, left.shape[1], right.shape[2]])
    }
    return try Tensor.concatenate(rows, axis: 0)
  }

  private func l2Normalized(_ x: Tensor, axis: Int) throws -> Tensor {
    let norm = try (x * x).sum(axes: [axis], keepDims: true).sqrt().maximum(1e-7)
    return try x / norm
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("axes", axes.count == 2 && axes[0] == axes[1] ? .int(axes[0]) : .array(axes.map { .int($0) })),
      ("normalize", .bool(normalize)),
    ]
  }
}

extension Dot: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    let reader = config.reader
    let normalize = try reader.bool("normalize", default: false)
    switch reader.value("axes") {
    case .array(let list)?:
      let axes = list.compactMap(ConfigReader.integer)
      guard axes.count == 2, list.count == 2 else {
        throw reader.invalid("axes", expected: "an axis or a list of two axes", got: .array(list))
      }
      return Dot(axes: axes, normalize: normalize, name: config.name)
    default: return Dot(axes: try reader.int("axes"), normalize: normalize, name: config.name)
    }
  }
}
