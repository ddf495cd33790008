import Testing

@testable import Keras

@Suite("Pooling layers match Keras")
struct PoolingLayerTests {
  @Test(
    "MaxPooling1D matches Keras' output and gradients",
    arguments: [
      ("max_pooling1d_valid", 2, nil, Padding.valid), ("max_pooling1d_same", 2, nil, .same),
      ("max_pooling1d_strides", 3, 1, .valid), ("max_pooling1d_same_strides", 3, 2, .same),
    ] as [(String, Int, Int?, Padding)])
  func maxPooling(_ fixture: String, _ poolSize: Int, _ strides: Int?, _ padding: Padding) throws {
    try expectMatchesKeras(MaxPooling1D(poolSize: poolSize, strides: strides, padding: padding), fixture: fixture)
  }

  @Test("MaxPooling1D's output length follows the padding and strides, which default to the pool size")
  func maxPoolingOutputShape() throws {
    #expect(MaxPooling1D().strides == 2)
    #expect(try MaxPooling1D().outputShape(for: [nil, 7, 3]) == [nil, 3, 3])
    #expect(try MaxPooling1D(padding: .same).outputShape(for: [nil, 7, 3]) == [nil, 4, 3])
    #expect(try MaxPooling1D(poolSize: 3, strides: 1).outputShape(for: [nil, 7, 3]) == [nil, 5, 3])
  }

  @Test("GlobalAveragePooling1D matches Keras, with and without keepDims")
  func globalAveragePooling() throws {
    try expectMatchesKeras(GlobalAveragePooling1D(), fixture: "global_average_pooling1d")
    try expectMatchesKeras(GlobalAveragePooling1D(keepDims: true), fixture: "global_average_pooling1d_keepdims")
  }

  @Test("GlobalAveragePooling1D given a mask averages only the real steps, as Keras")
  func globalAveragePoolingMasked() throws {
    try expectMatchesKeras(GlobalAveragePooling1D(), fixture: "global_average_pooling1d_masked")
  }

  @Test("GlobalMaxPooling1D matches Keras' output and gradients")
  func globalMaxPooling() throws {
    let layer = GlobalMaxPooling1D()
    try expectMatchesKeras(layer, fixture: "global_max_pooling1d")
    #expect(try layer.outputShape(for: [nil, 7, 3]) == [nil, 3])
    #expect(try GlobalMaxPooling1D(keepDims: true).outputShape(for: [nil, 7, 3]) == [nil, 1, 3])
  }

  @Test("pooling layers given an input that is not [N, L, C] name the layer and both shapes")
  func wrongRank() throws {
    let expected = "(None, None, None)"
    #expect(throws: KerasError.incompatibleInput(layer: "pool", expected: expected, got: [2, 7])) {
      try MaxPooling1D(name: "pool")(Tensor.ones([2, 7]))
    }
    #expect(throws: KerasError.incompatibleInput(layer: "mean", expected: expected, got: [2, 7, 3, 1])) {
      try GlobalAveragePooling1D(name: "mean")(Tensor.ones([2, 7, 3, 1]))
    }
    #expect(throws: KerasError.incompatibleInput(layer: "max", expected: expected, got: [2])) {
      try GlobalMaxPooling1D(name: "max")(Tensor.ones([2]))
    }
  }

  @Test("MaxPooling1D given a sequence shorter than its pool says how long it must be")
  func maxPoolingTooShort() throws {
    #expect(
      throws: KerasError.incompatibleInput(layer: "pool", expected: "(None, None, 3) with steps >= 4", got: [1, 3, 3])
    ) {
      try MaxPooling1D(poolSize: 4, name: "pool")(Tensor.ones([1, 3, 3]))
    }
  }

  @Test("MaxPooling1D rejects causal padding, as Keras")
  func maxPoolingCausal() throws {
    #expect { try MaxPooling1D(padding: .causal, name: "pool")(Tensor.ones([1, 4, 2])) } throws: {
      "\($0)".contains("'pool'") && "\($0)".contains("causal")
    }
  }
}
