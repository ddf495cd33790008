import Foundation
import HDF5
import Testing

@testable import Keras

/// A weights file in Keras 2.0-2.3's (or Keras 1's) layout and tf_keras' predictions after
/// loading it (make_legacy_keras2_fixtures.py).
struct LegacyKeras2Fixture: Decodable {
  let name: String
  let file: String
  let input: LayerFixture.Array
  let output: LayerFixture.Array
  /// The weights the model starts from, by layer name, for layers the file does not set.
  let start_weights: [String: [LayerFixture.Array]]

  /// The path of `Fixtures/legacy_keras2/<file>`.
  static func path(_ file: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/legacy_keras2/\(file)").path
  }

  /// Loads `Fixtures/legacy_keras2/<name>.json`.
  static func load(_ name: String) throws -> LegacyKeras2Fixture {
    try JSONDecoder().decode(Self.self, from: Data(contentsOf: URL(fileURLWithPath: path("\(name).json"))))
  }

  /// The Swift twin of the generator's tf_keras model for `name`, with the fixture's starting weights set.
  func model() throws -> Model {
    let model: Model
    switch name {
    case "cudnn_keras224":
      model = Self.cudnnModel(names: ["cu_dnnlstm_1", "cu_dnngru_1", "dense_1"])
    case "functional_keras216":
      model = Sequential {
        Input(shape: [5, 3])
        Bidirectional(LSTM(3, returnSequences: true))
        GRU(2, resetAfter: false)
        Dense(4)
        BatchNormalization()
        Dense(1)
      }
    case "keras1":
      model = Sequential {
        Input(shape: [5, 3]); LSTM(4, returnSequences: true); GRU(3, resetAfter: false); Dense(1)
      }
    case "nested_keras224":
      let inner = Sequential {
        Input(shape: [5, 3]); LSTM(4); BatchNormalization()
      }
      let input = Input(shape: [5, 3])
      model = try Model(inputs: input, outputs: Dense(1)(inner(input)))
    case "by_name":
      model = Self.cudnnModel(names: ["cu_dnnlstm_1", "gru_new", "dense_1"])
    default:
      model = Self.cudnnModel(names: ["cu_dnnlstm_1", "gru_5", "dense_1"], gruUnits: 5)
    }
    for (layerName, values) in start_weights {
      for (variable, value) in zip(try model.getLayer(layerName).weights, values) { variable.value = value.tensor }
    }
    return model
  }

  /// LSTM(4, returnSequences) -> GRU(resetAfter) -> Dense(1), the tf_keras twin of the CuDNN file's model.
  static func cudnnModel(names: [String], gruUnits: Int = 3) -> Sequential {
    Sequential {
      Input(shape: [5, 3])
      LSTM(4, returnSequences: true, name: names[0])
      GRU(gruUnits, name: names[1])
      Dense(1, name: names[2])
    }
  }
}

@Suite("Weights files of Keras 2.0-2.3 and Keras 1 (CuDNN layers, byName)")
struct LegacyKeras2WeightsTests {
  func expectKerasPredictions(_ model: Model, _ fixture: LegacyKeras2Fixture) throws {
    let difference = maxDifference(try model.predict(fixture.input.tensor, verbose: 0), fixture.output.tensor)
    #expect(difference <= 1e-5, "\(fixture.name): predictions differ from tf_keras by \(difference)")
  }

  @Test(
    "loads CuDNN (Keras 2.2.4), Functional (2.1.6), nested-model and Keras 1 files by order as tf_keras (1e-5)",
    arguments: ["cudnn_keras224", "functional_keras216", "nested_keras224", "keras1"])
  func loadsByOrder(_ name: String) throws {
    let fixture = try LegacyKeras2Fixture.load(name)
    let model = try fixture.model()
    try model.loadWeights(LegacyKeras2Fixture.path(fixture.file))
    try expectKerasPredictions(model, fixture)
  }

  @Test("loadModel reads a whole Keras 2.2.4 .h5 model ({name, layers} config, model_weights) as tf_keras (1e-5)")
  func loadsKeras224Model() throws {
    let fixture = try LegacyKeras2Fixture.load("model_keras224")
    let model = try loadModel(LegacyKeras2Fixture.path(fixture.file))
    #expect(model.layers.map(\.name) == ["lstm_1", "dropout_1", "dense_1"])
    let difference = maxDifference(try model.predict(fixture.input.tensor, verbose: 0), fixture.output.tensor)
    #expect(difference <= 1e-5, "predictions differ from tf_keras by \(difference)")
  }

  @Test("a CuDNNLSTM's two biases are added and a CuDNNGRU's become the [2, 3·units] rows")
  func cudnnBiases() throws {
    let path = LegacyKeras2Fixture.path("cudnn_keras224.h5")
    let root = try HDF5File(path: path, mode: .readOnly).root
    let lstmBias = try root.dataset("cu_dnnlstm_1/cu_dnnlstm_1/bias:0").read(as: Float.self)
    let gruBias = try root.dataset("cu_dnngru_1/cu_dnngru_1/bias:0").read(as: Float.self)
    #expect(lstmBias.count == 32 && gruBias.count == 18, "8·4 and 6·3 biases in the file")
    let model = LegacyKeras2Fixture.cudnnModel(names: ["cu_dnnlstm_1", "cu_dnngru_1", "dense_1"])
    try model.loadWeights(path)
    let lstm = try model.getLayer("cu_dnnlstm_1").weights
    let gru = try model.getLayer("cu_dnngru_1").weights
    #expect(lstm[2].shape == [16] && lstm[2].value.scalars == (0..<16).map { lstmBias[$0] + lstmBias[$0 + 16] })
    #expect(gru[2].shape == [2, 9] && gru[2].value.scalars == gruBias)
  }

  @Test("byName loads the layers whose names are in the file and leaves the others alone")
  func byName() throws {
    let fixture = try LegacyKeras2Fixture.load("by_name")
    let model = try fixture.model()
    let untouched = try model.getLayer("gru_new").weights.map(\.value.scalars)
    try model.loadWeights(LegacyKeras2Fixture.path(fixture.file), byName: true)
    try expectKerasPredictions(model, fixture)
    #expect(try model.getLayer("gru_new").weights.map(\.value.scalars) == untouched)
  }

  @Test("byName with skipMismatch skips the weights whose shapes differ, as tf_keras, and says which")
  func byNameSkipMismatch() throws {
    let fixture = try LegacyKeras2Fixture.load("by_name_skip_mismatch")
    let model = try fixture.model()
    let kernel = try model.getLayer("dense_1").weights[0].value.scalars
    let path = LegacyKeras2Fixture.path(fixture.file)
    try model.loadWeights(path, byName: true, skipMismatch: true)
    try expectKerasPredictions(model, fixture)
    #expect(try model.getLayer("dense_1").weights[0].value.scalars == kernel, "the (5, 1) kernel is kept")

    let file = try WeightsFileReader(path: path)
    let loaded = try LegacyWeightsH5.read(file.root, from: file, into: model.layers, byName: true, skipMismatch: true)
    #expect(loaded.skipped.count == 1)
    #expect(loaded.skipped.first?.contains("'dense_1'") == true)
    #expect(loaded.skipped.first?.contains("[5, 1]") == true && loaded.skipped.first?.contains("[3, 1]") == true)
  }

  @Test("byName without skipMismatch names the layer and both shapes, and changes nothing")
  func byNameMismatchThrows() throws {
    let model = LegacyKeras2Fixture.cudnnModel(names: ["cu_dnnlstm_1", "gru_5", "dense_1"], gruUnits: 5)
    let before = model.getWeights().map(\.scalars)
    let path = LegacyKeras2Fixture.path("cudnn_keras224.h5")
    let error = try #require(throws: SavingError.self) { try model.loadWeights(path, byName: true) }
    guard case .shapeMismatch(let file, let layer, _, let index, _, let expected, let found) = error else {
      Issue.record("expected a shape mismatch, got \(error)")
      return
    }
    #expect(file == path && layer == "dense_1" && index == 0 && expected == [5, 1] && found == [3, 1])
    #expect("\(error)".contains("dense_1"))
    #expect(model.getWeights().map(\.scalars) == before)
  }

  @Test("byName: a layer with another number of weights throws naming it, or is skipped whole with skipMismatch")
  func byNameWeightCountMismatch() throws {
    let model = Sequential {
      Input(shape: [5, 3]); LSTM(4, returnSequences: true, name: "cu_dnnlstm_1"); GRU(3, name: "cu_dnngru_1")
      Dense(1, useBias: false, name: "dense_1")
    }
    let path = LegacyKeras2Fixture.path("cudnn_keras224.h5")
    let error = try #require(throws: SavingError.self) { try model.loadWeights(path, byName: true) }
    guard case .variableCountMismatch(_, let layer, _, _, let found) = error else {
      Issue.record("expected a variable count mismatch, got \(error)")
      return
    }
    #expect(layer == "dense_1" && found == 2)

    let kernel = try model.getLayer("dense_1").weights[0].value.scalars
    let file = try WeightsFileReader(path: path)
    let loaded = try LegacyWeightsH5.read(file.root, from: file, into: model.layers, byName: true, skipMismatch: true)
    #expect(loaded.skipped.count == 1 && loaded.skipped.first?.contains("layer 'dense_1' skipped") == true)
    #expect(loaded.values.count == 6, "the LSTM's and the GRU's three weights each")
    try model.loadWeights(path, byName: true, skipMismatch: true)
    #expect(try model.getLayer("dense_1").weights[0].value.scalars == kernel)
  }

  @Test("CuDNNGRU weights into a GRU without resetAfter are refused naming the layer, as Keras refuses them")
  func cudnnGRUNeedsResetAfter() throws {
    let model = Sequential {
      Input(shape: [5, 3]); LSTM(4, returnSequences: true); GRU(3, resetAfter: false, name: "old_gru"); Dense(1)
    }
    let error = try #require(throws: SavingError.self) {
      try model.loadWeights(LegacyKeras2Fixture.path("cudnn_keras224.h5"))
    }
    #expect("\(error)".contains("'old_gru'") && "\(error)".contains("CuDNNGRU") && "\(error)".contains("resetAfter"))
  }

  @Test("byName is refused for a Keras 3 .weights.h5 file, as Keras refuses by_name there")
  func byNameNeedsLegacyFile() throws {
    let model = WeightsFixture.model("dense")
    let path = WeightsFixture.path("dense.weights.h5")
    let error = try #require(throws: SavingError.self) { try model.loadWeights(path, byName: true) }
    #expect("\(error)".contains("byName") && "\(error)".contains(path))
  }
}
