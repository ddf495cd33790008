import Testing

@testable import Keras

@Suite("Core layers match Keras")
struct CoreLayerTests {
  @Test("Dense with relu matches Keras' output and gradients")
  func denseRelu() throws {
    try expectMatchesKeras(Dense(4, activation: .relu, biasInitializer: .randomNormal()), fixture: "dense_relu")
  }

  @Test("Dense on a rank-3 input applies to the last axis, as Keras")
  func denseRank3() throws {
    try expectMatchesKeras(Dense(2, activation: .tanh, biasInitializer: .randomNormal()), fixture: "dense_rank3")
  }

  @Test("Dense without bias has only a kernel")
  func denseNoBias() throws {
    let layer = Dense(3, useBias: false)
    try expectMatchesKeras(layer, fixture: "dense_no_bias")
    #expect(layer.weights.map(\.name) == ["kernel"])
  }

  @Test("Activation layers match Keras", arguments: [
    ("activation_softmax", ActivationFunction.softmax), ("activation_gelu", .gelu), ("activation_hard_sigmoid", .hardSigmoid),
  ])
  func activation(_ fixture: String, _ function: ActivationFunction) throws {
    try expectMatchesKeras(Activation(function), fixture: fixture)
  }

  @Test("Dropout is the identity at inference")
  func dropoutInference() throws {
    try expectMatchesKeras(Dropout(0.5), fixture: "dropout_inference")
  }

  @Test("Dropout in training zeroes about `rate` of the elements and scales the rest by 1/(1-rate)")
  func dropoutTraining() throws {
    let layer = Dropout(0.25, seed: 3)
    let y = try layer(Tensor.ones([100, 100]), training: true)
    let kept = y.scalars.filter { $0 != 0 }
    #expect(kept.allSatisfy { abs($0 - 1 / 0.75) < 1e-6 })
    let dropped = Float(10_000 - kept.count) / 10_000
    #expect(abs(dropped - 0.25) < 0.02)  // binomial standard error ≈ 0.004
  }

  @Test("Flatten, Reshape and RepeatVector match Keras")
  func shapeLayers() throws {
    try expectMatchesKeras(Flatten(), fixture: "flatten")
    try expectMatchesKeras(Reshape([4, -1]), fixture: "reshape")
    try expectMatchesKeras(RepeatVector(3), fixture: "repeat_vector")
  }

  @Test("Embedding looks up rows as Keras")
  func embedding() throws {
    try expectMatchesKeras(Embedding(10, 3), fixture: "embedding")
  }

  @Test("Embedding with maskZero passes on a mask of the non-zero ids")
  func embeddingMask() throws {
    let layer = Embedding(5, 2, maskZero: true)
    let ids = Tensor([[1, 0, 3], [0, 0, 2]])
    _ = try layer(ids)
    #expect(try layer.computeMask(ids, mask: nil) == Tensor([[1, 0, 1], [0, 0, 1]]))
  }

  @Test("Embedding rejects ids outside the vocabulary, naming the layer")
  func embeddingBadId() throws {
    let layer = Embedding(5, 2, name: "tokens")
    #expect { try layer(Tensor([[1, 7]])) } throws: { "\($0)".contains("'tokens'") && "\($0)".contains("7") }
  }

  @Test("a Dense layer given the wrong feature size names the layer and both shapes")
  func denseWrongInput() throws {
    let layer = Dense(3, name: "head")
    _ = try layer(Tensor.ones([2, 4]))
    #expect(throws: KerasError.incompatibleInput(layer: "head", expected: "rank >= 2: (..., 4)", got: [2, 5])) {
      try layer(Tensor.ones([2, 5]))
    }
  }
}
