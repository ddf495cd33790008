import Foundation
import Testing

@testable import Keras

/// A layer defined outside SwiftKeras: multiplies its input by two.
private final class Doubler: Layer, @unchecked Sendable {
  override class var className: String { "Doubler" }
  override func call(_ input: Tensor, training: Bool) throws -> Tensor { input * 2 }
}

@Suite("One registry of layers, optimizers, losses and metrics by Keras name")
struct KerasRegistryTests {
  @Test("the built-in layer classes are listed once each, the classes of before first, and each is found by its name")
  func builtInLayers() throws {
    let before = [
      "InputLayer", "Dense", "Activation", "Dropout", "Flatten", "Reshape", "RepeatVector", "Embedding", "SimpleRNN",
      "LSTM", "GRU", "Bidirectional", "TimeDistributed", "Conv1D", "MaxPooling1D", "GlobalAveragePooling1D",
      "GlobalMaxPooling1D", "BatchNormalization", "LayerNormalization", "Add", "Subtract", "Multiply", "Average",
      "Maximum", "Minimum", "Concatenate", "Dot", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling2D",
      "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "ZeroPadding2D", "UpSampling2D",
      "Attention",
    ]
    #expect(LayerRegistry.classNames.filter(before.contains) == before)
    #expect(Set(LayerRegistry.classNames).count == LayerRegistry.classNames.count)
    #expect(LayerRegistry.classNames.count == builtInLayerTypes.count)
    for name in LayerRegistry.classNames {
      let found = LayerRegistry.layerClass(className: name, registeredName: nil, module: "keras.layers")
      #expect(found?.type?.kerasClassName == name, "\(name)")
      #expect(found?.package == nil, "\(name) is built in")
    }
  }

  @Test("CuDNNLSTM and CuDNNGRU are read as LSTM and GRU but not offered in error messages")
  func cudnnNames() throws {
    #expect(LayerRegistry.layerClass(className: "CuDNNLSTM", registeredName: nil, module: nil)?.type == LSTM.self)
    #expect(LayerRegistry.layerClass(className: "CuDNNGRU", registeredName: nil, module: nil)?.type == GRU.self)
    #expect(!LayerRegistry.classNames.contains("CuDNNLSTM"))
  }

  @Test("a built-in class in another module or under a package's registered name is not the built-in one")
  func builtInNeedsKerasModule() {
    #expect(LayerRegistry.layerClass(className: "Dense", registeredName: nil, module: "my_models") == nil)
    #expect(LayerRegistry.layerClass(className: "Dense", registeredName: "my_models>Dense", module: nil) == nil)
    #expect(LayerRegistry.layerClass(className: "Dense", registeredName: "Dense", module: "keras") != nil)
  }

  @Test("every built-in layer computes rows independently in inference; a layer defined outside does not")
  func rowIndependence() throws {
    for type in builtInLayerTypes {
      let layer = try minimalLayer(of: type)
      #expect(layer.computesRowsIndependentlyInInference, "\(type.kerasClassName)")
    }
    #expect(!Doubler().computesRowsIndependentlyInInference)
    #expect(TimeDistributed(Dense(2)).computesRowsIndependentlyInInference)
  }

  @Test("optimizer names and their order are Keras' and those of before; each class name finds its optimizer")
  func optimizers() throws {
    #expect(optimizerNames == ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam"])
    for optimizerClass in OptimizerClass.builtIn {
      #expect(type(of: try Keras.optimizer(named: optimizerClass.className)).className == optimizerClass.className)
      #expect(type(of: optimizerClass.makeDefault()).className == optimizerClass.className)
    }
  }

  @Test("loss names are those of before, in the same order, and each name gives its loss")
  func losses() throws {
    #expect(
      LossClass.builtIn.flatMap(\.names) == [
        "mean_squared_error", "mse", "MSE", "MeanSquaredError", "mean_absolute_error", "mae", "MAE",
        "MeanAbsoluteError", "mean_absolute_percentage_error", "mape", "MAPE", "MeanAbsolutePercentageError",
        "mean_squared_logarithmic_error", "msle", "MSLE", "MeanSquaredLogarithmicError", "huber", "Huber",
        "log_cosh", "logcosh", "LogCosh", "binary_crossentropy", "bce", "BCE", "BinaryCrossentropy",
        "categorical_crossentropy", "CategoricalCrossentropy", "sparse_categorical_crossentropy",
        "SparseCategoricalCrossentropy", "kl_divergence", "kld", "KLD", "kullback_leibler_divergence",
        "KLDivergence", "poisson", "Poisson", "hinge", "Hinge", "squared_hinge", "SquaredHinge",
        "cosine_similarity", "CosineSimilarity",
      ])
    #expect(try Keras.loss(named: "bce").name == "binary_crossentropy")
    let huber = try CompileConfigReading.loss(
      ConfigValue.parse(json: #"{"class_name": "Huber", "config": {"delta": 2.0, "name": "h"}}"#))
    #expect(huber.name == "h")
    #expect((huber as? Losses.Huber)?.delta == 2)
  }

  @Test("metric names are those of before, and each class, snake_case name and alias makes its metric")
  func metrics() throws {
    #expect(
      MetricSpecifier.names == [
        "accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
        "top_k_categorical_accuracy", "mean_absolute_error", "mae", "mean_squared_error", "mse",
        "root_mean_squared_error", "mean_absolute_percentage_error", "mape", "precision", "recall", "auc",
      ])
    for metricClass in MetricClass.builtIn {
      for name in metricClass.names {
        let metric = try Keras.metric(named: name, yTrueShape: [4, 1], yPredShape: [4, 1])
        #expect(metric.name == name)
        #expect(String(describing: type(of: metric)) == metricClass.className)
      }
    }
  }
}

extension KerasRegistryTests {
  /// The layer of `type` from the smallest config it accepts.
  fileprivate func minimalLayer(of type: any KerasDeserializable.Type) throws -> Layer {
    let arguments: [String: String] = [
      "InputLayer": #""batch_shape": [null, 3]"#, "Dense": #""units": 2"#, "Activation": #""activation": "relu""#,
      "Dropout": #""rate": 0.5"#, "Reshape": #""target_shape": [3]"#, "RepeatVector": #""n": 2"#,
      "Embedding": #""input_dim": 5, "output_dim": 2"#, "SimpleRNN": #""units": 2"#, "LSTM": #""units": 2"#,
      "GRU": #""units": 2"#,
      "Bidirectional": #""layer": {"class_name": "LSTM", "config": {"name": "forward_l", "units": 2}}"#,
      "TimeDistributed": #""layer": {"class_name": "Dense", "config": {"units": 2}}"#,
      "Conv1D": #""filters": 2, "kernel_size": 2"#, "Dot": #""axes": 1"#,
      "Conv2D": #""filters": 2, "kernel_size": 2"#, "DepthwiseConv2D": #""kernel_size": 2"#,
      "SeparableConv2D": #""filters": 2, "kernel_size": 2"#, "MultiHeadAttention": #""num_heads": 2, "key_dim": 2"#,
      "Permute": #""dims": [2, 1]"#, "SpatialDropout1D": #""rate": 0.5"#,
    ]
    let name = type.kerasClassName
    return try deserializeLayer(
      ConfigValue.parse(json: #"{"class_name": "\#(name)", "config": {\#(arguments[name] ?? "")}}"#))
  }
}

@Suite("Keras 2 whole-model files: CuDNN layers and Keras 2's hard_sigmoid")
struct LegacyKeras2ModelTests {
  @Test("a whole Keras 2.2.4 model naming CuDNNLSTM and CuDNNGRU loads as LSTM and GRU and predicts as tf_keras (1e-5)")
  func cudnnModel() throws {
    let fixture = try LegacyKeras2Fixture.load("cudnn_model_keras224")
    let model = try loadModel(LegacyKeras2Fixture.path(fixture.file))
    #expect(model.layers.map { type(of: $0).className } == ["LSTM", "GRU", "Dense"])
    #expect(model.layers.map(\.name) == ["cu_dnnlstm_1", "cu_dnngru_1", "dense_1"])
    #expect((model.layers[1] as? GRU)?.resetAfter == true)
    let difference = maxDifference(try model.predict(fixture.input.tensor, verbose: 0), fixture.output.tensor)
    #expect(difference <= 1e-5, "predictions differ from tf_keras by \(difference)")
  }

  @Test("a tf_keras 2 file's hard_sigmoid is Keras 2's clip(0.2x + 0.5, 0, 1) and predicts as tf_keras (1e-5)")
  func keras2HardSigmoid() throws {
    let fixture = try LegacyKeras2Fixture.load("hard_sigmoid_tfkeras")
    let model = try loadModel(LegacyKeras2Fixture.path(fixture.file))
    let lstm = try #require(model.layers.first as? LSTM)
    let dense = try #require(model.layers.last as? Dense)
    #expect(lstm.recurrentActivation == .hardSigmoidKeras2)
    #expect(dense.activation == .hardSigmoidKeras2)
    #expect(dense.config["activation"] == "hard_sigmoid")
    let difference = maxDifference(try model.predict(fixture.input.tensor, verbose: 0), fixture.output.tensor)
    #expect(difference <= 1e-5, "predictions differ from tf_keras by \(difference)")
  }

  @Test("Keras 2's and Keras 3's hard_sigmoid, and a config read as Keras 3 or with tf.keras' keras_version")
  func hardSigmoidDialects() throws {
    // 0.2·x + 0.5 and x / 6 + 0.5, clipped to [0, 1].
    let x = try Tensor(shape: [5], scalars: [-3, -1, 0, 1, 2.6])
    #expect(try ActivationFunction.hardSigmoidKeras2(x).scalars == [0, 0.3, 0.5, 0.7, 1])
    #expect(
      maxDifference(
        try ActivationFunction.hardSigmoid(x), try Tensor(shape: [5], scalars: [0, 1.0 / 3, 0.5, 2.0 / 3, 0.9333333]))
        < 1e-6)
    let dense = #"{"class_name": "Dense", "config": {"units": 1, "activation": "hard_sigmoid"}}"#
    let keras3 = try deserializeLayer(ConfigValue.parse(json: dense))
    #expect((keras3 as? Dense)?.activation == .hardSigmoid)
    let json = #"{"class_name": "Sequential", "keras_version": "2.4.0", "config": {"layers": [\#(dense)]}}"#
    let model = try deserializeSequential(ConfigValue.parse(json: json))
    #expect((model.layers.first as? Dense)?.activation == .hardSigmoidKeras2)
  }
}

extension LayerRegistryTests {
  @Test("a registered class is found as the built-in ones are: inside a wrapper and by its bare class name")
  func customLayerInsideWrapper() throws {
    LayerRegistry.register("Doubler", package: "tests") { config in Doubler(name: config["name"]?.stringValue) }
    defer { LayerRegistry.unregister("Doubler") }
    let text = #"""
      {"class_name": "TimeDistributed", "config": {"name": "td", "layer": {"module": "tests", "class_name": "Doubler",
       "config": {"name": "doubler"}, "registered_name": "tests>Doubler"}}}
      """#
    let wrapper = try #require(try deserializeLayer(ConfigValue.parse(json: text)) as? TimeDistributed)
    #expect(wrapper.layer is Doubler)
    #expect(wrapper.layer.name == "doubler")
    // Keras 2 files name a custom class without its package.
    let bare = try deserializeLayer(ConfigValue.parse(json: #"{"class_name": "Doubler", "config": {"name": "x"}}"#))
    #expect(bare is Doubler)
    #expect(LayerRegistry.layerClass(className: "Doubler", registeredName: nil, module: nil)?.package == "tests")
  }
}
