import Foundation
import Testing

@testable import Keras

/// The attention models of make_attention_model_fixtures.py: inputs, Keras' outputs and a summary.
private struct AttentionModelFixture: Decodable {
  let inputs: [LayerFixture.Array]
  let outputs: [LayerFixture.Array]
  let summary: String?

  static func path(_ file: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/attention_models/\(file)").path
  }

  static func load(_ name: String) throws -> AttentionModelFixture {
    try JSONDecoder().decode(
      AttentionModelFixture.self, from: Data(contentsOf: URL(fileURLWithPath: path("\(name).json"))))
  }

  /// The encoder of make_attention_model_fixtures.py, built in Swift.
  static func encoder() throws -> Model {
    let tokens = Input(shape: [6], name: "tokens", dtype: "int32")
    let x = Embedding(20, 8, maskZero: true, name: "embed")(tokens)
    let a = MultiHeadAttention(numHeads: 2, keyDim: 4, name: "mha")(x, x, useCausalMask: true)
    let h = LayerNormalization(name: "norm")(Add(name: "residual")([x, a]))
    let pooled = GlobalAveragePooling1D(name: "pool")(h)
    return try Model(inputs: tokens, outputs: Dense(3, activation: .softmax, name: "out")(pooled), name: "encoder")
  }
}

@Suite("Attention models move between Keras and Swift")
struct AttentionModelTests {
  @Test(
    "the masked causal self-attention encoder loads from Keras 3 .keras and .h5 and tf_keras .h5 and predicts as Keras",
    arguments: ["encoder.keras", "encoder.h5", "encoder.tf_keras.h5"])
  func encoderFiles(_ file: String) throws {
    let fixture = try AttentionModelFixture.load("encoder")
    let model = try loadModel(AttentionModelFixture.path(file))
    let difference = maxDifference(try model.predict(fixture.inputs[0].tensor, verbose: 0), fixture.outputs[0].tensor)
    #expect(difference <= 1e-5, "\(file): predictions differ from Keras by \(difference)")
    let mha = try #require(try model.getLayer("mha") as? MultiHeadAttention)
    #expect(mha.inboundNodes.first?.node?.keywords.setting("use_causal_mask") == .bool(true), "\(file)")
  }

  @Test("a Keras 3 .weights.h5 of the encoder loads into the model built in Swift, whose summary rows are Keras'")
  func encoderWeightsAndSummary() throws {
    let fixture = try AttentionModelFixture.load("encoder")
    let model = try AttentionModelFixture.encoder()
    try model.loadWeights(AttentionModelFixture.path("encoder.weights.h5"))
    let difference = maxDifference(try model.predict(fixture.inputs[0].tensor, verbose: 0), fixture.outputs[0].tensor)
    #expect(difference <= 1e-5, "predictions differ from Keras by \(difference)")
    // Keras' table also lists the mask operations of the graph (NotEqual, LogicalOr), which
    // SwiftKeras computes inside the layers; the attention layer's rows and the totals match.
    let ours = model.summaryText(lineLength: 96).split(separator: "\n").map(String.init)
    let keras = try #require(fixture.summary).split(separator: "\n").map(String.init)
    let row = try #require(keras.firstIndex { $0.contains("mha (MultiHeadAttention)") })
    for line in keras[row...(row + 1)] + keras.filter({ $0.contains("params:") }) {
      #expect(ours.contains(line), "Keras' summary line is not in ours: \(line)\nours:\n\(ours.joined(separator: "\n"))")
    }
  }

  @Test("the encoder saved by Swift as .keras, .h5 and .weights.h5 reloads with its call settings and predictions")
  func encoderRoundTrip() throws {
    let fixture = try AttentionModelFixture.load("encoder")
    let model = try loadModel(AttentionModelFixture.path("encoder.keras"))
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mha-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let expected = try model.predict(fixture.inputs[0].tensor, verbose: 0)
    for file in ["encoder.keras", "encoder.h5"] {
      let path = directory.appendingPathComponent(file).path
      try model.save(path)
      let reloaded = try loadModel(path)
      #expect(try reloaded.predict(fixture.inputs[0].tensor, verbose: 0).scalars == expected.scalars, "\(file)")
    }
    try model.saveWeights(directory.appendingPathComponent("encoder.weights.h5").path)
    let rebuilt = try AttentionModelFixture.encoder()
    try rebuilt.loadWeights(directory.appendingPathComponent("encoder.weights.h5").path)
    #expect(try rebuilt.predict(fixture.inputs[0].tensor, verbose: 0).scalars == expected.scalars)
    let config = model.functionalSerializedConfig.json
    #expect(config.contains("\"use_causal_mask\":true") || config.contains("\"use_causal_mask\": true"))
    #expect(config.contains("shapes_dict"))
  }

  @Test(
    "MultiHeadAttention called with key, attention_mask and return_attention_scores loads from Keras 3 files",
    arguments: ["cross.keras", "cross.h5"])
  func crossFiles(_ file: String) throws {
    let fixture = try AttentionModelFixture.load("cross")
    let model = try loadModel(AttentionModelFixture.path(file))
    let outputs = try model.predict(fixture.inputs.map(\.tensor), verbose: 0)
    #expect(outputs.count == 2)
    for (i, (ours, theirs)) in zip(outputs, fixture.outputs).enumerated() {
      #expect(maxDifference(ours, theirs.tensor) <= 1e-5, "\(file): output \(i)")
    }
  }

  @Test("a graph call with key and attention mask, saved by Swift, reloads with the same outputs")
  func crossBuiltInSwift() throws {
    let q = Input(shape: [4, 6])
    let v = Input(shape: [5, 3])
    let k = Input(shape: [5, 2])
    let m = Input(shape: [4, 5])
    let outputs = MultiHeadAttention(numHeads: 2, keyDim: 3, outputShape: [2, 3])(
      q, v, key: k, attentionMask: m, returnAttentionScores: true)
    #expect(outputs.map(\.shape) == [[nil, 4, 2, 3], [nil, 2, 4, 5]])
    let model = try Model(inputs: [q, v, k, m], outputs: outputs)
    let fixture = try AttentionModelFixture.load("cross")
    let expected = try model.predict(fixture.inputs.map(\.tensor), verbose: 0)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mha-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("cross.keras").path
    try model.save(path)
    let reloaded = try loadModel(path)
    let again = try reloaded.predict(fixture.inputs.map(\.tensor), verbose: 0)
    for (ours, theirs) in zip(again, expected) { #expect(ours.scalars == theirs.scalars) }
  }

  @Test("Keras 3's own .h5 of an Attention(score_mode=\"dot\") model, which Keras 3.15 cannot reload, loads and predicts")
  func dotAttentionH5() throws {
    let fixture = try AttentionModelFixture.load("dot")
    let model = try loadModel(AttentionModelFixture.path("dot.h5"))
    let difference = maxDifference(
      try model.predict(fixture.inputs.map(\.tensor), verbose: 0)[0], fixture.outputs[0].tensor)
    #expect(difference <= 1e-5, "predictions differ from Keras by \(difference)")
    let attention = try #require(try model.getLayer("att") as? Attention)
    #expect(attention.scoreMode == .dot)
    #expect(attention.inboundNodes.first?.node?.keywords.setting("use_causal_mask") == .bool(true))
  }

  /// Writes, when `SWIFTKERAS_FUNCTIONAL_CHECK_DIR` is set, the attention models saved by Swift
  /// with their inputs and predictions for `Fixtures/check_swift_functional.py` (run by hand:
  /// Keras 3 opens the files and predicts the same).
  @Test("the encoder and a cross-attention model saved by Swift reload with the same predictions")
  func filesForKeras() throws {
    let checkDirectory = ProcessInfo.processInfo.environment["SWIFTKERAS_FUNCTIONAL_CHECK_DIR"]
    let directory =
      checkDirectory.map { URL(fileURLWithPath: $0) }
      ?? FileManager.default.temporaryDirectory.appendingPathComponent("mha-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { if checkDirectory == nil { try? FileManager.default.removeItem(at: directory) } }
    let cross = try loadModel(AttentionModelFixture.path("cross.keras"))
    let models = [
      ("attention_encoder", try loadModel(AttentionModelFixture.path("encoder.keras")), "encoder"),
      ("attention_cross", cross, "cross"),
    ]
    for (name, model, fixtureName) in models {
      let inputs = try AttentionModelFixture.load(fixtureName).inputs.map(\.tensor)
      let predictions = try model.predict(inputs, verbose: 0)
      for format in ["keras", "h5"] {
        let path = directory.appendingPathComponent("\(name).\(format)").path
        try model.save(path)
        for (ours, again) in zip(predictions, try loadModel(path).predict(inputs, verbose: 0)) {
          #expect(ours.scalars == again.scalars, "\(name).\(format)")
        }
      }
      let record: [String: Any] = [
        "inputs": inputs.map { ["shape": $0.shape, "values": $0.scalars.map(Double.init)] },
        "outputs": predictions.map { ["shape": $0.shape, "values": $0.scalars.map(Double.init)] },
      ]
      try JSONSerialization.data(withJSONObject: record).write(to: directory.appendingPathComponent("\(name).json"))
    }
  }

  @Test("the attention encoder trains: twenty steps of fit lower the loss on its own batch")
  func trains() throws {
    let fixture = try AttentionModelFixture.load("encoder")
    let model = try AttentionModelFixture.encoder()
    try model.loadWeights(AttentionModelFixture.path("encoder.weights.h5"))
    try model.compile(optimizer: "adam", loss: "sparse_categorical_crossentropy")
    let x = fixture.inputs[0].tensor
    let y = try Tensor(shape: [3], scalars: [0, 2, 1])
    let before = try model.evaluate(x, y, verbose: 0)["loss"]!
    try model.fit(x, y, batchSize: 3, epochs: 20, verbose: 0)
    let after = try model.evaluate(x, y, verbose: 0)["loss"]!
    #expect(after < before)
  }
}
