import Foundation
import Testing

@testable import Keras

/// The image layer fixtures written by make_conv2d_fixtures.py.
let imageLayerFixtures = [
  "conv2d_valid", "conv2d_same", "conv2d_strides2_same", "conv2d_strides_valid", "conv2d_dilation2_same",
  "conv2d_dilation_valid", "conv2d_groups2_relu", "conv2d_1x1", "depthwise_conv2d_same", "depthwise_conv2d_strides2",
  "separable_conv2d", "separable_conv2d_dilation_same", "max_pooling2d_valid", "max_pooling2d_same_strides",
  "max_pooling2d_rectangular", "average_pooling2d_valid", "average_pooling2d_same_strides", "global_average_pooling2d",
  "global_average_pooling2d_keepdims", "global_max_pooling2d", "zero_padding2d", "zero_padding2d_symmetric",
  "up_sampling2d", "flatten_image", "reshape_image",
]

@Suite("Conv2D, DepthwiseConv2D and SeparableConv2D match Keras")
struct Conv2DTests {
  @Test("Conv2D with valid padding matches Keras' output and gradients, with Keras' weight layout")
  func valid() throws {
    let layer = Conv2D(3, kernelSize: 3, biasInitializer: .randomNormal())
    try expectMatchesKeras(layer, fixture: "conv2d_valid")
    #expect(layer.kernel?.shape == [3, 3, 2, 3])
    #expect(layer.weights.map(\.name) == ["kernel", "bias"])
    #expect(layer.name.hasPrefix("conv2d"))
  }

  @Test("Conv2D with same padding and a rectangular kernel matches Keras")
  func same() throws {
    try expectMatchesKeras(
      Conv2D(2, kernelSize: [3, 2], padding: .same, biasInitializer: .randomNormal()), fixture: "conv2d_same")
  }

  @Test("Conv2D with strides matches Keras, same padding split as TensorFlow on odd sizes")
  func strides() throws {
    try expectMatchesKeras(Conv2D(3, kernelSize: 3, strides: 2, padding: .same), fixture: "conv2d_strides2_same")
    try expectMatchesKeras(
      Conv2D(2, kernelSize: [2, 3], strides: [2, 1], biasInitializer: .randomNormal()), fixture: "conv2d_strides_valid")
  }

  @Test("Conv2D with a dilation matches Keras with same and valid padding")
  func dilation() throws {
    try expectMatchesKeras(Conv2D(2, kernelSize: 2, padding: .same, dilationRate: 2), fixture: "conv2d_dilation2_same")
    try expectMatchesKeras(
      Conv2D(2, kernelSize: 3, dilationRate: [1, 2], useBias: false), fixture: "conv2d_dilation_valid")
  }

  @Test("Conv2D with 2 groups convolves each half of the channels with its half of the filters, as Keras")
  func groups() throws {
    let layer = Conv2D(4, kernelSize: 3, groups: 2, activation: .relu, biasInitializer: .randomNormal())
    try expectMatchesKeras(layer, fixture: "conv2d_groups2_relu")
    #expect(layer.kernel?.shape == [3, 3, 2, 4])
  }

  @Test("Conv2D with a 1x1 kernel (the input used as its own columns) matches Keras")
  func pointwise() throws {
    try expectMatchesKeras(Conv2D(3, kernelSize: 1, biasInitializer: .randomNormal()), fixture: "conv2d_1x1")
  }

  @Test("DepthwiseConv2D matches Keras with a depth multiplier, same padding and strides")
  func depthwise() throws {
    let layer = DepthwiseConv2D(kernelSize: 3, padding: .same, depthMultiplier: 2, biasInitializer: .randomNormal())
    try expectMatchesKeras(layer, fixture: "depthwise_conv2d_same")
    #expect(layer.kernel?.shape == [3, 3, 2, 2])
    try expectMatchesKeras(DepthwiseConv2D(kernelSize: [2, 3], strides: 2), fixture: "depthwise_conv2d_strides2")
  }

  @Test("SeparableConv2D matches Keras, with its three weights in Keras' order")
  func separable() throws {
    let layer = SeparableConv2D(3, kernelSize: 3, depthMultiplier: 2, biasInitializer: .randomNormal())
    try expectMatchesKeras(layer, fixture: "separable_conv2d")
    #expect(layer.weights.map(\.name) == ["depthwise_kernel", "pointwise_kernel", "bias"])
    #expect(layer.weights.map(\.shape) == [[3, 3, 2, 2], [1, 1, 4, 3], [3]])
    try expectMatchesKeras(
      SeparableConv2D(2, kernelSize: 2, padding: .same, dilationRate: 2, activation: .tanh),
      fixture: "separable_conv2d_dilation_same")
  }

  @Test("Conv2D's output size follows the padding, strides and dilation")
  func outputShape() throws {
    #expect(try Conv2D(4, kernelSize: 3).outputShape(for: [nil, 28, 28, 1]) == [nil, 26, 26, 4])
    #expect(try Conv2D(4, kernelSize: 3, padding: .same).outputShape(for: [nil, 7, 6, 1]) == [nil, 7, 6, 4])
    #expect(try Conv2D(4, kernelSize: 3, strides: 2, padding: .same).outputShape(for: [nil, 7, 6, 1]) == [nil, 4, 3, 4])
    #expect(try Conv2D(4, kernelSize: [3, 2], strides: [2, 1]).outputShape(for: [nil, 7, 6, 1]) == [nil, 3, 5, 4])
    #expect(try Conv2D(4, kernelSize: 3, dilationRate: 2).outputShape(for: [nil, 7, 6, 1]) == [nil, 3, 2, 4])
    #expect(try Conv2D(4, kernelSize: 3).outputShape(for: [nil, nil, nil, 3]) == [nil, nil, nil, 4])
  }

  @Test("Conv2D given an image smaller than its kernel says how large it must be")
  func tooSmall() throws {
    let layer = Conv2D(2, kernelSize: [3, 5], name: "conv")
    #expect(
      throws: KerasError.incompatibleInput(
        layer: "conv", expected: "(None, None, None, 2) with rows >= 3 and columns >= 5", got: [1, 4, 4, 2])
    ) { try layer(Tensor.ones([1, 4, 4, 2])) }
  }

  @Test("Conv2D given the wrong rank or channel count names the layer and both shapes")
  func wrongInput() throws {
    let layer = Conv2D(2, kernelSize: 3, name: "conv")
    #expect(throws: KerasError.incompatibleInput(layer: "conv", expected: "(None, None, None, None)", got: [5, 5, 3])) {
      try layer(Tensor.ones([5, 5, 3]))
    }
    _ = try layer(Tensor.ones([1, 5, 5, 3]))
    #expect(throws: KerasError.incompatibleInput(layer: "conv", expected: "(None, None, None, 3)", got: [1, 5, 5, 4])) {
      try layer(Tensor.ones([1, 5, 5, 4]))
    }
  }

  @Test("Conv2D rejects groups that do not divide the channels, causal padding, and strides with a dilation")
  func invalidSettings() throws {
    #expect { try Conv2D(4, kernelSize: 3, groups: 3, name: "grouped")(Tensor.ones([1, 5, 5, 3])) } throws: {
      "\($0)".contains("'grouped'") && "\($0)".contains("groups (3)") && "\($0)".contains("filters (4)")
    }
    #expect { try Conv2D(4, kernelSize: 3, padding: .causal, name: "c")(Tensor.ones([1, 5, 5, 3])) } throws: {
      "\($0)".contains("'c'") && "\($0)".contains("causal")
    }
    #expect { try Conv2D(4, kernelSize: 2, strides: 2, dilationRate: 2, name: "sd")(Tensor.ones([1, 8, 8, 1])) } throws: {
      "\($0)".contains("'sd'") && "\($0)".contains("dilationRate")
    }
  }

  @Test("a Conv2D config with strides and a dilation above 1, or an unknown padding, is refused naming the key")
  func invalidConfigs() throws {
    func make(_ settings: [(String, ConfigValue)], kernelSize: ConfigValue = .array([3, 3])) throws -> Layer {
      let config = [("filters", 2), ("kernel_size", kernelSize)] + settings
      return try deserializeLayer(.object([("class_name", "Conv2D"), ("config", .object(config))]))
    }
    #expect { try make([("strides", .array([2, 2])), ("dilation_rate", 2)]) } throws: {
      "\($0)".contains("'dilation_rate'")
    }
    #expect { try make([("padding", "causal")]) } throws: { "\($0)".contains("'padding'") }
    #expect { try make([], kernelSize: .array([3, 3, 3])) } throws: { "\($0)".contains("'kernel_size'") }
    let rectangular = try #require(try make([("groups", 2)], kernelSize: .array([3, 2])) as? Conv2D)
    #expect(rectangular.kernelSize == [3, 2] && rectangular.groups == 2)
  }

  @Test("the image layers' configs have Keras' keys in Keras' order", arguments: imageLayerFixtures)
  func configKeyOrder(_ name: String) throws {
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/layers/\(name).json")
    let file = try ConfigValue.parse(json: String(contentsOf: url, encoding: .utf8))
    guard case .object(let keras)? = file["config"], let className = file["class_name"] else {
      Issue.record("\(name): no config")
      return
    }
    let layer = try deserializeLayer(.object([("class_name", className), ("config", .object(keras))]))
    guard case .object(let ours) = layer.config else {
      Issue.record("\(name): config is not an object")
      return
    }
    #expect(ours.map(\.0) == keras.map(\.0))
  }
}
