/// Builds a layer from its Keras serialization, as `keras.layers.deserialize` does.
///
/// Takes Keras 3's form `{"module": "keras.layers", "class_name": "Dense", "config": {...},
/// "registered_name": null, "build_config": {"input_shape": [null, 4]}}` and Keras 2's bare
/// `{"class_name": "Dense", "config": {...}}`. The class is found in ``LayerRegistry``, where
/// the built-in layers and the classes a user registered are looked up alike. Every
/// constructor argument is read from Keras' key names, nested initializers, regularizers and
/// wrapped layers included; the layer gets the config's `name` and `trainable` flag. A Keras 2
/// `batch_input_shape` or `input_shape` becomes the layer's `inputShape` when every size in it
/// is known. With a `build_config` the layer is built for that input shape, as Keras does, so
/// weights can be loaded at once.
///
/// ```swift
/// let layer = try deserializeLayer(ConfigValue.parse(json: text))
/// ```
///
/// - Throws: ``KerasError/unknownName(kind:name:valid:)`` (kind `"layer class"`) for a class
///   SwiftKeras does not have, listing those it has; ``KerasError/invalidArgument(_:)`` naming
///   the layer and the key for a value of the wrong type or range, and for a setting SwiftKeras
///   cannot honour (`stateful`, `unroll`, a constraint, an activity regularizer,
///   `channels_first`, an activation the layer cannot run, a key it does not know).
public func deserializeLayer(_ config: ConfigValue) throws -> Layer {
  let serialized = try SerializedLayer(config)
  let layer = try serialized.makeLayer()
  if let shape = serialized.buildInputShape { try layer.buildIfNeeded(shape) }
  return layer
}

/// One layer as Keras serializes it: its class, its config and the input shape it was built for.
struct SerializedLayer {
  /// The Keras class name (`"Dense"`).
  let className: String
  /// The layer's own config (`layer.get_config()`).
  let config: ConfigValue
  /// The input shape of `build_config`, if any (batch dimension `nil`).
  let buildInputShape: [Int?]?
  /// The registry's entry for the class.
  let layerClass: LayerRegistry.LayerClass

  /// Reads the `{"class_name", "config", ...}` wrapper and finds its class in ``LayerRegistry``.
  ///
  /// - Throws: ``KerasError/unknownName(kind:name:valid:)`` for a class that is neither built
  ///   in nor registered, named by its `registered_name` when it has one.
  init(_ value: ConfigValue) throws {
    let wrapper = try ConfigReader(value, owner: "Serialized layer")
    className = try wrapper.string("class_name")
    // Keras 3 registers a custom class as "package>Class" in another module.
    let registeredName = try wrapper.optionalString("registered_name")
    let module = try wrapper.optionalString("module")
    guard
      let layerClass = LayerRegistry.layerClass(className: className, registeredName: registeredName, module: module)
    else {
      throw KerasError.unknownName(
        kind: "layer class", name: registeredName ?? className, valid: LayerRegistry.classNames + LayerRegistry.names)
    }
    self.layerClass = layerClass
    config = wrapper.present("config") ?? .object([])
    let buildConfig = wrapper.present("build_config")
    // Layers called on several inputs (merge layers) record a list of shapes; only a single shape is used.
    buildInputShape = buildConfig.flatMap { try? ConfigReader($0, owner: "Layer build").shape("input_shape") } ?? nil
  }

  /// The `name` in the config, if it is a string.
  var name: String? {
    if case .string(let name)? = config["name"] { return name }
    return nil
  }

  /// Whether the class is Keras' `InputLayer`.
  var isInputLayer: Bool { layerClass.type == InputLayer.self }

  /// Makes the layer (unbuilt), named `name` (the config's name by default).
  func makeLayer(name: String? = nil) throws -> Layer {
    try layerClass.make(self, name ?? self.name)
  }

  /// Makes a layer of the built-in class `type`: reads the settings every layer has (the name,
  /// `trainable`, the `dtype` policy), then the class's own arguments, and refuses keys left unread.
  func makeBuiltIn(_ type: any KerasDeserializable.Type, name: String?) throws -> Layer {
    let (reader, trainable, policy) = try commonSettings(name: name, readsDType: type.readsDType)
    let arguments = LayerConfig(
      className: className, reader: reader, name: name, inputShape: try LayerConfig.declaredInputShape(reader))
    let layer = try type.make(from: arguments)
    layer.trainable = trainable
    if let policy { layer.dtypePolicy = policy }
    try reader.rejectUnreadKeys()
    return layer
  }

  /// The batch shape an InputLayer config declares, unknown sizes included; the whole config is checked.
  func inputBatchShape() throws -> [Int?] {
    let (reader, _, _) = try commonSettings(name: name, readsDType: true)
    let shape = try InputLayer.batchShape(reader)
    try reader.rejectUnreadKeys()
    return shape
  }

  /// The batch shape a Keras 2 first layer declares with `batch_input_shape` or `input_shape`, if any.
  func declaredBatchShape() throws -> [Int?]? {
    let reader = try ConfigReader(config, owner: "Layer '\(name ?? LayerNames.snakeCase(className))'")
    return try reader.shape("batch_input_shape") ?? reader.shape("input_shape").map { [nil] + $0 }
  }

  /// A reader of the config with the settings every layer has read: the name, `trainable` and,
  /// unless the class reads its own, the `dtype` policy (nil when absent: the global policy stays).
  private func commonSettings(name: String?, readsDType: Bool) throws -> (
    ConfigReader, trainable: Bool, policy: DTypePolicy?
  ) {
    let reader = try ConfigReader(config, owner: "Layer '\(name ?? LayerNames.snakeCase(className))'")
    _ = try reader.string("name", default: "")
    let trainable = try reader.bool("trainable", default: true)
    let policy = readsDType ? nil : try reader.dtypePolicy()
    return (reader, trainable, policy)
  }
}

/// A built-in layer class that Keras model files name: it reads its own arguments from its
/// config (Keras' `from_config`) and joins ``LayerRegistry`` through the list in
/// `BuiltInLayers.swift`.
///
/// ```swift
/// extension RepeatVector: KerasDeserializable {
///   static func make(from config: LayerConfig) throws -> Layer {
///     RepeatVector(try config.reader.positiveInt("n"), inputShape: config.inputShape, name: config.name)
///   }
/// }
/// ```
protocol KerasDeserializable: Layer {
  /// The Keras class name files use (default: ``Layer/className``).
  static var kerasClassName: String { get }
  /// Older class names read as this class (`CuDNNLSTM` for ``LSTM``), left out of error messages.
  static var legacyClassNames: [String] { get }
  /// Whether the class reads `dtype` itself (``InputLayer``); the others get the policy it names.
  static var readsDType: Bool { get }
  /// Whether a layer's inference output for a row depends on that row alone (default: true),
  /// which lets `predict` split a batch between threads.
  static var computesRowsIndependentlyInInference: Bool { get }
  /// The layer of a config, every argument read from its Keras key.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the layer and the key.
  static func make(from config: LayerConfig) throws -> Layer
}

extension KerasDeserializable {
  static var kerasClassName: String { className }
  static var legacyClassNames: [String] { [] }
  static var readsDType: Bool { false }
  static var computesRowsIndependentlyInInference: Bool { true }
}

/// A layer's config as its class reads it: the reader of its keys, the name and the input
/// shape every layer takes, and the checks several layers share.
struct LayerConfig {
  /// The class name the file used (`"CuDNNLSTM"` for an LSTM read from one).
  let className: String
  /// The reader of the config's keys; keys left unread are refused after ``KerasDeserializable/make(from:)``.
  let reader: ConfigReader
  /// The layer's name.
  let name: String?
  /// The input shape without the batch dimension, when the config declares one fully.
  let inputShape: [Int]?

  /// The shape without the batch dimension of a Keras 2 `batch_input_shape` (or `input_shape`),
  /// when every size is known; an unknown size is left to ``deserializeSequential(_:)``, which
  /// builds the model for it.
  static func declaredInputShape(_ reader: ConfigReader) throws -> [Int]? {
    let batchShape = try reader.shape("batch_input_shape")
    let shape = try reader.shape("input_shape")
    guard let dims = batchShape.map({ Array($0.dropFirst()) }) ?? shape, dims.allSatisfy({ $0 != nil }) else {
      return nil
    }
    return dims.map { $0! }
  }

  // MARK: Settings shared by several layers

  /// Refuses `data_format: channels_first`.
  func requireChannelsLast() throws {
    try reader.require("data_format", in: [.null, "channels_last"], "SwiftKeras layers take channels last")
  }

  /// Weight constraints must be absent: SwiftKeras has none.
  func requireNoConstraints(_ keys: String...) throws {
    for key in keys { try reader.requireNull(key, "SwiftKeras has no weight constraints") }
  }

  /// Refuses an activity regularizer.
  func requireNoActivityRegularizer() throws {
    try reader.requireNull("activity_regularizer", "SwiftKeras has no activity regularizers")
  }

  /// Keras 3's quantized and LoRA variants of Dense and Embedding.
  func requireUnquantized() throws {
    try reader.requireNull("quantization_config", "SwiftKeras layers are not quantized")
    try reader.requireNull("lora_rank", "SwiftKeras has no LoRA")
    reader.ignore("lora_alpha")
  }

  /// The layer serialized under `key` (as `{"class_name", "config"}`), its name passed through `rename`.
  func nestedLayer(_ key: String, renaming rename: (String) -> String = { $0 }) throws -> Layer {
    guard let value = reader.present(key) else {
      throw reader.invalid(key, expected: "a layer config", got: .null)
    }
    do {
      let serialized = try SerializedLayer(value)
      return try serialized.makeLayer(name: serialized.name.map(rename))
    } catch {
      throw reader.nested(key, error)
    }
  }

  /// `padding`, one of `allowed`.
  func padding(allowed: [Padding]) throws -> Padding {
    let name = try reader.string("padding", default: Padding.valid.rawValue)
    guard let padding = Padding(rawValue: name.lowercased()), allowed.contains(padding) else {
      throw reader.invalid(
        "padding", expected: "one of " + allowed.map(\.rawValue).joined(separator: ", "), got: .string(name))
    }
    return padding
  }

  /// The strides and dilation of a 2-D convolution, which Keras does not let both exceed 1.
  func imageStridesAndDilation() throws -> (strides: Size2D, dilation: Size2D) {
    let strides = try reader.positiveIntPair("strides", default: 1)
    let dilation = try reader.positiveIntPair("dilation_rate", default: 1)
    guard strides == 1 || dilation == 1 else {
      throw reader.unsupported(
        "dilation_rate", dilation.config, "strides > 1 cannot be combined with dilation_rate > 1, as in Keras")
    }
    return (strides, dilation)
  }

  /// tf_keras' depthwise and separable convolutions carry the settings of the convolution they derive
  /// from: `groups` (always 1) and, for SeparableConv2D, an unused kernel initializer and regularizer.
  func readTFKerasConvolutionLeftovers() throws {
    try reader.require("groups", in: [.null, 1], "depthwise and separable convolutions are not grouped")
    try requireNoConstraints("kernel_constraint")
    reader.ignore("kernel_initializer", "kernel_regularizer")
  }
}
