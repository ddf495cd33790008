import Foundation
import Testing

@testable import Keras

/// One case of make_multi_head_attention_fixtures.py.
private struct MultiHeadAttentionFixture: Decodable {
  typealias Array = LayerFixture.Array
  let name: String
  let use_causal_mask: Bool
  let query: Array
  let value: Array
  let key: Array?
  let query_mask: Array?
  let value_mask: Array?
  let key_mask: Array?
  let attention_mask: Array?
  let weights: [Array]
  let output: Array
  let scored_output: Array
  let scores: Array
  let loss_weights: Array
  let input_gradients: [Array]
  let weight_gradients: [Array]

  static func url(_ name: String) -> URL {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/multi_head_attention/\(name).json")
  }

  static func load(_ name: String) throws -> MultiHeadAttentionFixture {
    try JSONDecoder().decode(MultiHeadAttentionFixture.self, from: Data(contentsOf: url(name)))
  }

  static func config(_ name: String) throws -> ConfigValue {
    try ConfigValue.parse(json: String(contentsOf: url(name), encoding: .utf8))["config"]!
  }

  static func configJSON(_ name: String) throws -> JSONValue {
    try JSONDecoder().decode([String: JSONValue].self, from: Data(contentsOf: url(name)))["config"]!
  }
}

@Suite("MultiHeadAttention matches Keras")
struct MultiHeadAttentionTests {
  static let cases = [
    "self", "cross_key_value_dim", "causal", "output_shape_no_bias", "output_shape_int", "input_masks",
    "self_masks_causal", "attention_mask_masked_row", "attention_mask_masked_row_dropout",
    "attention_mask_causal_masks",
  ]

  @Test("MultiHeadAttention built from Keras' config matches its output, scores, gradients and config", arguments: cases)
  func matchesKeras(_ name: String) throws {
    let fixture = try MultiHeadAttentionFixture.load(name)
    let layer = try #require(
      try deserializeLayer(
        .object([("class_name", "MultiHeadAttention"), ("config", MultiHeadAttentionFixture.config(name))]))
        as? MultiHeadAttention)
    let (q, v, k) = (fixture.query.tensor, fixture.value.tensor, fixture.key?.tensor)
    func shape(_ t: Tensor) -> [Int?] { [nil] + t.shape.dropFirst().map { $0 } }
    try layer.build(queryShape: shape(q), valueShape: shape(v), keyShape: k.map(shape))
    try layer.setWeights(fixture.weights.map(\.tensor))
    #expect(
      layer.weights.map(\.name) == fixture.weights.map { String($0.name!.split(separator: "/").last!) }, "\(name)")
    #expect(layer.weights.map(\.shape) == fixture.weights.map(\.shape), "\(name): weight shapes")

    func attend(_ q: Tensor, _ v: Tensor, _ k: Tensor?, scores: Bool) throws -> (output: Tensor, scores: Tensor?) {
      let arguments = (
        attentionMask: fixture.attention_mask?.tensor, queryMask: fixture.query_mask?.tensor,
        valueMask: fixture.value_mask?.tensor, keyMask: fixture.key_mask?.tensor
      )
      if scores {
        let (output, weights) = try layer.callReturningScores(
          q, v, key: k, attentionMask: arguments.attentionMask, queryMask: arguments.queryMask,
          valueMask: arguments.valueMask, keyMask: arguments.keyMask, useCausalMask: fixture.use_causal_mask)
        return (output, weights)
      }
      let output = try layer(
        q, v, key: k, attentionMask: arguments.attentionMask, queryMask: arguments.queryMask,
        valueMask: arguments.valueMask, keyMask: arguments.keyMask, useCausalMask: fixture.use_causal_mask)
      return (output, nil)
    }
    let output = try attend(q, v, k, scores: false).output
    #expect(maxDifference(output, fixture.output.tensor) <= 1e-5, "\(name): output")
    let (scoredOutput, scores) = try attend(q, v, k, scores: true)
    #expect(maxDifference(scoredOutput, fixture.scored_output.tensor) <= 1e-5, "\(name): output with scores")
    #expect(maxDifference(try #require(scores), fixture.scores.tensor) <= 1e-5, "\(name): scores")

    let r = fixture.loss_weights.tensor
    let inputs = [q, v] + (k.map { [$0] } ?? [])
    let (_, grads) = try valueWithGradient(at: inputs) { xs in
      try (attend(xs[0], xs[1], xs.count > 2 ? xs[2] : nil, scores: false).output * r).sum()
    }
    for (i, (ours, theirs)) in zip(grads, fixture.input_gradients).enumerated() {
      #expect(maxDifference(ours, theirs.tensor) <= 1e-4, "\(name): gradient of input \(i)")
    }
    let (_, weightGrads) = try valueWithGradient(for: layer.weights) {
      try (attend(q, v, k, scores: false).output * r).sum()
    }
    for (i, (ours, theirs)) in zip(weightGrads, fixture.weight_gradients).enumerated() {
      #expect(maxDifference(ours, theirs.tensor) <= 1e-4, "\(name): gradient of weight \(i)")
    }
    expectConfigMatchesKeras(layer.config, try MultiHeadAttentionFixture.configJSON(name), fixture: name)
    guard case .object(let ours) = layer.config, case .object(let keras) = try MultiHeadAttentionFixture.config(name)
    else {
      Issue.record("\(name): configs are not objects")
      return
    }
    #expect(ours.map(\.0) == keras.map(\.0), "\(name): config keys in Keras' order")
  }

  @Test("a tf.keras 2 config (query_shape, value_shape, key_shape, softmax_robust_masking) builds the layer")
  func tfKerasConfig() throws {
    let json = """
      {"class_name": "MultiHeadAttention", "config": {"name": "mha", "trainable": true, "dtype": "float32",
       "num_heads": 2, "key_dim": 3, "value_dim": 4, "dropout": 0.0, "use_bias": true, "output_shape": null,
       "attention_axes": [1], "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
       "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null,
       "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null,
       "query_shape": [null, 4, 6], "key_shape": [null, 5, 2], "value_shape": [null, 5, 3],
       "softmax_robust_masking": false}}
      """
    let layer = try #require(try deserializeLayer(ConfigValue.parse(json: json)) as? MultiHeadAttention)
    #expect(layer.isBuilt)
    #expect(layer.weights.map(\.shape) == [[6, 2, 3], [2, 3], [2, 2, 3], [2, 3], [3, 2, 4], [2, 4], [2, 4, 6], [6]])
  }

  @Test("MultiHeadAttention refuses settings it cannot honour and bad inputs, naming the layer")
  func errors() throws {
    #expect {
      try deserializeLayer(
        .object([
          ("class_name", "MultiHeadAttention"),
          ("config", .object([("num_heads", 2), ("key_dim", 3), ("use_gate", true)])),
        ]))
    } throws: { "\($0)".contains("'use_gate'") }
    #expect {
      try deserializeLayer(
        .object([
          ("class_name", "MultiHeadAttention"),
          ("config", .object([("num_heads", 2), ("key_dim", 3), ("attention_axes", .array([2]))])),
        ]))
    } throws: { "\($0)".contains("'attention_axes'") }
    let layer = MultiHeadAttention(numHeads: 2, keyDim: 3, name: "mha")
    #expect { try layer(Tensor.zeros([2, 4, 6]), Tensor.zeros([2, 5, 3]), key: Tensor.zeros([2, 4, 3])) } throws: {
      "\($0)".contains("\"mha\"") && "\($0)".contains("key")
    }
    #expect {
      try layer(Tensor.zeros([2, 4, 6]), Tensor.zeros([2, 5, 3]), attentionMask: Tensor.ones([2, 5, 4]))
    } throws: { "\($0)".contains("\"mha\"") && "\($0)".contains("attention mask") }
    #expect { try layer(Tensor.zeros([2, 4, 6])) } throws: { "\($0)".contains("'mha'") }
  }

  @Test("dropout in training drops attention weights; inference is deterministic")
  func dropoutInTraining() throws {
    let x = Tensor.randomUniform([2, 4, 6], seed: 1)
    let layer = MultiHeadAttention(numHeads: 2, keyDim: 3, dropout: 0.5, seed: 7)
    let inference = try layer(x, x)
    #expect(try layer(x, x).scalars == inference.scalars)
    let trained = try layer(x, x, training: true)
    #expect(maxDifference(trained, inference) > 1e-3)
  }

  @Test("kernels are drawn with Keras' EinsumDense fans: Glorot uniform within sqrt(6 / (64 + 64)) for D = 64, 4 heads of 16")
  func kernelFans() throws {
    let layer = MultiHeadAttention(numHeads: 4, keyDim: 16)
    let x = Tensor.zeros([1, 2, 64])
    _ = try layer(x, x)
    // Keras 3 counts fans over the input axes (64) and output axes (4 · 16 = 64) of every kernel,
    // [64, 4, 16] and [4, 16, 64] alike: limit sqrt(6 / 128) = 0.2165. As a convolution's fans
    // (receptive field 64) the query kernel's limit would be sqrt(6 / 1280) = 0.068.
    let limit = Float(6.0 / 128.0).squareRoot()
    for kernel in [layer.queryKernel, layer.keyKernel, layer.valueKernel, layer.outputKernel] {
      let largest = try #require(kernel).value.abs().max().scalar
      #expect(largest <= limit)
      #expect(largest > 0.9 * limit)  // 4096 draws uniform in ±limit: the largest is above 0.9 · limit
    }
  }
}
