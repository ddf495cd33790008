import Foundation
import Testing

@testable import Keras

/// `Fixtures/layers/batch_normalization_update.json`: a BatchNormalization's weights before and
/// after one call with `training=True` in Keras.
private struct BatchNormalizationUpdateFixture: Decodable {
  let input: LayerFixture.Array
  let momentum: Double
  let weights_before: [LayerFixture.Array]
  let weights_after: [LayerFixture.Array]

  static func load() throws -> BatchNormalizationUpdateFixture {
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/layers/batch_normalization_update.json")
    return try JSONDecoder().decode(BatchNormalizationUpdateFixture.self, from: Data(contentsOf: url))
  }
}

@Suite("Normalization layers match Keras")
struct NormalizationLayerTests {
  @Test("BatchNormalization at inference normalizes by the moving statistics, as Keras")
  func batchNormalizationInference() throws {
    let layer = BatchNormalization()
    try expectMatchesKeras(layer, fixture: "batch_normalization_inference")
    #expect(layer.weights.map(\.name) == ["gamma", "beta", "moving_mean", "moving_variance"])
    #expect(layer.trainableWeights.map(\.name) == ["gamma", "beta"])
  }

  @Test("BatchNormalization in training normalizes by the batch statistics, as Keras")
  func batchNormalizationTraining() throws {
    try expectMatchesKeras(BatchNormalization(), fixture: "batch_normalization_training", training: true)
  }

  @Test("BatchNormalization in training with a mask takes statistics over the real steps only")
  func batchNormalizationMasked() throws {
    try expectMatchesKeras(BatchNormalization(), fixture: "batch_normalization_training_masked", training: true)
  }

  @Test("BatchNormalization on axis 1 without center matches Keras")
  func batchNormalizationAxis1() throws {
    let layer = BatchNormalization(axis: 1, epsilon: 1e-5, center: false)
    try expectMatchesKeras(layer, fixture: "batch_normalization_axis1", training: true)
    #expect(layer.weights.map(\.name) == ["gamma", "moving_mean", "moving_variance"])
  }

  @Test("BatchNormalization's moving averages after one training call equal Keras'")
  func batchNormalizationUpdate() throws {
    let fixture = try BatchNormalizationUpdateFixture.load()
    let layer = BatchNormalization(momentum: Float(fixture.momentum))
    let x = fixture.input.tensor
    try layer.buildIfNeeded([nil] + x.shape.dropFirst().map { $0 })
    try layer.setWeights(fixture.weights_before.map(\.tensor))
    _ = try layer(x, training: true)
    for (ours, theirs) in zip(layer.getWeights(), fixture.weights_after) {
      #expect(maxDifference(ours, theirs.tensor) <= 1e-6)
    }
  }

  @Test("BatchNormalization moves its averages outside the tape: they get no gradient and move once per call")
  func batchNormalizationUpdateUnderTape() throws {
    let layer = BatchNormalization(momentum: 0.5)
    let x = Tensor([[1, 10], [3, 30]])
    _ = try layer(x)
    let (_, grads) = try valueWithGradient(for: layer.weights) { try (layer(x, training: true) * x).sum() }
    #expect(grads[2] == Tensor([0, 0]) && grads[3] == Tensor([0, 0]))
    // Batch mean [2, 20] and population variance [1, 100], each averaged half-and-half with 0 and 1.
    #expect(layer.movingMean!.value.isAlmostEqual(to: Tensor([1, 10])))
    #expect(layer.movingVariance!.value.isAlmostEqual(to: Tensor([1, 50.5])))
  }

  @Test("a frozen BatchNormalization uses its moving averages even in training and leaves them alone, as Keras")
  func batchNormalizationFrozen() throws {
    let layer = BatchNormalization()
    let x = Tensor([[1, 10], [3, 30]])
    let inference = try layer(x)
    layer.trainable = false
    #expect(try layer(x, training: true) == inference)
    #expect(layer.movingMean!.value == Tensor([0, 0]))
  }

  @Test("BatchNormalization passes the mask on, as Keras")
  func batchNormalizationMask() throws {
    let mask = Tensor([[1, 0]])
    #expect(try BatchNormalization().computeMask(Tensor.ones([1, 2, 3]), mask: mask) == mask)
  }

  @Test("BatchNormalization given the wrong channel count names the layer and both shapes")
  func batchNormalizationWrongChannels() throws {
    let layer = BatchNormalization(name: "norm")
    _ = try layer(Tensor.ones([2, 7, 3]))
    #expect(throws: KerasError.incompatibleInput(layer: "norm", expected: "(None, None, 3)", got: [2, 7, 4])) {
      try layer(Tensor.ones([2, 7, 4]))
    }
    #expect(throws: KerasError.incompatibleInput(layer: "norm", expected: "(None, None, 3)", got: [2, 3])) {
      try layer(Tensor.ones([2, 3]))
    }
  }

  @Test("BatchNormalization on the batch axis is refused, naming the layer")
  func batchNormalizationBatchAxis() throws {
    #expect(
      throws: KerasError.incompatibleInput(layer: "norm", expected: "a known, non-batch size on axis 0", got: [-1, 3])
    ) {
      try BatchNormalization(axis: 0, name: "norm")(Tensor.ones([2, 3]))
    }
  }

  @Test("LayerNormalization with random gamma and beta matches Keras' output and gradients")
  func layerNormalization() throws {
    try expectMatchesKeras(LayerNormalization(), fixture: "layer_normalization")
  }

  @Test("LayerNormalization over axes [1, 2] normalizes each sample as a whole, as Keras")
  func layerNormalizationAxes() throws {
    let layer = LayerNormalization(axis: [1, 2], epsilon: 1e-5)
    try expectMatchesKeras(layer, fixture: "layer_normalization_axes12")
    #expect(layer.gamma?.shape == [7, 3])
  }

  @Test("LayerNormalization writes axis as Keras: -1 before building, [-1] after")
  func layerNormalizationAxisConfig() throws {
    let layer = LayerNormalization()
    #expect(layer.config["axis"] == -1)
    _ = try layer(Tensor.ones([2, 3]))
    #expect(layer.config["axis"] == .array([-1]))
  }

  @Test("LayerNormalization given the wrong feature size names the layer and both shapes")
  func layerNormalizationWrongFeatures() throws {
    let layer = LayerNormalization(name: "norm")
    _ = try layer(Tensor.ones([2, 7, 3]))
    #expect(throws: KerasError.incompatibleInput(layer: "norm", expected: "rank >= 1: (..., 3)", got: [2, 7, 4])) {
      try layer(Tensor.ones([2, 7, 4]))
    }
  }
}
