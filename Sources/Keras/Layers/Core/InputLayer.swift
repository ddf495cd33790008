/// The layer behind a model input (`keras.layers.InputLayer`); passes data through.
///
/// Written as ``Input(shape:batchSize:name:dtype:)-([Int],_,_,_)``, in a Functional model or first in a ``Sequential``:
///
/// ```swift
/// Sequential {
///   Input(shape: [60, 1])
///   LSTM(50)
/// }
/// ```
public final class InputLayer: Layer, @unchecked Sendable {
  /// The input shape without the batch dimension; a size left unknown (`Input(shape: [nil, 13])`)
  /// is -1 here and `nil` in ``dimensions``.
  public var shape: [Int] { dimensions.map { $0 ?? -1 } }
  /// The input shape without the batch dimension, `nil` for a size left unknown (a sequence
  /// length, as Keras' `shape=(None, 13)`).
  public let dimensions: [Int?]
  /// A fixed batch size, if any.
  public let batchSize: Int?
  /// The element type of the input: `"float32"`, or `"int32"`/`"int64"` for token ids (given as
  /// integral float values or an `IntTensor`).
  public let dtype: String

  /// The element types an input may declare.
  static let supportedDTypes: Set<String> = ["float32", "int32", "int64"]

  /// An input of `shape` (batch dimension excluded).
  public init(shape: [Int], batchSize: Int? = nil, name: String? = nil, dtype: String = "float32") {
    self.dimensions = shape.map { $0 }
    self.batchSize = batchSize
    self.dtype = dtype
    super.init(name: name ?? LayerNames.unique("input_layer"), inputShape: shape)
  }

  /// An input whose sizes may be left unknown (`nil`), as a variable sequence length.
  public init(dimensions: [Int?], batchSize: Int? = nil, name: String? = nil, dtype: String = "float32") {
    self.dimensions = dimensions
    self.batchSize = batchSize
    self.dtype = dtype
    let known = dimensions.allSatisfy { $0 != nil } ? dimensions.map { $0! } : nil
    super.init(name: name ?? LayerNames.unique("input_layer"), inputShape: known)
  }

  public override class var className: String { "InputLayer" }

  /// The input's symbolic tensor: a node with no inputs, made on first use.
  func makeSourceNode() -> Node {
    if let node = inboundNodes.lazy.compactMap(\.node).first { return node }
    let error: (any Error)? =
      Self.supportedDTypes.contains(dtype)
      ? nil
      : KerasError.invalidArgument(
        "Input '\(name)': dtype \"\(dtype)\" is not supported; use one of float32, int32, int64")
    return Node(
      layer: self, inputs: [], inputsAsList: false, initialState: [], outputShapes: [[batchSize] + dimensions],
      outputDTypes: [dtype], error: error)
  }

  /// Keras' InputLayer config, which (unlike other layers) has no `trainable` and a plain `dtype` string.
  public override var config: ConfigValue {
    .object([
      ("batch_shape", .shape([batchSize] + dimensions)), ("dtype", .string(dtype)), ("sparse", false),
      ("ragged", false), ("name", .string(name)), ("optional", false),
    ])
  }
}

extension InputLayer: KerasDeserializable {
  static var readsDType: Bool { true }

  /// An InputLayer with every size but the batch known.
  static func make(from config: LayerConfig) throws -> Layer {
    let batchShape = try self.batchShape(config.reader)
    guard batchShape.count >= 2 else {
      throw config.reader.unsupported(
        "batch_shape", .shape(batchShape), "an InputLayer needs at least one size besides the batch")
    }
    return InputLayer(
      dimensions: Array(batchShape.dropFirst()), batchSize: batchShape[0], name: config.name,
      dtype: try dtype(config.reader))
  }

  /// The element type an InputLayer config declares: float32 (the default), int32 or int64.
  static func dtype(_ reader: ConfigReader) throws -> String {
    guard let value = reader.present("dtype") else { return "float32" }
    let text = (value["config"]?["name"] ?? value).stringValue ?? ""
    guard supportedDTypes.contains(text) else {
      throw reader.unsupported("dtype", value, "SwiftKeras inputs are float32, int32 or int64")
    }
    return text
  }

  /// The batch shape of an InputLayer config: Keras 3's `batch_shape`, Keras 2's
  /// `batch_input_shape`, or `shape`.
  static func batchShape(_ reader: ConfigReader) throws -> [Int?] {
    let keras3 = try reader.shape("batch_shape")
    let keras2 = try reader.shape("batch_input_shape")
    let shape = try reader.shape("shape")
    _ = try dtype(reader)
    try reader.require("sparse", in: [false], "SwiftKeras inputs are dense")
    try reader.require("ragged", in: [false], "SwiftKeras inputs are dense")
    try reader.require("optional", in: [false], "SwiftKeras models need their input")
    guard let batchShape = keras3 ?? keras2 ?? shape.map({ [nil] + $0 }) else {
      throw reader.invalid("batch_shape", expected: "a shape (a list of sizes or nulls)", got: .null)
    }
    return batchShape
  }
}
