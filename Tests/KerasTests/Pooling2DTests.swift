import Testing

@testable import Keras

@Suite("2-D poolings match Keras")
struct Pooling2DTests {
  @Test("MaxPooling2D with Keras' defaults matches its output and gradients, dropping the odd last row")
  func maxValid() throws {
    let layer = MaxPooling2D()
    try expectMatchesKeras(layer, fixture: "max_pooling2d_valid")
    #expect(layer.strides == 2)
    #expect(layer.name.hasPrefix("max_pooling2d"))
  }

  @Test("MaxPooling2D with same padding and strides 2 matches Keras; padding never wins")
  func maxSame() throws {
    try expectMatchesKeras(MaxPooling2D(poolSize: 3, strides: 2, padding: .same), fixture: "max_pooling2d_same_strides")
  }

  @Test("MaxPooling2D with a rectangular window and strides 1 (overlapping windows) matches Keras")
  func maxRectangular() throws {
    try expectMatchesKeras(MaxPooling2D(poolSize: [2, 3], strides: 1), fixture: "max_pooling2d_rectangular")
  }

  @Test("AveragePooling2D matches Keras with valid padding")
  func averageValid() throws {
    try expectMatchesKeras(AveragePooling2D(poolSize: 2), fixture: "average_pooling2d_valid")
  }

  @Test("AveragePooling2D with same padding averages only the pixels inside the image, as Keras")
  func averageSame() throws {
    try expectMatchesKeras(
      AveragePooling2D(poolSize: 3, strides: 2, padding: .same), fixture: "average_pooling2d_same_strides")
  }

  @Test("AveragePooling2D of a corner window under same padding divides by its pixels inside")
  func averageCorner() throws {
    // Pixels 1...9 in a 3x3 image; a 3x3 window at stride 2 with same padding pads one pixel on every
    // side, so each of the 2x2 windows holds 4 pixels inside: (1+2+4+5)/4 = 3, (2+3+5+6)/4 = 4,
    // (4+5+7+8)/4 = 6, (5+6+8+9)/4 = 7; dividing by 9 would give 4/3 for the first.
    let x = try Tensor(shape: [1, 3, 3, 1], scalars: (1...9).map(Float.init))
    let y = try AveragePooling2D(poolSize: 3, strides: 2, padding: .same)(x)
    // Windows start at -1 and 1: top-left covers rows/cols 0...1 -> (1+2+4+5)/4 = 3;
    // bottom-right covers rows/cols 1...2 -> (5+6+8+9)/4 = 7.
    #expect(y.shape == [1, 2, 2, 1])
    #expect(y.scalars == [3, 4, 6, 7])
  }

  @Test("global poolings over images match Keras, with and without kept axes")
  func global() throws {
    try expectMatchesKeras(GlobalAveragePooling2D(), fixture: "global_average_pooling2d")
    try expectMatchesKeras(GlobalAveragePooling2D(keepDims: true), fixture: "global_average_pooling2d_keepdims")
    try expectMatchesKeras(GlobalMaxPooling2D(), fixture: "global_max_pooling2d")
    #expect(try GlobalMaxPooling2D(keepDims: true).outputShape(for: [nil, 5, 4, 3]) == [nil, 1, 1, 3])
    #expect(try GlobalAveragePooling2D().outputShape(for: [nil, 5, 4, 3]) == [nil, 3])
  }

  @Test("pooling output sizes follow the pool size, strides and padding")
  func outputShape() throws {
    #expect(try MaxPooling2D().outputShape(for: [nil, 26, 26, 32]) == [nil, 13, 13, 32])
    #expect(try MaxPooling2D().outputShape(for: [nil, 7, 6, 2]) == [nil, 3, 3, 2])
    #expect(try MaxPooling2D(padding: .same).outputShape(for: [nil, 7, 6, 2]) == [nil, 4, 3, 2])
    #expect(try AveragePooling2D(poolSize: [2, 3], strides: 1).outputShape(for: [nil, 7, 6, 2]) == [nil, 6, 4, 2])
  }

  @Test("MaxPooling2D given an image smaller than its window names the layer and the size needed")
  func tooSmall() throws {
    let layer = MaxPooling2D(poolSize: 3, name: "pool")
    #expect(
      throws: KerasError.incompatibleInput(
        layer: "pool", expected: "(None, None, None, 1) with rows >= 3 and columns >= 3", got: [1, 2, 5, 1])
    ) { try layer(Tensor.ones([1, 2, 5, 1])) }
  }
}

@Suite("Image reshaping layers match Keras")
struct ImageReshapingTests {
  @Test("ZeroPadding2D with a pair per axis and with one amount per axis matches Keras")
  func zeroPadding() throws {
    let layer = ZeroPadding2D(top: 1, bottom: 2, left: 0, right: 3)
    try expectMatchesKeras(layer, fixture: "zero_padding2d")
    #expect(try layer.outputShape(for: [nil, 6, 5, 2]) == [nil, 9, 8, 2])
    try expectMatchesKeras(ZeroPadding2D(padding: [2, 1]), fixture: "zero_padding2d_symmetric")
  }

  @Test("UpSampling2D repeats rows and columns as Keras' nearest interpolation")
  func upSampling() throws {
    let layer = UpSampling2D(size: [2, 3])
    try expectMatchesKeras(layer, fixture: "up_sampling2d")
    #expect(try layer.outputShape(for: [nil, 6, 5, 2]) == [nil, 12, 15, 2])
  }

  @Test("an UpSampling2D config with bilinear interpolation is refused naming the key")
  func bilinear() throws {
    #expect {
      try deserializeLayer(
        .object([("class_name", "UpSampling2D"), ("config", .object([("interpolation", "bilinear")]))]))
    } throws: { "\($0)".contains("'interpolation'") }
  }

  @Test("Flatten and Reshape on images match Keras")
  func flattenAndReshape() throws {
    try expectMatchesKeras(Flatten(), fixture: "flatten_image")
    try expectMatchesKeras(Reshape([5, 12]), fixture: "reshape_image")
    #expect(try Flatten().outputShape(for: [nil, 6, 5, 2]) == [nil, 60])
  }
}
