/// Joins its inputs along `axis` (`keras.layers.Concatenate`); every other size must agree.
///
/// `[N, a]` and `[N, b]` give `[N, a + b]` with the default `axis: -1`.
public final class Concatenate: Merge, @unchecked Sendable {
  /// The axis to join along (batch axis 0; negative counts from the end).
  public let axis: Int

  /// A Concatenate layer joining along `axis`.
  public init(axis: Int = -1, name: String? = nil) {
    self.axis = axis
    super.init(name: name)
  }

  override func mergedShape(_ shapes: [[Int?]]) throws -> [Int?] {
    let rank = shapes[0].count
    let a = axis < 0 ? axis + rank : axis
    guard a >= 1, a < rank, shapes.allSatisfy({ $0.count == rank }) else {
      throw KerasError.invalidArgument(
        "Layer '\(name)' (Concatenate) with axis \(axis) needs inputs of one rank above the axis, got "
          + shapes.map(kerasShapeText).joined(separator: " and "))
    }
    var result = shapes[0]
    var total: Int? = 0
    for shape in shapes {
      for i in 0..<rank where i != a {
        if let x = result[i], let y = shape[i], x != y {
          throw KerasError.invalidArgument(
            "Layer '\(name)' (Concatenate) needs inputs whose shapes match except along axis \(axis), got "
              + shapes.map(kerasShapeText).joined(separator: " and "))
        }
        result[i] = result[i] ?? shape[i]
      }
      total = total.flatMap { t in shape[a].map { t + $0 } }
    }
    result[a] = total
    return result
  }

  override func merge(_ inputs: [Tensor]) throws -> Tensor {
    let a = axis < 0 ? axis + inputs[0].rank : axis
    return try Tensor.concatenate(inputs, axis: a)
  }

  /// The masks joined as Keras' `Concatenate.compute_mask` joins them: none when no input has
  /// one; else each input's mask (all ones when it has none) widened to the input's shape along
  /// a new last axis, the widened masks concatenated along `axis`, and a step kept where any
  /// value along the last axis is kept. Sequences `[N, T, a]` and `[N, T, b]` joined on the
  /// last axis thus give the OR of their `[N, T]` masks; joined on the time axis, the masks
  /// follow one another.
  override func mergedMask(_ masks: [Tensor?], inputs: [Tensor]) throws -> Tensor? {
    guard masks.contains(where: { $0 != nil }) else { return nil }
    let widened = try zip(inputs, masks).map { input, mask -> Tensor in
      guard let mask else { return Tensor.ones(like: input) }
      guard mask.rank < input.rank else { return mask }
      return try mask.expandingDims(at: mask.rank).broadcast(to: input.shape)
    }
    let joined = try Tensor.concatenate(widened, axis: axis < 0 ? axis + inputs[0].rank : axis)
    return try joined.max(axes: [joined.rank - 1])
  }

  public override var layerConfig: [(String, ConfigValue)] { [("axis", .int(axis))] }
}

extension Concatenate: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    Concatenate(axis: try config.reader.int("axis", default: -1), name: config.name)
  }
}
