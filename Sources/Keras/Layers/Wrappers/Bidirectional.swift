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

extension Bidirectional: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer {
    let reader = config.reader
    if reader.value("merge_mode") == ConfigValue.null {
      throw reader.unsupported("merge_mode", .null, "SwiftKeras merges the two directions into one output")
    }
    let modeValue = try reader.string("merge_mode", default: MergeMode.concat.rawValue)
    guard let mergeMode = MergeMode(rawValue: modeValue) else {
      throw reader.invalid(
        "merge_mode", expected: "one of " + MergeMode.allCases.map(\.rawValue).joined(separator: ", "),
        got: .string(modeValue))
    }
    // Keras names the wrapped layer `forward_<name>`; Bidirectional adds the prefix back.
    let inner = try config.nestedLayer("layer") {
      $0.hasPrefix("forward_") ? String($0.dropFirst("forward_".count)) : $0
    }
    guard let recurrent = inner as? RecurrentLayer else {
      throw reader.invalid(
        "layer", expected: "a recurrent layer (SimpleRNN, LSTM or GRU)", got: .string(type(of: inner).className))
    }
    let layer = Bidirectional(recurrent, mergeMode: mergeMode, inputShape: config.inputShape, name: config.name)
    layer.forwardLayer.trainable = recurrent.trainable
    layer.backwardLayer.trainable = recurrent.trainable
    if reader.present("backward_layer") != nil {
      let backward = try config.nestedLayer("backward_layer")
      layer.backwardLayer.trainable = backward.trainable
      try requireMirror(backward, of: layer.backwardLayer, reader)
    }
    return layer
  }

  /// Throws unless a given `backward_layer` is the copy of `layer` running the other way that
  /// Bidirectional makes, naming the first key that differs.
  private static func requireMirror(_ given: Layer, of mirror: Layer, _ reader: ConfigReader) throws {
    guard type(of: given) == type(of: mirror), case .object(let givenPairs) = given.config else {
      throw reader.unsupported(
        "backward_layer", .string(type(of: given).className), "it must be a \(type(of: mirror).className) like 'layer'")
    }
    // Bidirectional sets zero_output_for_mask of both directions itself.
    for (key, value) in givenPairs where key != "zero_output_for_mask" && mirror.config[key] != value {
      throw reader.unsupported(
        "backward_layer", .string(given.name),
        "it must mirror 'layer' running the other way, as Keras makes it; its '\(key)' is \(value.json), "
          + "the mirror's is \(mirror.config[key]?.json ?? "absent")")
    }
  }
}
