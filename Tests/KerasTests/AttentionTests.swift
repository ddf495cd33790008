import Foundation
import Testing

@testable import Keras

/// One case of make_attention_fixtures.py: inputs, masks, weights, Keras' output, scores and gradients.
private struct AttentionFixture: Decodable {
  typealias Array = LayerFixture.Array
  let name: String
  let config: JSONValue
  let use_causal_mask: Bool
  let query: Array
  let value: Array
  let key: Array?
  let query_mask: Array?
  let value_mask: Array?
  let weights: [Array]
  let output: Array
  let scores: Array
  let loss_weights: Array
  let input_gradients: [Array]
  let weight_gradients: [Array]

  static func load(_ name: String) throws -> AttentionFixture {
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/attention/\(name).json")
    return try JSONDecoder().decode(AttentionFixture.self, from: Data(contentsOf: url))
  }

  static func configValue(_ name: String) throws -> ConfigValue {
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/attention/\(name).json")
    return try ConfigValue.parse(json: String(contentsOf: url, encoding: .utf8))["config"]!
  }
}

@Suite("Attention matches Keras")
struct AttentionTests {
  static let cases = [
    "dot", "dot_key", "dot_scale", "dot_masks", "dot_causal", "dot_causal_masks", "concat", "concat_scale_masks",
    "concat_causal", "additive", "additive_no_scale_masks", "additive_causal_masks",
  ]

  @Test("Attention and AdditiveAttention built from Keras' config match its output, scores, gradients and config", arguments: cases)
  func matchesKeras(_ name: String) throws {
    let fixture = try AttentionFixture.load(name)
    let className: ConfigValue = name.hasPrefix("additive") ? "AdditiveAttention" : "Attention"
    let layer = try #require(
      try deserializeLayer(.object([("class_name", className), ("config", AttentionFixture.configValue(name))]))
        as? Attention)
    #expect(type(of: layer).className == className.stringValue)
    let (q, v, k) = (fixture.query.tensor, fixture.value.tensor, fixture.key?.tensor)
    let (queryMask, valueMask) = (fixture.query_mask?.tensor, fixture.value_mask?.tensor)
    try layer.buildIfNeeded(q.shape.map { $0 })
    try layer.setWeights(fixture.weights.map(\.tensor))
    #expect(layer.weights.map(\.name) == fixture.weights.map { String($0.name!.split(separator: "/").last!) })

    func attend(_ q: Tensor, _ v: Tensor, _ k: Tensor?) throws -> (output: Tensor, scores: Tensor) {
      try layer.callReturningScores(
        query: q, value: v, key: k, queryMask: queryMask, valueMask: valueMask,
        useCausalMask: fixture.use_causal_mask)
    }
    let (output, scores) = try attend(q, v, k)
    #expect(maxDifference(output, fixture.output.tensor) <= 1e-5, "\(name): output")
    #expect(maxDifference(scores, fixture.scores.tensor) <= 1e-5, "\(name): scores")

    let r = fixture.loss_weights.tensor
    let inputs = [q, v] + (k.map { [$0] } ?? [])
    let (_, grads) = try valueWithGradient(at: inputs) { xs in
      try (attend(xs[0], xs[1], xs.count > 2 ? xs[2] : nil).output * r).sum()
    }
    for (i, (ours, theirs)) in zip(grads, fixture.input_gradients).enumerated() {
      #expect(maxDifference(ours, theirs.tensor) <= 1e-4, "\(name): gradient of input \(i)")
    }
    let (_, weightGrads) = try valueWithGradient(for: layer.weights) { try (attend(q, v, k).output * r).sum() }
    for (i, (ours, theirs)) in zip(weightGrads, fixture.weight_gradients).enumerated() {
      #expect(maxDifference(ours, theirs.tensor) <= 1e-4, "\(name): gradient of weight \(i)")
    }
    expectConfigMatchesKeras(layer.config, fixture.config, fixture: name)
    guard case .object(let ours) = layer.config, case .object(let keras) = try AttentionFixture.configValue(name) else {
      Issue.record("\(name): configs are not objects")
      return
    }
    #expect(ours.map(\.0) == keras.map(\.0), "\(name): config keys in Keras' order")
  }

  @Test("a causal mask hides later value steps: the first query step attends to the first value step alone")
  func causalFirstStep() throws {
    let q = Tensor.randomUniform([1, 3, 2], seed: 1)
    let v = try Tensor(shape: [1, 3, 1], scalars: [10, 20, 30])
    let (output, scores) = try Attention().callReturningScores(query: q, value: v, key: q, useCausalMask: true)
    #expect(scores.scalars[0...2] == [1, 0, 0])
    #expect(output.scalars[0] == 10)
  }

  @Test("Attention in training drops attention weights with its seed; not in inference")
  func dropoutInTraining() throws {
    let q = Tensor.randomUniform([2, 4, 3], seed: 1)
    let layer = Attention(dropout: 0.5, seed: 7)
    let inference = try layer(query: q, value: q)
    #expect(try layer(query: q, value: q).scalars == inference.scalars)
    let (_, scores) = try layer.callReturningScores(query: q, value: q, training: true)
    #expect(scores.scalars.contains(0))
  }

  @Test("Attention given mismatched query, key or masks names the layer and the shape it needs")
  func shapeErrors() throws {
    let layer = Attention(name: "att")
    let q = Tensor.zeros([2, 4, 3])
    #expect(throws: KerasError.incompatibleInput(layer: "att", expected: "a key (2, 5, 3)", got: [2, 5, 2])) {
      try layer(query: q, value: Tensor.zeros([2, 5, 2]), key: Tensor.zeros([2, 5, 2]))
    }
    #expect(throws: KerasError.incompatibleInput(layer: "att", expected: "a value mask (2, 5)", got: [2, 4])) {
      try layer(query: q, value: Tensor.zeros([2, 5, 3]), valueMask: Tensor.ones([2, 4]))
    }
    #expect { try layer(q) } throws: { "\($0)".contains("'att'") && "\($0)".contains("query") }
  }

  @Test("an Attention config with an unknown score mode is refused naming the key")
  func badScoreMode() throws {
    #expect {
      try deserializeLayer(.object([("class_name", "Attention"), ("config", .object([("score_mode", "additive")]))]))
    } throws: { "\($0)".contains("'score_mode'") }
  }

  @Test("Attention in a graph records use_causal_mask and return_attention_scores and honours them")
  func graphKeywords() throws {
    let q = Input(shape: [3, 2])
    let layer = Attention()
    let outputs = layer([q, q], useCausalMask: true, returnAttentionScores: true)
    #expect(outputs.map(\.shape) == [[nil, 3, 2], [nil, 3, 3]])
    let model = try Model(inputs: q, outputs: outputs)
    let x = Tensor.randomUniform([1, 3, 2], seed: 3)
    let results = try model.predict([x], verbose: 0)
    let (output, scores) = try layer.callReturningScores(query: x, value: x, useCausalMask: true)
    #expect(results[0].scalars == output.scalars)
    #expect(results[1].scalars == scores.scalars)
    #expect(model.functionalSerializedConfig.json.contains("use_causal_mask"))
  }
}
