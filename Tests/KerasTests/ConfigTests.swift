import Foundation
import Testing

@testable import Keras

/// The text of `Fixtures/<path>`.
private func fixtureText(_ path: String) throws -> String {
  try String(contentsOf: Bundle.module.resourceURL!.appendingPathComponent("Fixtures/\(path)"), encoding: .utf8)
}

/// Whether `body` throws an error whose description contains every one of `parts`.
private func expectError(
  containing parts: [String], sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
  do {
    try body()
    Issue.record("expected an error containing \(parts)", sourceLocation: sourceLocation)
  } catch {
    for part in parts {
      #expect("\(error)".contains(part), "\"\(error)\" does not mention \(part)", sourceLocation: sourceLocation)
    }
  }
}

@Suite("Keras configs deserialize into layers that match Keras")
struct LayerConfigTests {
  static let fixtureNames: [String] = {
    let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/layers").path
    let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
  }()
  /// Fixtures whose Keras output was computed with `training=True` (make_conv_norm_fixtures.py).
  static let trainingFixtures: Set = [
    "batch_normalization_training", "batch_normalization_training_masked", "batch_normalization_axis1",
  ]
  /// Fixture files that hold no single layer's config.
  static let nonLayerFixtures: Set = ["batch_normalization_update"]

  @Test("every layer fixture's Keras config gives a layer with Keras' config and output", arguments: fixtureNames)
  func fixtureConfig(_ name: String) throws {
    let file = try ConfigValue.parse(json: fixtureText("layers/\(name).json"))
    guard let className = file["class_name"], let config = file["config"] else {
      #expect(Self.nonLayerFixtures.contains(name), "\(name) has no class_name and config")
      return
    }
    let layer = try deserializeLayer(.object([("class_name", className), ("config", config)]))
    #expect(.string(type(of: layer).className) == className)
    #expect(.string(layer.name) == config["name"])
    let fixture = try LayerFixture.load(name)
    expectConfigMatchesKeras(layer.config, fixture.config, fixture: name)
    try expectMatchesKeras(layer, fixture: name, training: Self.trainingFixtures.contains(name))

    var wrapped: [(Layer, String)] = []
    if let bidirectional = layer as? Bidirectional {
      wrapped = [(bidirectional.forwardLayer, "layer"), (bidirectional.backwardLayer, "backward_layer")]
    } else if let timeDistributed = layer as? TimeDistributed {
      wrapped = [(timeDistributed.layer, "layer")]
    }
    for (inner, key) in wrapped {
      #expect(.string(inner.name) == config[key]?["config"]?["name"], "\(name): \(key) name")
      expectConfigMatchesKeras(inner.config, fixture.config[key]!["config"]!, fixture: "\(name) \(key)")
    }
  }

  @Test("the layer fixtures cover every deserializable class but InputLayer (merge layers: in the Functional fixtures)")
  func fixturesCoverClasses() throws {
    var classes: Set<String> = []
    for name in Self.fixtureNames {
      if case .string(let className)? = try ConfigValue.parse(json: fixtureText("layers/\(name).json"))["class_name"] {
        classes.insert(className)
      }
    }
    let merges = try KerasArchive(path: FunctionalFixture.path("merges.keras"))
    let config = try ConfigValue.parse(
      json: String(decoding: try merges.data(KerasArchive.configEntry, limit: KerasArchive.maxJSONSize), as: UTF8.self))
    if case .array(let layers)? = config["config"]?["layers"] {
      for layer in layers where !["Sequential", "InputLayer"].contains(layer["class_name"]?.stringValue ?? "") {
        if let name = layer["class_name"]?.stringValue, name != "Dense" { classes.insert(name) }
      }
    }
    // The attention layers take a query and a value: their fixtures are in Fixtures/attention/
    // (AttentionTests) and Fixtures/multi_head_attention/ (MultiHeadAttentionTests); Masking's are
    // whole models in Fixtures/functional/mask_masking (FunctionalMaskTests); the preprocessing
    // layers' in Fixtures/preprocessing/ (NormalizationPreprocessingTests, TextVectorizationTests).
    #expect(
      classes
        == Set(LayerRegistry.classNames).subtracting([
          "InputLayer", "Attention", "AdditiveAttention", "MultiHeadAttention", "Masking", "Normalization",
          "TextVectorization",
        ]))
  }

  /// Layers with settings other than Keras' defaults.
  static let roundTripCases: [(String, @Sendable () -> Layer)] = [
    (
      "Dense with regularizers and he_normal",
      {
        Dense(
          5, activation: .relu, kernelInitializer: .heNormal(seed: 7), biasInitializer: .constant(0.5),
          kernelRegularizer: .l2(0.02), biasRegularizer: .l1l2(l1: 0.01, l2: 0.03), name: "head")
      }
    ),
    (
      "LSTM with dropout, goBackwards and unitForgetBias false",
      {
        LSTM(
          4, recurrentActivation: .hardSigmoid, useBias: true, unitForgetBias: false, kernelRegularizer: .l1(0.001),
          dropout: 0.25, recurrentDropout: 0.1, returnSequences: true, returnState: true, goBackwards: true, seed: 5)
      }
    ),
    (
      "GRU with resetAfter false",
      { GRU(3, activation: .relu, recurrentInitializer: .identity(gain: 2), resetAfter: false) }
    ),
    ("SimpleRNN with a seed", { SimpleRNN(2, activation: .linear, useBias: false, dropout: 0.5, seed: 11) }),
    (
      "Conv1D with same padding and dilation 2",
      {
        Conv1D(
          6, kernelSize: 3, padding: .same, dilationRate: 2, activation: .gelu, useBias: false,
          kernelInitializer: .varianceScaling(scale: 2, mode: .fanOut, distribution: .uniform, seed: 1))
      }
    ),
    (
      "BatchNormalization with momentum 0.9",
      {
        BatchNormalization(
          axis: 1, momentum: 0.9, epsilon: 1e-5, center: false, movingVarianceInitializer: .constant(2),
          gammaRegularizer: .l2(0.1))
      }
    ),
    ("LayerNormalization over two axes", { LayerNormalization(axis: [1, 2], epsilon: 1e-6, scale: false) }),
    (
      "LayerNormalization over the last axis",
      { LayerNormalization(betaInitializer: .randomNormal(mean: 1, stddev: 0.5)) }
    ),
    ("Dropout with a noise shape and seed", { Dropout(0.3, noiseShape: [nil, 1, nil], seed: 3) }),
    (
      "Embedding with maskZero",
      { Embedding(30, 8, embeddingsInitializer: .truncatedNormal(stddev: 0.2), maskZero: true) }
    ),
    ("MaxPooling1D with same padding", { MaxPooling1D(poolSize: 3, strides: 1, padding: .same) }),
    ("GlobalAveragePooling1D keeping dims", { GlobalAveragePooling1D(keepDims: true) }),
    ("GlobalMaxPooling1D", { GlobalMaxPooling1D() }),
    ("Activation", { Activation(.logSoftmax) }),
    ("Flatten", { Flatten() }),
    ("Reshape", { Reshape([2, -1]) }),
    ("RepeatVector", { RepeatVector(4) }),
    ("InputLayer with a batch size", { InputLayer(shape: [5, 2], batchSize: 8, name: "tokens") }),
    (
      "Bidirectional GRU averaged", { Bidirectional(GRU(3, returnSequences: true, resetAfter: false), mergeMode: .ave) }
    ),
    ("TimeDistributed Dense", { TimeDistributed(Dense(2, activation: .sigmoid, useBias: false)) }),
    (
      "a frozen layer",
      {
        let layer = Dense(2, name: "frozen")
        layer.trainable = false
        return layer
      }
    ),
  ]

  @Test(
    "a layer's config, written as JSON and read back, gives a layer with the same config",
    arguments: roundTripCases.map(\.0))
  func roundTrip(_ name: String) throws {
    let layer = Self.roundTripCases.first { $0.0 == name }!.1()
    let text = layerReference(layer).json
    let copy = try deserializeLayer(ConfigValue.parse(json: text))
    #expect(type(of: copy) == type(of: layer))
    #expect(copy.config.json == layer.config.json)
    #expect(copy.trainable == layer.trainable)
  }

  @Test("a build_config builds the layer for its input shape, as Keras")
  func buildConfig() throws {
    let layer = try deserializeLayer(
      ConfigValue.parse(
        json: #"""
          {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "units": 3},
           "registered_name": null, "build_config": {"input_shape": [null, 4]}}
          """#))
    #expect(layer.isBuilt)
    #expect(layer.weights.map(\.shape) == [[4, 3], [3]])
  }

  @Test("Keras 2 spellings: bare initializers, VarianceScaling, L1L2, string shorthands, batch_input_shape")
  func keras2Spellings() throws {
    let layer = try deserializeLayer(
      ConfigValue.parse(
        json: #"""
          {"class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "batch_input_shape": [null, 4],
           "dtype": "float32", "units": 3, "activation": "relu", "use_bias": true,
           "kernel_initializer": {"class_name": "VarianceScaling",
             "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "normal", "seed": null}},
           "bias_initializer": "ones",
           "kernel_regularizer": {"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.009999999776482582}},
           "bias_regularizer": "l1", "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}
          """#))
    let dense = try #require(layer as? Dense)
    #expect(dense.declaredInputShape == [4])
    #expect(dense.activation == .relu)
    #expect(dense.kernelInitializer == .varianceScaling(scale: 1, mode: .fanAvg, distribution: .truncatedNormal))
    #expect(dense.biasInitializer == .ones)
    #expect(dense.kernelRegularizer == .l2(0.01))
    #expect(dense.biasRegularizer == .l1())
  }

  @Test("Bidirectional takes the wrapped layer's name without Keras' forward_ prefix")
  func bidirectionalNames() throws {
    let original = Bidirectional(LSTM(2, name: "encoder"), name: "bi")
    let copy = try #require(try deserializeLayer(layerReference(original)) as? Bidirectional)
    #expect(copy.forwardLayer.name == "forward_encoder")
    #expect(copy.backwardLayer.name == "backward_encoder")
  }
}

@Suite("Keras Sequential configs deserialize into models")
struct SequentialConfigTests {
  @Test(
    "a Keras 3 (.keras config.json) and a tf_keras (.h5 model_config) Sequential config give Keras' layers, shapes and parameter counts",
    arguments: ["keras3_sequential", "tf_keras_sequential"])
  func kerasSequential(_ name: String) throws {
    let fixture = try ConfigValue.parse(json: fixtureText("configs/\(name).json"))
    let model = try deserializeSequential(fixture["model_config"]!)
    #expect(model.name == name)
    #expect(model.isBuilt)
    #expect(model.inputShape.map { ConfigValue.shape($0) } == fixture["input_shape"])
    guard case .array(let expected)? = fixture["layers"] else {
      Issue.record("\(name): no layers")
      return
    }
    let shapes = try #require(try model.outputShapes())
    #expect(model.layers.count == expected.count)
    for (index, (layer, keras)) in zip(model.layers, expected).enumerated() {
      #expect(.string(layer.name) == keras["name"], "\(name) layer \(index)")
      #expect(.string(type(of: layer).className) == keras["class_name"], "\(name) layer \(index)")
      #expect(ConfigValue.shape(shapes[index]) == keras["output_shape"], "\(name) layer \(index) (\(layer.name))")
      #expect(.int(layer.countParams()) == keras["params"], "\(name) layer \(index) (\(layer.name))")
    }
    #expect(.int(model.countParams()) == fixture["params"])
  }

  @Test("a model read from a Keras config runs: a variable sequence length stays variable")
  func deserializedModelRuns() throws {
    let fixture = try ConfigValue.parse(json: fixtureText("configs/keras3_sequential.json"))
    let model = try deserializeSequential(fixture["model_config"]!)
    #expect(try model(Tensor.ones([2, 9, 3])).shape == [2, 3])
    #expect(try model(Tensor.ones([1, 4, 3])).shape == [1, 3])
  }

  @Test("a Keras 2.2 Sequential config (no InputLayer, batch_input_shape on the first layer) is built")
  func keras22Sequential() throws {
    let text = #"""
      {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
        {"class_name": "LSTM", "config": {"name": "lstm_1", "trainable": true, "batch_input_shape": [null, 60, 1],
          "dtype": "float32", "return_sequences": false, "return_state": false, "go_backwards": false,
          "stateful": false, "unroll": false, "units": 50, "activation": "tanh", "recurrent_activation": "sigmoid",
          "use_bias": true,
          "kernel_initializer": {"class_name": "VarianceScaling",
            "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": null}},
          "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}},
          "bias_initializer": {"class_name": "Zeros", "config": {}}, "unit_forget_bias": true,
          "kernel_regularizer": null, "recurrent_regularizer": null, "bias_regularizer": null,
          "activity_regularizer": null, "kernel_constraint": null, "recurrent_constraint": null,
          "bias_constraint": null, "dropout": 0.2, "recurrent_dropout": 0.0, "implementation": 1}},
        {"class_name": "Dense", "config": {"name": "dense_1", "trainable": false, "units": 1,
          "activation": "linear", "use_bias": true}}]},
       "keras_version": "2.2.4", "backend": "tensorflow"}
      """#
    let model = try deserializeSequential(ConfigValue.parse(json: text))
    #expect(model.name == "sequential_1")
    #expect(model.inputShape == [nil, 60, 1])
    #expect(try model.outputShapes() == [[nil, 50], [nil, 1]])
    #expect(model.countParams() == 4 * (50 * 51 + 50) + 51)
    #expect(try model.layer(named: "dense_1").trainable == false)
  }

  @Test("a Keras 2.1 Sequential config, a bare list of layers, is read")
  func keras21Sequential() throws {
    let text = #"""
      {"class_name": "Sequential", "config": [
        {"class_name": "Dense", "config": {"name": "dense_1", "batch_input_shape": [null, 8], "units": 2}}]}
      """#
    let model = try deserializeSequential(ConfigValue.parse(json: text))
    #expect(model.isBuilt)
    #expect(model.countParams() == 18)
  }

  @Test("a frozen Sequential freezes every layer")
  func frozenSequential() throws {
    let text = #"""
      {"class_name": "Sequential", "config": {"name": "m", "trainable": false, "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [null, 3], "name": "in"}},
        {"class_name": "Dense", "config": {"name": "d", "units": 2}}]}}
      """#
    let model = try deserializeSequential(ConfigValue.parse(json: text))
    #expect(model.layers.allSatisfy { !$0.trainable })
    #expect(model.trainableWeights.isEmpty)
  }

  @Test("a model class other than Sequential is refused, naming it")
  func otherModelClass() throws {
    #expect(throws: KerasError.unknownName(kind: "model class", name: "Functional", valid: ["Sequential"])) {
      try deserializeSequential(ConfigValue.parse(json: #"{"class_name": "Functional", "config": {"layers": []}}"#))
    }
  }
}

@Suite("Parsing JSON as Keras writes it")
struct ConfigParsingTests {
  @Test("objects keep their key order, and nesting is preserved")
  func nestingAndOrder() throws {
    let value = try ConfigValue.parse(json: #" {"b": [1, {"c": null, "a": []}], "a": {"z": true, "y": false}} "#)
    guard case .object(let pairs) = value else {
      Issue.record("not an object")
      return
    }
    #expect(pairs.map(\.0) == ["b", "a"])
    #expect(value["b"] == .array([.int(1), .object([("c", .null), ("a", .array([]))])]))
    guard case .object(let inner)? = value["a"] else {
      Issue.record("a is not an object")
      return
    }
    #expect(inner.map(\.0) == ["z", "y"])
    #expect(value.json == #"{"b": [1, {"c": null, "a": []}], "a": {"z": true, "y": false}}"#)
  }

  @Test("a repeated key keeps its first place and its last value, as Python's json")
  func repeatedKey() throws {
    let value = try ConfigValue.parse(json: #"{"a": 1, "b": 2, "a": 3}"#)
    #expect(value.json == #"{"a": 3, "b": 2}"#)
  }

  @Test("escapes, including \\u sequences and surrogate pairs, decode")
  func escapes() throws {
    let value = try ConfigValue.parse(json: #""q\" b\\ s\/ \b\f\n\r\t \u00e9\u4e2D \ud83d\ude00 é""#)
    #expect(value == .string("q\" b\\ s/ \u{8}\u{C}\n\r\t é中 😀 é"))
  }

  @Test("whole numbers are integers; fractions, exponents and overflowing integers are doubles")
  func numbers() throws {
    let value = try ConfigValue.parse(
      json: "[0, -12, 3.5, 1e3, -2.5E-2, 0.1, 9223372036854775807, 9223372036854775808, -0.0]")
    guard case .array(let items) = value else {
      Issue.record("not an array")
      return
    }
    let kinds = items.map { item -> String in
      switch item {
      case .int(let i): return "int \(i)"
      case .double(let d): return "double \(d)"
      default: return "other"
      }
    }
    #expect(
      kinds == [
        "int 0", "int -12", "double 3.5", "double 1000.0", "double -0.025", "double 0.1",
        "int 9223372036854775807", "double 9.223372036854776e+18", "double -0.0",
      ])
  }

  @Test("Python's NaN, Infinity and -Infinity are read")
  func nonFinite() throws {
    guard case .array(let items) = try ConfigValue.parse(json: "[NaN, Infinity, -Infinity]") else {
      Issue.record("not an array")
      return
    }
    guard case .double(let nan) = items[0] else {
      Issue.record("NaN is not a double")
      return
    }
    #expect(nan.isNaN)
    #expect(items[1] == .double(.infinity))
    #expect(items[2] == .double(-.infinity))
  }

  @Test("every Keras fixture config reads back from the JSON it writes")
  func writesWhatItReads() throws {
    let file = try ConfigValue.parse(json: fixtureText("configs/keras3_sequential.json"))
    let config = try #require(file["model_config"])
    #expect(try ConfigValue.parse(json: config.json).json == config.json)
  }

  @Test(
    "malformed JSON is refused, naming the line and column",
    arguments: [
      ("{\"a\": 1,\n \"b\": tru}", "line 2, column 7: expected a value, got 't'"),
      ("[1, 2,]", "line 1, column 7: expected a value, got ']'"),
      ("{\"a\" 1}", "line 1, column 6: expected ':' after key \"a\""),
      ("{\"a\": 1 \"b\": 2}", "line 1, column 9: expected ',' or '}'"),
      ("[01]", "line 1, column 3: a number cannot have a leading zero"),
      ("[1.]", "line 1, column 4: expected a digit after '.'"),
      ("\"abc", "line 1, column 1: unterminated string"),
      ("[\"a\\x\"]", "line 1, column 4: invalid escape '\\x'"),
      ("\"\\ud800\"", "line 1, column 2: unpaired surrogate \\uD800"),
      ("\"\\u12G4\"", "line 1, column 6: expected 4 hexadecimal digits"),
      ("\"a\tb\"", "line 1, column 3: unescaped control character U+0009"),
      ("{} x", "line 1, column 4: expected the end of the text, got 'x'"),
      ("", "line 1, column 1: expected a value, got the end of the text"),
      ("{\"é\": [1,\n\n   -]}", "line 3, column 5: expected a digit, got ']'"),
      ("{1: 2}", "line 1, column 2: expected a string key, got '1'"),
    ])
  func malformed(_ text: String, _ message: String) {
    expectError(containing: ["Invalid JSON at " + message]) { _ = try ConfigValue.parse(json: text) }
  }

  @Test("nesting deeper than 256 levels is refused rather than overflowing the stack")
  func deepNesting() {
    let text = String(repeating: "[", count: 100_000)
    expectError(containing: ["nesting deeper than 256 levels"]) { _ = try ConfigValue.parse(json: text) }
  }
}

@Suite("Config errors name the layer, the key and what was expected")
struct ConfigErrorTests {
  @Test("an unknown layer class is refused, listing the classes SwiftKeras has")
  func unknownClass() throws {
    // The list also holds the custom classes other tests register (suites run in parallel), after the built-in ones.
    let error = #expect(throws: KerasError.self) {
      try deserializeLayer(ConfigValue.parse(json: #"{"class_name": "Conv3D", "config": {"name": "c"}}"#))
    }
    guard case .unknownName(let kind, let name, let valid)? = error else {
      Issue.record("expected unknownName, got \(String(describing: error))")
      return
    }
    #expect(kind == "layer class" && name == "Conv3D")
    #expect(Array(valid.prefix(LayerRegistry.classNames.count)) == LayerRegistry.classNames)
    #expect(LayerRegistry.classNames.count == builtInLayerTypes.count)
  }

  @Test("a custom class registered under a package is refused by its registered name")
  func customClass() throws {
    let text = #"{"module": "my_models", "class_name": "Dense", "config": {}, "registered_name": "my_models>Dense"}"#
    let error = #expect(throws: KerasError.self) { try deserializeLayer(ConfigValue.parse(json: text)) }
    guard case .unknownName(let kind, let name, _)? = error else {
      Issue.record("expected unknownName, got \(String(describing: error))")
      return
    }
    #expect(kind == "layer class" && name == "my_models>Dense")
  }

  @Test("a value of the wrong type names the layer, the key and what was expected")
  func wrongType() throws {
    #expect(throws: KerasError.invalidArgument(#"Layer 'dense' config: 'units' must be a positive integer, got "abc""#))
    {
      try deserializeLayer(
        ConfigValue.parse(json: #"{"class_name": "Dense", "config": {"name": "dense", "units": "abc"}}"#))
    }
    #expect(throws: KerasError.invalidArgument("Layer 'lstm' config: 'dropout' must be a number in [0, 1), got 1.5")) {
      try deserializeLayer(
        ConfigValue.parse(json: #"{"class_name": "LSTM", "config": {"name": "lstm", "units": 2, "dropout": 1.5}}"#))
    }
    #expect(
      throws: KerasError.invalidArgument("Layer 'dense' config: 'units' is missing; it must be a positive integer")
    ) {
      try deserializeLayer(ConfigValue.parse(json: #"{"class_name": "Dense", "config": {"name": "dense"}}"#))
    }
  }

  @Test("a wrong value inside an initializer names the layer, the key and the initializer's key")
  func wrongInitializer() throws {
    let text = #"""
      {"class_name": "Dense", "config": {"name": "head", "units": 2,
       "kernel_initializer": {"class_name": "RandomUniform", "config": {"minval": "low"}}}}
      """#
    expectError(
      containing: [
        "Layer 'head' config: 'kernel_initializer': Initializer 'RandomUniform' config: 'minval' must be a number, got \"low\""
      ]
    ) { _ = try deserializeLayer(ConfigValue.parse(json: text)) }
    let unknown =
      #"{"class_name": "Dense", "config": {"name": "head", "units": 2, "kernel_initializer": "glorot_fancy"}}"#
    expectError(containing: ["Layer 'head' config: 'kernel_initializer'", "glorot_fancy", "he_normal"]) {
      _ = try deserializeLayer(ConfigValue.parse(json: unknown))
    }
  }

  @Test(
    "a Keras setting SwiftKeras cannot honour is refused, naming the layer and the key",
    arguments: [
      (#"{"class_name": "LSTM", "config": {"name": "rnn", "units": 2, "stateful": true}}"#, "'stateful' = true"),
      (#"{"class_name": "GRU", "config": {"name": "rnn", "units": 2, "unroll": true}}"#, "'unroll' = true"),
      (#"{"class_name": "LSTM", "config": {"name": "rnn", "units": 2, "time_major": true}}"#, "'time_major' = true"),
      (
        #"{"class_name": "LSTM", "config": {"name": "rnn", "units": 2, "activation": "selu"}}"#,
        "'activation' = \"selu\""
      ),
      (
        #"{"class_name": "Dense", "config": {"name": "d", "units": 2, "kernel_constraint": {"class_name": "NonNeg", "config": {}}}}"#,
        "'kernel_constraint' = {"
      ),
      (
        #"{"class_name": "Dense", "config": {"name": "d", "units": 2, "activity_regularizer": "l2"}}"#,
        "'activity_regularizer' = \"l2\""
      ),
      (#"{"class_name": "Dense", "config": {"name": "d", "units": 2, "lora_rank": 4}}"#, "'lora_rank' = 4"),
      (#"{"class_name": "Dense", "config": {"name": "d", "units": 2, "dtype": "float64"}}"#, "'dtype' = \"float64\""),
      (
        #"{"class_name": "Conv1D", "config": {"name": "c", "filters": 2, "kernel_size": 3, "data_format": "channels_first"}}"#,
        "'data_format' = \"channels_first\""
      ),
      (#"{"class_name": "BatchNormalization", "config": {"name": "bn", "renorm": true}}"#, "'renorm' = true"),
      (#"{"class_name": "BatchNormalization", "config": {"name": "bn", "axis": [1, 2]}}"#, "'axis' = [1, 2]"),
      (#"{"class_name": "LayerNormalization", "config": {"name": "ln", "rms_scaling": true}}"#, "'rms_scaling' = true"),
      (
        #"{"class_name": "Dropout", "config": {"name": "drop", "rate": 0.5, "future_option": 3}}"#,
        "'future_option' = 3"
      ),
      (
        #"{"class_name": "InputLayer", "config": {"name": "in", "batch_shape": [null, 3], "sparse": true}}"#,
        "'sparse' = true"
      ),
      (
        #"""
        {"class_name": "Bidirectional", "config": {"name": "bi", "merge_mode": null,
         "layer": {"class_name": "LSTM", "config": {"name": "l", "units": 2}}}}
        """#,
        "'merge_mode' = null"
      ),
      (
        #"""
        {"class_name": "Bidirectional", "config": {"name": "bi",
         "layer": {"class_name": "LSTM", "config": {"name": "forward_l", "units": 2}},
         "backward_layer": {"class_name": "LSTM", "config": {"name": "backward_l", "units": 3, "go_backwards": true}}}}
        """#,
        "'backward_layer' = \"backward_l\""
      ),
    ])
  func unsupported(_ text: String, _ keyAndValue: String) throws {
    let name = try ConfigValue.parse(json: text)["config"]?["name"]
    guard case .string(let layerName)? = name else {
      Issue.record("no name in \(text)")
      return
    }
    expectError(containing: ["Layer '\(layerName)' config: \(keyAndValue)", "is not supported"]) {
      _ = try deserializeLayer(ConfigValue.parse(json: text))
    }
  }

  @Test("an unknown activation names the layer, the key and the valid names")
  func unknownActivation() throws {
    expectError(containing: ["Layer 'd' config: 'activation'", "mish", "relu"]) {
      _ = try deserializeLayer(
        ConfigValue.parse(json: #"{"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "mish"}}"#))
    }
  }

  @Test("Bidirectional refuses a wrapped layer that is not recurrent, naming the key")
  func bidirectionalOfDense() throws {
    let text =
      #"{"class_name": "Bidirectional", "config": {"name": "bi", "layer": {"class_name": "Dense", "config": {"name": "d", "units": 2}}}}"#
    expectError(containing: ["Layer 'bi' config: 'layer' must be a recurrent layer"]) {
      _ = try deserializeLayer(ConfigValue.parse(json: text))
    }
  }
}
