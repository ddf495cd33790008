/// Builds a Sequential model from its Keras config, as `keras.Sequential.from_config` does.
///
/// Takes `{"class_name": "Sequential", "config": {"name": ..., "layers": [...],
/// "build_input_shape": ...}}` in Keras 3's layout (`config.json` of a `.keras` file: the
/// first layer may be an `InputLayer`, and a `build_config` may follow) and in Keras 2's
/// (`model_config` of an `.h5` file or `to_json()` of tf.keras: the first layer carries
/// `batch_input_shape`; before Keras 2.2 the config was the list of layers itself). A bare
/// `model.get_config()` (an object with `layers`) is accepted too. Each layer is read by
/// ``deserializeLayer(_:)``'s rules and keeps Keras' name. When the input shape is known (from
/// the `InputLayer`, the first layer, `build_input_shape` or `build_config`) the model is
/// built, unknown sizes such as a variable sequence length included; otherwise it builds on
/// its first call. A `compile_config` is not applied: compile the model yourself.
///
/// ```swift
/// let model = try deserializeSequential(ConfigValue.parse(json: modelConfigText))
/// ```
///
/// - Throws: ``KerasError/unknownName(kind:name:valid:)`` for a model class other than
///   `Sequential` (kind `"model class"`) or a layer class SwiftKeras does not have;
///   ``KerasError/invalidArgument(_:)`` naming the model or layer and the key for a wrong or
///   unsupported setting; the build error of a layer that cannot take its input shape.
public func deserializeSequential(_ config: ConfigValue) throws -> Sequential {
  try KerasDialect.reading(config) { try sequential(from: config) }
}

/// The Sequential model of `config`, read in the current ``KerasDialect``.
private func sequential(from config: ConfigValue) throws -> Sequential {
  let (layout, buildConfigShape) = try SequentialLayout.read(config)
  let model = Sequential(name: layout.name)
  if let policy = layout.dtypePolicy { model.dtypePolicy = policy }
  var pendingShape: [Int?]? = nil
  for (index, value) in layout.layers.enumerated() {
    let serialized = try SerializedLayer(value)
    if serialized.isInputLayer {
      guard index == 0 else {
        throw KerasError.invalidArgument(
          "Sequential '\(model.name)': an InputLayer can only be the first layer, found one at position \(index)")
      }
      let shape = try serialized.inputBatchShape()
      if shape.dropFirst().allSatisfy({ $0 != nil }) {
        try model.add(serialized.makeLayer())
      } else {
        pendingShape = shape
      }
      continue
    }
    if model.layers.isEmpty, model.inputShape == nil, pendingShape == nil {
      pendingShape = try serialized.declaredBatchShape()
    }
    let layer = try serialized.makeLayer()
    if !layout.trainable { layer.trainable = false }
    try model.add(layer)
  }
  if model.inputShape == nil, let shape = pendingShape ?? layout.buildInputShape ?? buildConfigShape {
    try model.build(shape)
  }
  return model
}

/// The parts of a Sequential config: its name, the layer configs and the input shape it was built for.
struct SequentialLayout {
  /// The model's name, if the config gives one.
  var name: String?
  /// False when the whole model was frozen.
  var trainable = true
  /// The model's own dtype policy, if the config gives one (its layers have theirs).
  var dtypePolicy: DTypePolicy?
  /// The serialized layers, an `InputLayer` possibly first.
  var layers: [ConfigValue]
  /// `build_input_shape`, if any.
  var buildInputShape: [Int?]?

  /// Reads the `{"class_name": "Sequential", "config": ...}` wrapper (or a bare config) and the
  /// shape of its `build_config`.
  static func read(_ value: ConfigValue) throws -> (SequentialLayout, buildConfigShape: [Int?]?) {
    if value["class_name"] == nil, value["layers"] != nil { return (try SequentialLayout(value), nil) }
    let wrapper = try ConfigReader(value, owner: "Model")
    let className = try wrapper.string("class_name")
    guard className == "Sequential" else {
      throw KerasError.unknownName(kind: "model class", name: className, valid: ["Sequential"])
    }
    let buildShape = try wrapper.present("build_config").flatMap {
      try ConfigReader($0, owner: "Sequential build").shape("input_shape")
    }
    guard let body = wrapper.present("config") else {
      throw wrapper.invalid("config", expected: "the Sequential's config", got: .null)
    }
    return (try SequentialLayout(body), buildShape)
  }

  /// Reads the config proper: an object with `layers`, or (Keras 2.1 and before) the list of layers.
  init(_ config: ConfigValue) throws {
    if case .array(let layers) = config {
      self.layers = layers
      return
    }
    var owner = "Sequential"
    if case .string(let name)? = config["name"] { owner = "Sequential '\(name)'" }
    let reader = try ConfigReader(config, owner: owner)
    name = try reader.optionalString("name")
    trainable = try reader.bool("trainable", default: true)
    dtypePolicy = try reader.dtypePolicy()
    let layersValue = reader.value("layers") ?? .null
    guard case .array(let layers) = layersValue else {
      throw reader.invalid("layers", expected: "a list of layer configs", got: layersValue)
    }
    self.layers = layers
    buildInputShape = try reader.shape("build_input_shape")
    try reader.rejectUnreadKeys()
  }
}
