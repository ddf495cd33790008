import Testing

@testable import Keras

@Suite("Convolutional layers match Keras")
struct ConvolutionalLayerTests {
  @Test("Conv1D with valid padding matches Keras' output and gradients")
  func conv1DValid() throws {
    let layer = Conv1D(4, kernelSize: 3, biasInitializer: .randomNormal())
    try expectMatchesKeras(layer, fixture: "conv1d_valid")
    #expect(layer.kernel?.shape == [3, 3, 4])
    #expect(layer.weights.map(\.name) == ["kernel", "bias"])
  }

  @Test("Conv1D with same padding splits it as TensorFlow, the odd step after")
  func conv1DSame() throws {
    try expectMatchesKeras(
      Conv1D(2, kernelSize: 4, padding: .same, biasInitializer: .randomNormal()), fixture: "conv1d_same")
  }

  @Test("Conv1D with causal padding and dilation 2 sees no later step, as Keras")
  func conv1DCausal() throws {
    try expectMatchesKeras(
      Conv1D(2, kernelSize: 3, padding: .causal, dilationRate: 2, useBias: false), fixture: "conv1d_causal")
  }

  @Test("Conv1D with causal padding and strides 2 pads one span before, as Keras")
  func conv1DCausalStrides() throws {
    try expectMatchesKeras(Conv1D(2, kernelSize: 3, strides: 2, padding: .causal), fixture: "conv1d_causal_strides2")
  }

  @Test("Conv1D with strides 2 matches Keras with valid and same padding")
  func conv1DStrides() throws {
    try expectMatchesKeras(
      Conv1D(3, kernelSize: 3, strides: 2, biasInitializer: .randomNormal()), fixture: "conv1d_strides2")
    try expectMatchesKeras(Conv1D(3, kernelSize: 3, strides: 2, padding: .same), fixture: "conv1d_strides2_same")
  }

  @Test("Conv1D with dilation 2 matches Keras")
  func conv1DDilation() throws {
    try expectMatchesKeras(
      Conv1D(3, kernelSize: 2, dilationRate: 2, biasInitializer: .randomNormal()), fixture: "conv1d_dilation2")
  }

  @Test("Conv1D with relu matches Keras")
  func conv1DActivation() throws {
    try expectMatchesKeras(
      Conv1D(4, kernelSize: 2, activation: .relu, biasInitializer: .randomNormal()), fixture: "conv1d_relu")
  }

  @Test("Conv1D's output length follows the padding, stride and dilation")
  func conv1DOutputShape() throws {
    #expect(try Conv1D(4, kernelSize: 3).outputShape(for: [nil, 7, 3]) == [nil, 5, 4])
    #expect(try Conv1D(4, kernelSize: 3, padding: .same).outputShape(for: [nil, 7, 3]) == [nil, 7, 4])
    #expect(try Conv1D(4, kernelSize: 3, padding: .causal).outputShape(for: [nil, 7, 3]) == [nil, 7, 4])
    #expect(try Conv1D(4, kernelSize: 3, strides: 2).outputShape(for: [nil, 7, 3]) == [nil, 3, 4])
    #expect(try Conv1D(4, kernelSize: 3, dilationRate: 3).outputShape(for: [nil, 7, 3]) == [nil, 1, 4])
    #expect(try Conv1D(4, kernelSize: 3).outputShape(for: [nil, nil, 3]) == [nil, nil, 4])
  }

  @Test("Conv1D padding names are Keras' strings, and an unknown one lists the valid names")
  func paddingNames() throws {
    #expect(try Padding(named: "SAME") == .same)
    #expect(throws: KerasError.unknownName(kind: "padding", name: "full", valid: ["valid", "same", "causal"])) {
      try Padding(named: "full")
    }
  }

  @Test("Conv1D given the wrong channel count names the layer and both shapes")
  func conv1DWrongChannels() throws {
    let layer = Conv1D(2, kernelSize: 3, name: "conv")
    _ = try layer(Tensor.ones([1, 5, 3]))
    #expect(throws: KerasError.incompatibleInput(layer: "conv", expected: "(None, None, 3)", got: [1, 5, 4])) {
      try layer(Tensor.ones([1, 5, 4]))
    }
  }

  @Test("Conv1D given an input that is not [N, L, C] names the layer and both shapes")
  func conv1DWrongRank() throws {
    let layer = Conv1D(2, kernelSize: 3, name: "conv")
    #expect(throws: KerasError.incompatibleInput(layer: "conv", expected: "(None, None, None)", got: [5, 3])) {
      try layer(Tensor.ones([5, 3]))
    }
  }

  @Test("Conv1D given a sequence shorter than its kernel says how long it must be")
  func conv1DTooShort() throws {
    let layer = Conv1D(2, kernelSize: 5, name: "conv")
    #expect(
      throws: KerasError.incompatibleInput(layer: "conv", expected: "(None, None, 2) with steps >= 5", got: [1, 3, 2])
    ) {
      try layer(Tensor.ones([1, 3, 2]))
    }
  }

  @Test("Conv1D rejects strides and a dilation above 1 together, as Keras")
  func conv1DStridesWithDilation() throws {
    let layer = Conv1D(2, kernelSize: 2, strides: 2, dilationRate: 2, name: "conv")
    #expect { try layer(Tensor.ones([1, 8, 2])) } throws: {
      "\($0)".contains("'conv'") && "\($0)".contains("dilationRate")
    }
  }
}
