/// Reshapes every sample to `targetShape` (one entry may be -1): `[N, ...] → [N] + targetShape`
/// (`keras.layers.Reshape`).
public final class Reshape: Layer, @unchecked Sendable {
  /// The per-sample output shape.
  public let targetShape: [Int]

  /// A reshape to `targetShape` (batch excluded).
  public init(_ targetShape: [Int], inputShape: [Int]? = nil, name: String? = nil) {
    self.targetShape = targetShape
    super.init(name: name, inputShape: inputShape)
  }

  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    do {
      return try input.reshaped(to: [input.shape.first ?? 1] + targetShape)
    } catch {
      throw KerasError.incompatibleInput(
        layer: name, expected: "a sample size matching target shape \(targetShape)", got: input.shape)
    }
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    let known = targetShape.filter { $0 != -1 }.reduce(1, *)
    let rest = inputShape.dropFirst()
    let total: Int? = rest.contains { $0 == nil } ? nil : rest.reduce(1) { $0 * $1! }
    return [inputShape.first ?? nil] + targetShape.map { $0 == -1 ? total.map { $0 / Swift.max(known, 1) } : $0 }
  }

  public override var layerConfig: [(String, ConfigValue)] { [("target_shape", .array(targetShape.map { .int($0) }))] }
}

extension Reshape: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    let reader = config.reader
    let target = try reader.intList("target_shape")
    guard target.allSatisfy({ $0 > 0 || $0 == -1 }), target.filter({ $0 == -1 }).count <= 1 else {
      throw reader.invalid(
        "target_shape", expected: "positive sizes with at most one -1", got: .array(target.map { .int($0) }))
    }
    return Reshape(target, inputShape: config.inputShape, name: config.name)
  }
}
