import Foundation
import HDF5
import Testing

@testable import Keras

/// The mini-Xception face classifier of oarriaga/face_classification as Keras 2.0.5 and tf_keras
/// saved it, with tf_keras' predictions (make_mini_xception_fixtures.py).
private struct MiniXceptionFixture: Decodable {
  struct Case: Decodable {
    let file: String
    let output: LayerFixture.Array
    let layers: Int
    let parameters: Int
    /// The optimizer tf_keras compiles from the file's `training_config`.
    let optimizer: OptimizerSettings?
  }
  struct OptimizerSettings: Decodable {
    let class_name: String
    let learning_rate: Double
    let beta_1: Double
    let beta_2: Double
    let epsilon: Double
  }
  /// The learning rate tf_keras' legacy Adam gives a Keras 2 config with `decay`, by step.
  struct Keras2Decay: Decodable {
    let decay: Double
    let learning_rate_at_step: [String: Double]
  }
  let input_shape: [Int]
  let keras205: Case
  let tfkeras: Case
  let keras2_decay: Keras2Decay

  static func load() throws -> MiniXceptionFixture {
    try JSONDecoder().decode(Self.self, from: Data(contentsOf: URL(fileURLWithPath: path("mini_xception.json"))))
  }

  static func path(_ file: String) -> String { LegacyKeras2Fixture.path(file) }

  /// The generator's test images: x[n, i, j, 0] = ((3i² + 5j + ij + 29n) mod 64) / 64, exact in float32.
  var images: Tensor {
    let (count, height, width) = (input_shape[0], input_shape[1], input_shape[2])
    var scalars: [Float] = []
    for n in 0..<count {
      for i in 0..<height {
        for j in 0..<width { scalars.append(Float((3 * i * i + 5 * j + i * j + 29 * n) % 64) / 64) }
      }
    }
    return try! Tensor(shape: input_shape, scalars: scalars)
  }
}

/// A copy of the Keras 2.0.5 fixture in a fresh directory whose `model_config` went through `edit`.
private func editedKeras205File(_ edit: (String) -> String) throws -> (path: String, directory: URL) {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mini-xception-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  let path = directory.appendingPathComponent("edited.h5").path
  try FileManager.default.copyItem(atPath: MiniXceptionFixture.path("mini_xception_keras205.h5"), toPath: path)
  let root = try HDF5File(path: path, mode: .readWrite).root
  let config = try root.attribute("model_config", as: String.self)
  let edited = edit(config)
  #expect(edited != config, "the edit found its text")
  try root.setAttribute("model_config", to: edited)
  return (path, directory)
}

/// The reason of the ``SavingError/invalidModelConfig(file:entry:reason:)`` that loading `path` throws.
private func configErrorReason(loading path: String) -> String? {
  do {
    _ = try loadModel(path)
  } catch SavingError.invalidModelConfig(let file, let entry, let reason) {
    #expect(file == path && entry == "model_config")
    return reason
  } catch {
    Issue.record("expected invalidModelConfig, got \(error)")
  }
  return nil
}

@Suite("A Keras 2.0 mini-Xception image classifier and tf.keras 2 files of its layers load as tf.keras reads them")
struct MiniXceptionTests {
  @Test(
    "the whole-model .h5 of Keras 2.0.5 (Conv2D, SeparableConv2D, BatchNormalization, Add) predicts as tf_keras (1e-5)"
  )
  func keras205Predictions() throws {
    let fixture = try MiniXceptionFixture.load()
    let model = try loadModel(MiniXceptionFixture.path(fixture.keras205.file))
    #expect(model.layers.count == fixture.keras205.layers)
    #expect(model.countParams() == fixture.keras205.parameters)
    let difference = maxDifference(try model.predict(fixture.images, verbose: 0), fixture.keras205.output.tensor)
    #expect(difference <= 1e-5, "predictions differ from tf_keras by \(difference)")
  }

  @Test("the Keras 2.0 file keeps its layer names and the classes of cnn.py's mini_XCEPTION")
  func keras205Structure() throws {
    let model = try loadModel(MiniXceptionFixture.path("mini_xception_keras205.h5"))
    #expect(model.name == "model_1")
    let classes = model.layers.map { type(of: $0).className }
    #expect(classes.filter { $0 == "SeparableConv2D" }.count == 8)
    #expect(classes.filter { $0 == "Conv2D" }.count == 7)
    #expect(classes.filter { $0 == "BatchNormalization" }.count == 14)
    #expect(classes.filter { $0 == "Add" }.count == 4)
    #expect(model.layers.last?.name == "predictions")
    let stem = try #require(model.getLayer("conv2d_1") as? Conv2D)
    #expect(stem.kernelRegularizer != nil, "the L1L2 regularizer of Keras 2.0's config is kept")
  }

  @Test(
    "the Keras 2.0 training_config compiles the model as tf_keras does: Adam from 'lr', crossentropy, accuracy"
  )
  func keras205CompileSettings() throws {
    let fixture = try MiniXceptionFixture.load()
    let expected = try #require(fixture.keras205.optimizer)
    let model = try loadModel(MiniXceptionFixture.path(fixture.keras205.file))
    let adam = try #require(model.optimizer as? Adam)
    #expect(expected.class_name == "Adam")
    #expect(Double(adam.currentLearningRate) == expected.learning_rate)
    #expect(Double(adam.beta1) == expected.beta_1)
    #expect(Double(adam.beta2) == expected.beta_2)
    #expect(abs(Double(adam.epsilon) - expected.epsilon) <= 1e-15)
    #expect(model.loss?.name == "categorical_crossentropy")
    #expect(model.compiled?.metricSpecifiers.map(\.description) == ["accuracy"])
  }

  @Test("the Keras 2.0 model fine-tunes with the optimizer its training_config names")
  func keras205FineTunes() throws {
    let fixture = try MiniXceptionFixture.load()
    let model = try loadModel(MiniXceptionFixture.path(fixture.keras205.file))
    let before = try model.predict(fixture.images, verbose: 0)
    let labels = try Tensor(shape: [3, 7], scalars: (0..<21).map { $0 % 8 == 3 ? 1 : 0 })
    let history = try model.fit(fixture.images, labels, batchSize: 3, epochs: 2, verbose: 0)
    #expect(history.history["loss"]?.count == 2)
    #expect(model.optimizer?.iterations == 2)
    #expect(maxDifference(try model.predict(fixture.images, verbose: 0), before) > 0)
  }

  @Test("Keras 2's optimizer 'decay' divides the learning rate by 1 + decay · step, as tf_keras' legacy Adam does")
  func keras2Decay() throws {
    let fixture = try MiniXceptionFixture.load()
    let expected = fixture.keras2_decay
    let config = try ConfigValue.parse(
      json: """
        {"class_name": "Adam", "config": {"lr": 0.00010000000474974513, "beta_1": 0.8999999761581421,
         "beta_2": 0.9990000128746033, "epsilon": 1e-08, "decay": \(expected.decay)}}
        """)
    let adam = try #require(try CompileConfigReading.optimizer(config) as? Adam)
    for (step, rate) in expected.learning_rate_at_step {
      adam.iterations = Int(step)!
      #expect(abs(Double(adam.currentLearningRate) - rate) <= 1e-6 * rate, "step \(step)")
    }
    let refused = try ConfigValue.parse(
      json: """
        {"class_name": "Adam", "config": {"learning_rate": {"class_name": "ExponentialDecay", "config":
         {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5}}, "decay": 0.01}}
        """)
    #expect {
      _ = try CompileConfigReading.optimizer(refused)
    } throws: { error in
      "\(error)".contains("'Adam'") && "\(error)".contains("'decay'")
    }
  }

  @Test("a narrower mini-Xception saved whole by tf_keras (.h5) predicts as tf_keras (1e-5)")
  func tfKerasPredictions() throws {
    let fixture = try MiniXceptionFixture.load()
    let model = try loadModel(MiniXceptionFixture.path(fixture.tfkeras.file))
    #expect(model.layers.count == fixture.tfkeras.layers)
    #expect(model.countParams() == fixture.tfkeras.parameters)
    let difference = maxDifference(try model.predict(fixture.images, verbose: 0), fixture.tfkeras.output.tensor)
    #expect(difference <= 1e-5, "predictions differ from tf_keras by \(difference)")
  }

  @Test("the Keras 2.0 model saved again by Swift as .keras and .h5 reloads with the same predictions")
  func keras205SavesAgain() throws {
    let fixture = try MiniXceptionFixture.load()
    let model = try loadModel(MiniXceptionFixture.path(fixture.keras205.file))
    let predictions = try model.predict(fixture.images, verbose: 0)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mini-xception-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    for format in ["keras", "h5"] {
      let path = directory.appendingPathComponent("model.\(format)").path
      try model.save(path)
      #expect(try loadModel(path).predict(fixture.images, verbose: 0) == predictions, "\(format)")
    }
  }

  @Test("a setting SwiftKeras cannot honour in a Keras 2.0 layer config is refused naming the layer and the key")
  func unsupportedSetting() throws {
    let (path, directory) = try editedKeras205File {
      $0.replacingOccurrences(of: #""depthwise_constraint": null, "#, with: "")
        .replacingOccurrences(
          of: #""name": "separable_conv2d_3", "trainable": true"#,
          with: #""name": "separable_conv2d_3", "trainable": true, "depthwise_constraint": {"class_name": "MaxNorm"}"#)
    }
    defer { try? FileManager.default.removeItem(at: directory) }
    let reason = try #require(configErrorReason(loading: path))
    #expect(reason.contains("separable_conv2d_3") && reason.contains("depthwise_constraint"), "\(reason)")
  }

  @Test("an unknown key in a Keras 2.0 layer config is refused naming the layer and the key")
  func unknownKey() throws {
    let (path, directory) = try editedKeras205File {
      $0.replacingOccurrences(
        of: "\"name\": \"batch_normalization_4\", \"trainable\": true",
        with: "\"name\": \"batch_normalization_4\", \"trainable\": true, \"renorm_stddev\": 3")
    }
    defer { try? FileManager.default.removeItem(at: directory) }
    let reason = try #require(configErrorReason(loading: path))
    #expect(reason.contains("batch_normalization_4") && reason.contains("renorm_stddev"), "\(reason)")
  }

  @Test("channels_first, which Keras 2 on Theano wrote, is refused naming the layer and data_format")
  func channelsFirst() throws {
    let (path, directory) = try editedKeras205File {
      // max_pooling2d_2's config ends with its data_format; its input is batch_normalization_8.
      $0.replacingOccurrences(
        of: #""channels_last"}, "inbound_nodes": [[["batch_normalization_8""#,
        with: #""channels_first"}, "inbound_nodes": [[["batch_normalization_8""#)
    }
    defer { try? FileManager.default.removeItem(at: directory) }
    let reason = try #require(configErrorReason(loading: path))
    #expect(reason.contains("max_pooling2d_2") && reason.contains("data_format"), "\(reason)")
  }
}
