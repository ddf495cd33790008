/// Runs a recurrent layer forwards and a copy of it backwards over the sequence and merges
/// the two outputs (`keras.layers.Bidirectional`).
///
/// Input `[N, T, F]`. With `merge_mode` concat the output is `[N, 2·units]` (or
/// `[N, T, 2·units]` with `returnSequences`); sum, ave and mul keep `units`. With
/// `returnSequences` the backward outputs are flipped back into time order, as Keras.
/// Weights: the forward layer's, then the backward layer's.
public final class Bidirectional: Layer, @unchecked Sendable {
  /// How the two directions' outputs are combined.
  public enum MergeMode: String, Sendable, CaseIterable {
    /// The two outputs side by side on the last axis, `2·units` wide (`"concat"`, Keras' default).
    case concat
    /// The elementwise sum (`"sum"`).
    case sum
    /// The elementwise mean (`"ave"`).
    case ave
    /// The elementwise product (`"mul"`).
    case mul
  }

  /// The layer running forwards (named `forward_<name>`).
  public let forwardLayer: RecurrentLayer
  /// The copy running backwards (named `backward_<name>`).
  public let backwardLayer: RecurrentLayer
  /// How outputs are merged.
  public let mergeMode: MergeMode

  /// Wraps `layer`; its copy runs in the opposite direction.
  public init(_ layer: RecurrentLayer, mergeMode: MergeMode = .concat, inputShape: [Int]? = nil, name: String? = nil) {
    forwardLayer = layer.copy(name: "forward_" + layer.name, goBackwards: layer.goBackwards)
    backwardLayer = layer.copy(name: "backward_" + layer.name, goBackwards: !layer.goBackwards)
    self.mergeMode = mergeMode
    // Keras forces zero outputs at masked steps when returning sequences.
    forwardLayer.zeroOutputForMask = layer.returnSequences
    backwardLayer.zeroOutputForMask = layer.returnSequences
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: 3)
  }

  public override var weights: [Variable] { forwardLayer.weights + backwardLayer.weights }
  public override var regularizationLosses: [Tensor] {
    forwardLayer.regularizationLosses + backwardLayer.regularizationLosses
  }

  public override func build(inputShape: [Int?]) throws {
    try forwardLayer.buildIfNeeded(inputShape)
    try backwardLayer.buildIfNeeded(inputShape)
    inputSpec = forwardLayer.inputSpec
  }

  public override func call(_ input: Tensor, mask: Tensor?, training: Bool) throws -> Tensor {
    let forward = try forwardLayer(input, mask: mask, training: training)
    var backward = try backwardLayer(input, mask: mask, training: training)
    if forwardLayer.returnSequences {
      let steps = input.shape[1]
      backward = try backward.gathering(IntTensor(Array((0..<steps).reversed())), axis: 1)
    }
    switch mergeMode {
    case .concat: return try Tensor.concatenate([forward, backward], axis: -1)
    case .sum: return try forward + backward
    case .ave: return try (forward + backward) * 0.5
    case .mul: return try forward * backward
    }
  }

  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    try call(input, mask: nil, training: training)
  }

  public override func computeMask(_ input: Tensor, mask: Tensor?) throws -> Tensor? {
    forwardLayer.returnSequences ? mask : nil
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    var shape = try forwardLayer.outputShape(for: inputShape)
    if mergeMode == .concat { shape[shape.count - 1] = shape.last!.map { $0 * 2 } }
    return shape
  }

  public override var layerConfig: [(String, ConfigValue)] {
    [
      ("merge_mode", .string(mergeMode.rawValue)), ("layer", layerReference(forwardLayer)),
      ("backward_layer", layerReference(backwardLayer)),
    ]
  }
}
