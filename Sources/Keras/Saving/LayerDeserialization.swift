/// Builds a layer from its Keras serialization, as `keras.layers.deserialize` does.
///
/// Takes Keras 3's form `{"module": "keras.layers", "class_name": "Dense", "config": {...},
/// "registered_name": null, "build_config": {"input_shape": [null, 4]}}` and Keras 2's bare
/// `{"class_name": "Dense", "config": {...}}`. Every constructor argument is read from Keras'
/// key names, nested initializers, regularizers and wrapped layers included; the layer gets the
/// config's `name` and `trainable` flag. A Keras 2 `batch_input_shape` or `input_shape` becomes
/// the layer's `inputShape` when every size in it is known. With a `build_config` the layer is
/// built for that input shape, as Keras does, so weights can be loaded at once.
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
  if let custom = try customLayer(config) { return custom }
  let serialized = try SerializedLayer(config)
  let layer = try serialized.makeLayer()
  if let shape = serialized.buildInputShape { try layer.buildIfNeeded(shape) }
  return layer
}

/// A layer of a class registered with ``LayerRegistry``, if the config names one.
func customLayer(_ value: ConfigValue) throws -> Layer? {
  guard let className = value["class_name"]?.stringValue else { return nil }
  let registered = value["registered_name"]?.stringValue
  let isBuiltIn = SerializedLayer.classNames.contains(className) && (registered == nil || registered == className)
  guard !isBuiltIn, let make = LayerRegistry.maker(for: registered ?? className) ?? LayerRegistry.maker(for: className)
  else { return nil }
  let config = value["config"] ?? .object([])
  let layer = try make(config)
  if case .bool(false)? = config["trainable"] { layer.trainable = false }
  if let shape = try? ConfigReader(value["build_config"] ?? .object([]), owner: "Layer build").shape("input_shape") {
    try layer.buildIfNeeded(shape)
  }
  return layer
}

/// One layer as Keras serializes it: its class, its config and the input shape it was built for.
struct SerializedLayer {
  /// The Keras layer classes SwiftKeras builds from configs.
  static let classNames = [
    "InputLayer", "Dense", "Activation", "Dropout", "Masking", "Flatten", "Reshape", "RepeatVector", "Embedding", "SimpleRNN",
    "LSTM", "GRU", "Bidirectional", "TimeDistributed", "Conv1D", "MaxPooling1D", "GlobalAveragePooling1D",
    "GlobalMaxPooling1D", "BatchNormalization", "LayerNormalization", "Add", "Subtract", "Multiply", "Average",
    "Maximum", "Minimum", "Concatenate", "Dot", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling2D",
    "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "ZeroPadding2D", "UpSampling2D", "Attention",
  ]

  /// The Keras class name (`"Dense"`).
  let className: String
  /// The layer's own config (`layer.get_config()`).
  let config: ConfigValue
  /// The input shape of `build_config`, if any (batch dimension `nil`).
  let buildInputShape: [Int?]?

  /// Reads the `{"class_name", "config", ...}` wrapper.
  ///
  /// - Throws: ``KerasError/unknownName(kind:name:valid:)`` for a class that is not built in
  ///   (including a custom class registered under a package name).
  init(_ value: ConfigValue) throws {
    let wrapper = try ConfigReader(value, owner: "Serialized layer")
    className = try wrapper.string("class_name")
    // Keras 3 registers a custom class as "package>Class" in another module.
    let registeredName = try wrapper.optionalString("registered_name") ?? className
    let module = try wrapper.optionalString("module") ?? "keras.layers"
    let isBuiltIn = registeredName == className && (module == "keras" || module.hasPrefix("keras."))
    guard isBuiltIn, SerializedLayer.classNames.contains(className) else {
      throw KerasError.unknownName(
        kind: "layer class", name: isBuiltIn ? className : registeredName,
        valid: SerializedLayer.classNames + LayerRegistry.names)
    }
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

  /// Makes the layer (unbuilt), named `name` (the config's name by default).
  func makeLayer(name: String? = nil) throws -> Layer {
    let name = name ?? self.name
    let (reader, trainable) = try commonSettings(name: name)
    let layer: Layer
    if className == "InputLayer" {
      layer = try LayerArguments.inputLayer(reader, name: name)
    } else {
      let arguments = LayerArguments(
        reader: reader, name: name, inputShape: try LayerArguments.declaredInputShape(reader))
      layer = try arguments.makeLayer(className)
    }
    layer.trainable = trainable
    try reader.rejectUnreadKeys()
    return layer
  }

  /// The batch shape an InputLayer config declares, unknown sizes included; the whole config is checked.
  func inputBatchShape() throws -> [Int?] {
    let (reader, _) = try commonSettings(name: name)
    let shape = try LayerArguments.inputBatchShape(reader)
    try reader.rejectUnreadKeys()
    return shape
  }

  /// The batch shape a Keras 2 first layer declares with `batch_input_shape` or `input_shape`, if any.
  func declaredBatchShape() throws -> [Int?]? {
    let reader = try ConfigReader(config, owner: "Layer '\(name ?? LayerNames.snakeCase(className))'")
    return try reader.shape("batch_input_shape") ?? reader.shape("input_shape").map { [nil] + $0 }
  }

  /// A reader of the config with the settings every layer has read: the name, `trainable` and a float32 `dtype`.
  private func commonSettings(name: String?) throws -> (ConfigReader, trainable: Bool) {
    let reader = try ConfigReader(config, owner: "Layer '\(name ?? LayerNames.snakeCase(className))'")
    _ = try reader.string("name", default: "")
    let trainable = try reader.bool("trainable", default: true)
    if className != "InputLayer" { try reader.requireFloat32() }
    return (reader, trainable)
  }
}

/// What every layer's config holds besides its own arguments, and the constructors that read
/// the rest by Keras' keys.
private struct LayerArguments {
  let reader: ConfigReader
  let name: String?
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

  /// An InputLayer with every size but the batch known.
  static func inputLayer(_ reader: ConfigReader, name: String?) throws -> Layer {
    let batchShape = try inputBatchShape(reader)
    guard batchShape.count >= 2 else {
      throw reader.unsupported("batch_shape", .shape(batchShape), "an InputLayer needs at least one size besides the batch")
    }
    return InputLayer(
      dimensions: Array(batchShape.dropFirst()), batchSize: batchShape[0], name: name, dtype: try inputDType(reader))
  }

  /// The element type an InputLayer declares: float32 (the default), int32 or int64.
  static func inputDType(_ reader: ConfigReader) throws -> String {
    guard let value = reader.present("dtype") else { return "float32" }
    let text = (value["config"]?["name"] ?? value).stringValue ?? ""
    guard InputLayer.supportedDTypes.contains(text) else {
      throw reader.unsupported("dtype", value, "SwiftKeras inputs are float32, int32 or int64")
    }
    return text
  }

  /// The batch shape of an InputLayer: Keras 3's `batch_shape`, Keras 2's `batch_input_shape`, or `shape`.
  static func inputBatchShape(_ reader: ConfigReader) throws -> [Int?] {
    let keras3 = try reader.shape("batch_shape")
    let keras2 = try reader.shape("batch_input_shape")
    let shape = try reader.shape("shape")
    _ = try inputDType(reader)
    try reader.require("sparse", in: [false], "SwiftKeras inputs are dense")
    try reader.require("ragged", in: [false], "SwiftKeras inputs are dense")
    try reader.require("optional", in: [false], "SwiftKeras models need their input")
    guard let batchShape = keras3 ?? keras2 ?? shape.map({ [nil] + $0 }) else {
      throw reader.invalid("batch_shape", expected: "a shape (a list of sizes or nulls)", got: .null)
    }
    return batchShape
  }

  /// The layer of class `className`, every argument read from the config.
  func makeLayer(_ className: String) throws -> Layer {
    switch className {
    case "Dense": return try dense()
    case "Activation":
      return Activation(try reader.activation("activation"), inputShape: inputShape, name: name)
    case "Dropout":
      return Dropout(
        try reader.fraction("rate"), noiseShape: try reader.shape("noise_shape"), seed: try reader.seed("seed"),
        inputShape: inputShape, name: name)
    case "Masking": return Masking(maskValue: try reader.float("mask_value", default: 0), inputShape: inputShape, name: name)
    case "Flatten":
      try requireChannelsLast()
      return Flatten(name: name, inputShape: inputShape)
    case "Reshape": return try reshape()
    case "RepeatVector": return RepeatVector(try reader.positiveInt("n"), inputShape: inputShape, name: name)
    case "Embedding": return try embedding()
    case "SimpleRNN", "LSTM", "GRU": return try recurrent(className)
    case "Bidirectional": return try bidirectional()
    case "TimeDistributed":
      return TimeDistributed(try nestedLayer("layer"), inputShape: inputShape, name: name)
    case "Conv1D": return try conv1D()
    case "MaxPooling1D": return try maxPooling1D()
    case "GlobalAveragePooling1D":
      try requireChannelsLast()
      return GlobalAveragePooling1D(
        keepDims: try reader.bool("keepdims", default: false), inputShape: inputShape, name: name)
    case "GlobalMaxPooling1D":
      try requireChannelsLast()
      return GlobalMaxPooling1D(
        keepDims: try reader.bool("keepdims", default: false), inputShape: inputShape, name: name)
    case "BatchNormalization": return try batchNormalization()
    case "LayerNormalization": return try layerNormalization()
    case "Add": return Add(name: name)
    case "Subtract": return Subtract(name: name)
    case "Multiply": return Multiply(name: name)
    case "Average": return Average(name: name)
    case "Maximum": return Maximum(name: name)
    case "Minimum": return Minimum(name: name)
    case "Concatenate": return Concatenate(axis: try reader.int("axis", default: -1), name: name)
    case "Dot": return try dot()
    case "Conv2D": return try conv2D()
    case "DepthwiseConv2D": return try depthwiseConv2D()
    case "SeparableConv2D": return try separableConv2D()
    case "MaxPooling2D", "AveragePooling2D": return try pooling2D(className)
    case "GlobalAveragePooling2D", "GlobalMaxPooling2D":
      try requireChannelsLast()
      let keepDims = try reader.bool("keepdims", default: false)
      return className == "GlobalMaxPooling2D"
        ? GlobalMaxPooling2D(keepDims: keepDims, inputShape: inputShape, name: name)
        : GlobalAveragePooling2D(keepDims: keepDims, inputShape: inputShape, name: name)
    case "ZeroPadding2D": return try zeroPadding2D()
    case "UpSampling2D":
      try requireChannelsLast()
      try reader.require("interpolation", in: [.null, "nearest"], "SwiftKeras upsamples by nearest neighbours")
      return UpSampling2D(size: try reader.positiveIntPair("size", default: 2), inputShape: inputShape, name: name)
    case "Attention": return try attention()
    default: throw KerasError.unknownName(kind: "layer class", name: className, valid: SerializedLayer.classNames)
    }
  }

  // MARK: Settings shared by several layers

  private func requireChannelsLast() throws {
    try reader.require("data_format", in: [.null, "channels_last"], "SwiftKeras layers take channels last")
  }

  /// Weight constraints must be absent: SwiftKeras has none.
  private func requireNoConstraints(_ keys: String...) throws {
    for key in keys { try reader.requireNull(key, "SwiftKeras has no weight constraints") }
  }

  private func requireNoActivityRegularizer() throws {
    try reader.requireNull("activity_regularizer", "SwiftKeras has no activity regularizers")
  }

  /// Keras 3's quantized and LoRA variants of Dense and Embedding.
  private func requireUnquantized() throws {
    try reader.requireNull("quantization_config", "SwiftKeras layers are not quantized")
    try reader.requireNull("lora_rank", "SwiftKeras has no LoRA")
    reader.ignore("lora_alpha")
  }

  /// The layer serialized under `key` (as `{"class_name", "config"}`), its name passed through `rename`.
  private func nestedLayer(_ key: String, renaming rename: (String) -> String = { $0 }) throws -> Layer {
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

  // MARK: Core layers

  private func dense() throws -> Layer {
    try requireNoConstraints("kernel_constraint", "bias_constraint")
    try requireNoActivityRegularizer()
    try requireUnquantized()
    return Dense(
      try reader.positiveInt("units"), activation: try reader.activation("activation", default: .linear),
      useBias: try reader.bool("use_bias", default: true),
      kernelInitializer: try reader.initializer("kernel_initializer", default: .glorotUniform()),
      biasInitializer: try reader.initializer("bias_initializer", default: .zeros),
      kernelRegularizer: try reader.regularizer("kernel_regularizer"),
      biasRegularizer: try reader.regularizer("bias_regularizer"), inputShape: inputShape, name: name)
  }

  private func dot() throws -> Layer {
    let normalize = try reader.bool("normalize", default: false)
    switch reader.value("axes") {
    case .array(let list)?:
      let axes = list.compactMap(ConfigReader.integer)
      guard axes.count == 2, list.count == 2 else {
        throw reader.invalid("axes", expected: "an axis or a list of two axes", got: .array(list))
      }
      return Dot(axes: axes, normalize: normalize, name: name)
    default: return Dot(axes: try reader.int("axes"), normalize: normalize, name: name)
    }
  }

  private func reshape() throws -> Layer {
    let target = try reader.intList("target_shape")
    guard target.allSatisfy({ $0 > 0 || $0 == -1 }), target.filter({ $0 == -1 }).count <= 1 else {
      throw reader.invalid(
        "target_shape", expected: "positive sizes with at most one -1", got: .array(target.map { .int($0) }))
    }
    return Reshape(target, inputShape: inputShape, name: name)
  }

  private func embedding() throws -> Layer {
    try requireNoConstraints("embeddings_constraint")
    try requireNoActivityRegularizer()
    try requireUnquantized()
    try reader.require("sparse", in: [false], "SwiftKeras embeddings give dense gradients")
    // Keras 2's fixed sequence length is shape information only (its batch_input_shape carries it).
    reader.ignore("input_length")
    return Embedding(
      try reader.positiveInt("input_dim"), try reader.positiveInt("output_dim"),
      embeddingsInitializer: try reader.initializer("embeddings_initializer", default: .randomUniform()),
      embeddingsRegularizer: try reader.regularizer("embeddings_regularizer"),
      maskZero: try reader.bool("mask_zero", default: false), inputShape: inputShape, name: name)
  }

  // MARK: Recurrent layers

  private func recurrent(_ className: String) throws -> RecurrentLayer {
    try reader.require("stateful", in: [false], "SwiftKeras recurrent layers are not stateful")
    try reader.require("unroll", in: [false], "SwiftKeras runs one fused loop over time and does not unroll it")
    try reader.require("time_major", in: [false], "SwiftKeras takes batch-major sequences")
    try requireNoConstraints("kernel_constraint", "recurrent_constraint", "bias_constraint")
    try requireNoActivityRegularizer()
    let units = try reader.positiveInt("units")
    let activation = try kernelActivation("activation", default: .tanh)
    let useBias = try reader.bool("use_bias", default: true)
    let kernelInitializer = try reader.initializer("kernel_initializer", default: .glorotUniform())
    let recurrentInitializer = try reader.initializer("recurrent_initializer", default: .orthogonal())
    let biasInitializer = try reader.initializer("bias_initializer", default: .zeros)
    let kernelRegularizer = try reader.regularizer("kernel_regularizer")
    let recurrentRegularizer = try reader.regularizer("recurrent_regularizer")
    let biasRegularizer = try reader.regularizer("bias_regularizer")
    let dropout = try reader.fraction("dropout", default: 0)
    let recurrentDropout = try reader.fraction("recurrent_dropout", default: 0)
    let returnSequences = try reader.bool("return_sequences", default: false)
    let returnState = try reader.bool("return_state", default: false)
    let goBackwards = try reader.bool("go_backwards", default: false)
    let seed = try reader.seed("seed")
    try checkImplementation()

    let layer: RecurrentLayer
    switch className {
    case "LSTM":
      layer = LSTM(
        units, activation: activation,
        recurrentActivation: try kernelActivation("recurrent_activation", default: .sigmoid),
        useBias: useBias, kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
        biasInitializer: biasInitializer, unitForgetBias: try reader.bool("unit_forget_bias", default: true),
        kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer,
        biasRegularizer: biasRegularizer, dropout: dropout, recurrentDropout: recurrentDropout,
        returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards, seed: seed,
        inputShape: inputShape, name: name)
    case "GRU":
      layer = GRU(
        units, activation: activation,
        recurrentActivation: try kernelActivation("recurrent_activation", default: .sigmoid),
        useBias: useBias, kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
        biasInitializer: biasInitializer, kernelRegularizer: kernelRegularizer,
        recurrentRegularizer: recurrentRegularizer, biasRegularizer: biasRegularizer, dropout: dropout,
        recurrentDropout: recurrentDropout, returnSequences: returnSequences, returnState: returnState,
        goBackwards: goBackwards, resetAfter: try reader.bool("reset_after", default: true), seed: seed,
        inputShape: inputShape, name: name)
    default:
      layer = SimpleRNN(
        units, activation: activation, useBias: useBias, kernelInitializer: kernelInitializer,
        recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer,
        kernelRegularizer: kernelRegularizer, recurrentRegularizer: recurrentRegularizer,
        biasRegularizer: biasRegularizer, dropout: dropout, recurrentDropout: recurrentDropout,
        returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards, seed: seed,
        inputShape: inputShape, name: name)
    }
    layer.zeroOutputForMask = try reader.bool("zero_output_for_mask", default: false)
    return layer
  }

  /// An activation the fused recurrent kernel can run.
  private func kernelActivation(_ key: String, default defaultValue: ActivationFunction) throws -> ActivationFunction {
    let function = try reader.activation(key, default: defaultValue)
    guard RecurrentActivation(rawValue: function.name) != nil else {
      throw reader.unsupported(
        key, .string(function.name),
        "the recurrent kernel runs " + RecurrentActivation.allCases.map(\.rawValue).joined(separator: ", "))
    }
    return function
  }

  /// Keras 2's `implementation` (1 or 2) chooses how the gates are computed, not what: the
  /// output is the same. In training, implementation 1 drew a dropout mask per gate; SwiftKeras
  /// draws one for all gates (as Keras 3, whose configs no longer record the choice).
  private func checkImplementation() throws {
    guard let value = reader.present("implementation") else { return }
    guard let implementation = ConfigReader.integer(value), implementation == 1 || implementation == 2 else {
      throw reader.invalid("implementation", expected: "1 or 2", got: value)
    }
  }

  private func bidirectional() throws -> Layer {
    if reader.value("merge_mode") == ConfigValue.null {
      throw reader.unsupported("merge_mode", .null, "SwiftKeras merges the two directions into one output")
    }
    let modeValue = try reader.string("merge_mode", default: Bidirectional.MergeMode.concat.rawValue)
    guard let mergeMode = Bidirectional.MergeMode(rawValue: modeValue) else {
      throw reader.invalid(
        "merge_mode", expected: "one of " + Bidirectional.MergeMode.allCases.map(\.rawValue).joined(separator: ", "),
        got: .string(modeValue))
    }
    // Keras names the wrapped layer `forward_<name>`; Bidirectional adds the prefix back.
    let inner = try nestedLayer("layer") { $0.hasPrefix("forward_") ? String($0.dropFirst("forward_".count)) : $0 }
    guard let recurrent = inner as? RecurrentLayer else {
      throw reader.invalid(
        "layer", expected: "a recurrent layer (SimpleRNN, LSTM or GRU)", got: .string(type(of: inner).className))
    }
    let layer = Bidirectional(recurrent, mergeMode: mergeMode, inputShape: inputShape, name: name)
    layer.forwardLayer.trainable = recurrent.trainable
    layer.backwardLayer.trainable = recurrent.trainable
    if reader.present("backward_layer") != nil {
      let backward = try nestedLayer("backward_layer")
      layer.backwardLayer.trainable = backward.trainable
      try requireMirror(backward, of: layer.backwardLayer)
    }
    return layer
  }

  /// Throws unless a given `backward_layer` is the copy of `layer` running the other way that
  /// ``Bidirectional`` makes, naming the first key that differs.
  private func requireMirror(_ given: Layer, of mirror: Layer) throws {
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

  // MARK: Convolution and pooling

  private func conv1D() throws -> Layer {
    try requireChannelsLast()
    try reader.require("groups", in: [1], "SwiftKeras convolutions are not grouped")
    try requireNoConstraints("kernel_constraint", "bias_constraint")
    try requireNoActivityRegularizer()
    let strides = try reader.positiveIntOrSingleList("strides", default: 1)
    let dilationRate = try reader.positiveIntOrSingleList("dilation_rate", default: 1)
    guard strides == 1 || dilationRate == 1 else {
      throw reader.unsupported(
        "dilation_rate", .int(dilationRate), "strides > 1 cannot be combined with dilation_rate > 1, as in Keras")
    }
    return Conv1D(
      try reader.positiveInt("filters"), kernelSize: try reader.positiveIntOrSingleList("kernel_size"),
      strides: strides, padding: try padding(allowed: Padding.allCases), dilationRate: dilationRate,
      activation: try reader.activation("activation", default: .linear),
      useBias: try reader.bool("use_bias", default: true),
      kernelInitializer: try reader.initializer("kernel_initializer", default: .glorotUniform()),
      biasInitializer: try reader.initializer("bias_initializer", default: .zeros),
      kernelRegularizer: try reader.regularizer("kernel_regularizer"),
      biasRegularizer: try reader.regularizer("bias_regularizer"), inputShape: inputShape, name: name)
  }

  private func maxPooling1D() throws -> Layer {
    try requireChannelsLast()
    let poolSize = try reader.positiveIntOrSingleList("pool_size", default: 2)
    return MaxPooling1D(
      poolSize: poolSize, strides: try reader.positiveIntOrSingleList("strides", default: poolSize),
      padding: try padding(allowed: [.valid, .same]), inputShape: inputShape, name: name)
  }

  // MARK: Images

  /// The strides and dilation of a 2-D convolution, which Keras does not let both exceed 1.
  private func imageStridesAndDilation() throws -> (strides: Size2D, dilation: Size2D) {
    let strides = try reader.positiveIntPair("strides", default: 1)
    let dilation = try reader.positiveIntPair("dilation_rate", default: 1)
    guard strides == 1 || dilation == 1 else {
      throw reader.unsupported(
        "dilation_rate", dilation.config, "strides > 1 cannot be combined with dilation_rate > 1, as in Keras")
    }
    return (strides, dilation)
  }

  private func conv2D() throws -> Layer {
    try requireChannelsLast()
    try requireNoConstraints("kernel_constraint", "bias_constraint")
    try requireNoActivityRegularizer()
    let (strides, dilation) = try imageStridesAndDilation()
    return Conv2D(
      try reader.positiveInt("filters"), kernelSize: try reader.positiveIntPair("kernel_size"), strides: strides,
      padding: try padding(allowed: [.valid, .same]), dilationRate: dilation,
      groups: try reader.positiveInt("groups", default: 1),
      activation: try reader.activation("activation", default: .linear),
      useBias: try reader.bool("use_bias", default: true),
      kernelInitializer: try reader.initializer("kernel_initializer", default: .glorotUniform()),
      biasInitializer: try reader.initializer("bias_initializer", default: .zeros),
      kernelRegularizer: try reader.regularizer("kernel_regularizer"),
      biasRegularizer: try reader.regularizer("bias_regularizer"), inputShape: inputShape, name: name)
  }

  /// tf_keras' depthwise and separable convolutions carry the settings of the convolution they derive
  /// from: `groups` (always 1) and, for SeparableConv2D, an unused kernel initializer and regularizer.
  private func readTFKerasConvolutionLeftovers() throws {
    try reader.require("groups", in: [.null, 1], "depthwise and separable convolutions are not grouped")
    try requireNoConstraints("kernel_constraint")
    reader.ignore("kernel_initializer", "kernel_regularizer")
  }

  private func depthwiseConv2D() throws -> Layer {
    try requireChannelsLast()
    try readTFKerasConvolutionLeftovers()
    try requireNoConstraints("depthwise_constraint", "bias_constraint")
    try requireNoActivityRegularizer()
    let (strides, dilation) = try imageStridesAndDilation()
    return DepthwiseConv2D(
      kernelSize: try reader.positiveIntPair("kernel_size"), strides: strides,
      padding: try padding(allowed: [.valid, .same]), depthMultiplier: try reader.positiveInt("depth_multiplier", default: 1),
      dilationRate: dilation, activation: try reader.activation("activation", default: .linear),
      useBias: try reader.bool("use_bias", default: true),
      depthwiseInitializer: try reader.initializer("depthwise_initializer", default: .glorotUniform()),
      biasInitializer: try reader.initializer("bias_initializer", default: .zeros),
      depthwiseRegularizer: try reader.regularizer("depthwise_regularizer"),
      biasRegularizer: try reader.regularizer("bias_regularizer"), inputShape: inputShape, name: name)
  }

  private func separableConv2D() throws -> Layer {
    try requireChannelsLast()
    try readTFKerasConvolutionLeftovers()
    try requireNoConstraints("depthwise_constraint", "pointwise_constraint", "bias_constraint")
    try requireNoActivityRegularizer()
    let (strides, dilation) = try imageStridesAndDilation()
    return SeparableConv2D(
      try reader.positiveInt("filters"), kernelSize: try reader.positiveIntPair("kernel_size"), strides: strides,
      padding: try padding(allowed: [.valid, .same]), depthMultiplier: try reader.positiveInt("depth_multiplier", default: 1),
      dilationRate: dilation, activation: try reader.activation("activation", default: .linear),
      useBias: try reader.bool("use_bias", default: true),
      depthwiseInitializer: try reader.initializer("depthwise_initializer", default: .glorotUniform()),
      pointwiseInitializer: try reader.initializer("pointwise_initializer", default: .glorotUniform()),
      biasInitializer: try reader.initializer("bias_initializer", default: .zeros),
      depthwiseRegularizer: try reader.regularizer("depthwise_regularizer"),
      pointwiseRegularizer: try reader.regularizer("pointwise_regularizer"),
      biasRegularizer: try reader.regularizer("bias_regularizer"), inputShape: inputShape, name: name)
  }

  private func pooling2D(_ className: String) throws -> Layer {
    try requireChannelsLast()
    let poolSize = try reader.positiveIntPair("pool_size", default: 2)
    let strides = try reader.positiveIntPair("strides", default: poolSize)
    let padding = try padding(allowed: [.valid, .same])
    return className == "MaxPooling2D"
      ? MaxPooling2D(poolSize: poolSize, strides: strides, padding: padding, inputShape: inputShape, name: name)
      : AveragePooling2D(poolSize: poolSize, strides: strides, padding: padding, inputShape: inputShape, name: name)
  }

  private func zeroPadding2D() throws -> Layer {
    try requireChannelsLast()
    let value = reader.present("padding") ?? .int(1)
    let expected = "an integer, a list of two or a list of two pairs"
    let amounts: [Int]?
    switch value {
    case .array(let items) where items.count == 2:
      let pairs = items.map { item -> [Int]? in
        if case .array(let pair) = item { return pair.count == 2 ? pair.compactMap(ConfigReader.integer) : nil }
        return ConfigReader.integer(item).map { [$0, $0] }
      }
      amounts = pairs.allSatisfy { $0?.count == 2 } ? pairs.flatMap { $0! } : nil
    default: amounts = ConfigReader.integer(value).map { [$0, $0, $0, $0] }
    }
    guard let amounts, amounts.allSatisfy({ $0 >= 0 }) else {
      throw reader.invalid("padding", expected: expected, got: value)
    }
    return ZeroPadding2D(
      top: amounts[0], bottom: amounts[1], left: amounts[2], right: amounts[3], inputShape: inputShape, name: name)
  }

  // MARK: Attention

  private func attention() throws -> Layer {
    let mode = try reader.string("score_mode", default: "dot")
    guard let scoreMode = AttentionScoreMode(rawValue: mode) else {
      throw reader.invalid("score_mode", expected: "'dot' or 'concat'", got: .string(mode))
    }
    return Attention(
      useScale: try reader.bool("use_scale", default: false), scoreMode: scoreMode,
      dropout: try reader.fraction("dropout", default: 0), seed: try reader.seed("seed"), name: name)
  }

  private func padding(allowed: [Padding]) throws -> Padding {
    let name = try reader.string("padding", default: Padding.valid.rawValue)
    guard let padding = Padding(rawValue: name.lowercased()), allowed.contains(padding) else {
      throw reader.invalid(
        "padding", expected: "one of " + allowed.map(\.rawValue).joined(separator: ", "), got: .string(name))
    }
    return padding
  }

  // MARK: Normalization

  private func batchNormalization() throws -> Layer {
    let axes = try reader.intOrIntList("axis", default: -1).axes
    guard axes.count == 1 else {
      throw reader.unsupported("axis", .array(axes.map { .int($0) }), "SwiftKeras normalizes over one channel axis")
    }
    try requireNoConstraints("beta_constraint", "gamma_constraint")
    try reader.require("renorm", in: [false], "SwiftKeras has no batch renormalization")
    try reader.requireNull("virtual_batch_size", "SwiftKeras normalizes over the whole batch")
    try reader.requireNull("adjustment", "SwiftKeras has no adjustment function")
    // Cross-replica statistics equal the batch statistics on one device; `fused` picks a kernel;
    // the renorm settings apply only with `renorm`.
    reader.ignore("synchronized", "fused", "renorm_clipping", "renorm_momentum")
    return BatchNormalization(
      axis: axes[0], momentum: try reader.float("momentum", default: 0.99),
      epsilon: try reader.float("epsilon", default: 0.001), center: try reader.bool("center", default: true),
      scale: try reader.bool("scale", default: true),
      betaInitializer: try reader.initializer("beta_initializer", default: .zeros),
      gammaInitializer: try reader.initializer("gamma_initializer", default: .ones),
      movingMeanInitializer: try reader.initializer("moving_mean_initializer", default: .zeros),
      movingVarianceInitializer: try reader.initializer("moving_variance_initializer", default: .ones),
      betaRegularizer: try reader.regularizer("beta_regularizer"),
      gammaRegularizer: try reader.regularizer("gamma_regularizer"), inputShape: inputShape, name: name)
  }

  private func layerNormalization() throws -> Layer {
    let axis = try reader.intOrIntList("axis", default: -1)
    guard !axis.axes.isEmpty, Set(axis.axes).count == axis.axes.count else {
      throw reader.invalid(
        "axis", expected: "an axis or a list of distinct axes", got: .array(axis.axes.map { .int($0) }))
    }
    try requireNoConstraints("beta_constraint", "gamma_constraint")
    try reader.require("rms_scaling", in: [false], "SwiftKeras normalizes by mean and variance")
    let epsilon = try reader.float("epsilon", default: 0.001)
    let center = try reader.bool("center", default: true)
    let scale = try reader.bool("scale", default: true)
    let betaInitializer = try reader.initializer("beta_initializer", default: .zeros)
    let gammaInitializer = try reader.initializer("gamma_initializer", default: .ones)
    let betaRegularizer = try reader.regularizer("beta_regularizer")
    let gammaRegularizer = try reader.regularizer("gamma_regularizer")
    guard axis.isList else {
      return LayerNormalization(
        axis: axis.axes[0], epsilon: epsilon, center: center, scale: scale, betaInitializer: betaInitializer,
        gammaInitializer: gammaInitializer, betaRegularizer: betaRegularizer, gammaRegularizer: gammaRegularizer,
        inputShape: inputShape, name: name)
    }
    return LayerNormalization(
      axis: axis.axes, epsilon: epsilon, center: center, scale: scale, betaInitializer: betaInitializer,
      gammaInitializer: gammaInitializer, betaRegularizer: betaRegularizer, gammaRegularizer: gammaRegularizer,
      inputShape: inputShape, name: name)
  }
}
