import Foundation
import Testing

@testable import Keras

/// The layer of a `Fixtures/layers/<name>.json` case, made from Keras' config by `deserializeLayer`.
private func layerFromFixture(_ name: String) throws -> Layer {
  let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/layers/\(name).json")
  let value = try ConfigValue.parse(json: String(contentsOf: url, encoding: .utf8))
  return try deserializeLayer(.object([("class_name", value["class_name"]!), ("config", value["config"]!)]))
}

@Suite("1-D sequence layers match Keras")
struct SequenceLayerTests {
  @Test(
    "AveragePooling1D, ZeroPadding1D, UpSampling1D, Permute, SpatialDropout1D and grouped Conv1D made from Keras' configs match Keras",
    arguments: [
      "average_pooling1d_valid", "average_pooling1d_same_strides", "average_pooling1d_same", "zero_padding1d",
      "zero_padding1d_symmetric", "up_sampling1d", "permute", "permute_rank4", "spatial_dropout1d_inference",
      "conv1d_groups2", "conv1d_groups4_dilation_same",
    ])
  func matchesKeras(_ name: String) throws {
    try expectMatchesKeras(try layerFromFixture(name), fixture: name)
  }

  @Test("layers built in Swift write Keras' configs")
  func swiftConfigs() throws {
    try expectMatchesKeras(AveragePooling1D(poolSize: 3, strides: 2, padding: .same), fixture: "average_pooling1d_same_strides")
    try expectMatchesKeras(ZeroPadding1D(left: 1, right: 3), fixture: "zero_padding1d")
    try expectMatchesKeras(ZeroPadding1D(padding: 2), fixture: "zero_padding1d_symmetric")
    try expectMatchesKeras(UpSampling1D(size: 3), fixture: "up_sampling1d")
    try expectMatchesKeras(Permute([3, 1, 2]), fixture: "permute_rank4")
    try expectMatchesKeras(
      Conv1D(4, kernelSize: 2, padding: .same, dilationRate: 2, groups: 4, activation: .tanh),
      fixture: "conv1d_groups4_dilation_same")
  }

  @Test("SpatialDropout1D's config is Keras' own: rate, seed, name and a plain dtype, no trainable")
  func spatialDropoutConfig() throws {
    let layer = SpatialDropout1D(0.4, seed: 2, name: "spatial_dropout1d")
    #expect(
      layer.config
        == .object([("rate", .decimal(0.4)), ("seed", .int(2)), ("name", "spatial_dropout1d"), ("dtype", "float32")]))
  }

  @Test("SpatialDropout1D in training drops whole channels of each sequence, scaling the rest by 1/(1-rate)")
  func spatialDropoutDropsChannels() throws {
    let x = Tensor.ones([4, 5, 6])
    let y = try SpatialDropout1D(0.5, seed: 3)(x, training: true)
    var dropped = 0
    for n in 0..<4 {
      for c in 0..<6 {
        let column = (0..<5).map { y.scalars[(n * 5 + $0) * 6 + c] }
        #expect(Set(column).count == 1, "channel \(c) of row \(n) is not dropped or kept whole: \(column)")
        #expect(column[0] == 0 || column[0] == 2)
        if column[0] == 0 { dropped += 1 }
      }
    }
    #expect(dropped > 0 && dropped < 24)
    #expect(try SpatialDropout1D(0.5)(x).scalars == x.scalars)
  }

  @Test("grouped Conv1D refuses channels its groups do not divide, naming the layer")
  func groupsMustDivideChannels() throws {
    let layer = Conv1D(4, kernelSize: 2, groups: 2, name: "grouped")
    #expect { try layer(Tensor.zeros([1, 5, 3])) } throws: { "\($0)".contains("\"grouped\"") }
    #expect {
      try deserializeLayer(
        ConfigValue.parse(json: #"{"class_name": "Conv1D", "config": {"name": "c", "filters": 4, "kernel_size": 2, "groups": 3}}"#))
    } throws: { "\($0)".contains("'groups'") && "\($0)".contains("'c'") }
  }
}
