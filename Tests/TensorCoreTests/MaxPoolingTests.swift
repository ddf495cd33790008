import Testing

@testable import TensorCore

/// Max pooling written as its definition: each output the largest pixel of its window inside the
/// image, its gradient added to the first such pixel (row by row), as TensorFlow.
private func naiveMaxPooling(_ x: Tensor, _ window: Window2D, gradient g: Tensor) -> (output: Tensor, inputGradient: Tensor) {
  let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  let xs = x.scalars
  let gs = g.scalars
  var out = [Float](repeating: 0, count: n * window.outputHeight * window.outputWidth * c)
  var dx = [Float](repeating: 0, count: xs.count)
  for b in 0..<n {
    for oh in 0..<window.outputHeight {
      for ow in 0..<window.outputWidth {
        for channel in 0..<c {
          var best = -Float.infinity
          var winner = -1
          for i in 0..<window.kernelHeight {
            for j in 0..<window.kernelWidth {
              let y = oh * window.strideHeight - window.padTop + i
              let z = ow * window.strideWidth - window.padLeft + j
              guard y >= 0 && y < h && z >= 0 && z < w else { continue }
              let index = ((b * h + y) * w + z) * c + channel
              if winner < 0 || xs[index] > best { (best, winner) = (xs[index], index) }
            }
          }
          let o = ((b * window.outputHeight + oh) * window.outputWidth + ow) * c + channel
          out[o] = best
          dx[winner] += gs[o]
        }
      }
    }
  }
  return (
    try! Tensor(shape: [n, window.outputHeight, window.outputWidth, c], scalars: out),
    try! Tensor(shape: x.shape, scalars: dx)
  )
}

@Suite("2-D max pooling (sixteen channels at a time, the maxima's positions kept)")
struct MaxPoolingTests {
  /// Our output and input gradient (for the output gradient `g`) against the definition's.
  private func expectMatchesDefinition(_ x: Tensor, _ window: Window2D, _ label: String) throws {
    let g = Tensor.randomUniform(
      [x.shape[0], window.outputHeight, window.outputWidth, x.shape[3]], min: -1, max: 1, seed: 31)
    let (value, gradient) = try valueWithGradient(at: x) { try ($0.pooled2D(.max, window: window) * g).sum() }
    let expected = naiveMaxPooling(x, window, gradient: g)
    let ours = try x.pooled2D(.max, window: window)
    let (outputs, expectedOutputs): ([Float], [Float]) = (ours.scalars, expected.output.scalars)
    let (gradients, expectedGradients): ([Float], [Float]) = (gradient.scalars, expected.inputGradient.scalars)
    #expect(ours.shape == expected.output.shape, "\(label): output shape")
    #expect(outputs == expectedOutputs, "\(label): output")
    #expect(gradients == expectedGradients, "\(label): gradient")
    var sum: Float = 0
    for (y, weight) in zip(expectedOutputs, g.scalars) { sum += y * weight }
    let error: Float = abs(value.scalars[0] - sum)
    let bound: Float = 1e-4 * Swift.max(1, abs(sum))
    #expect(error <= bound, "\(label): value")
  }

  @Test(
    "outputs and gradients equal the definition for disjoint, uncovered, overlapping and padded windows over 1, 16 and 37 channels",
    arguments: [1, 16, 37])
  func matchesDefinition(channels: Int) throws {
    let x = Tensor.randomUniform([3, 11, 9, channels], min: -1, max: 1, seed: UInt64(channels))
    let settings: [(String, [Int], [Int], Bool)] = [
      ("2x2 valid (the last row and column in no window)", [2, 2], [2, 2], false),
      ("3x3 same strides 2 (overlapping, padded)", [3, 3], [2, 2], true),
      ("2x3 strides 1 (overlapping)", [2, 3], [1, 1], false),
      ("3x2 strides 3x2 valid (disjoint, uncovered)", [3, 2], [3, 2], false),
      ("2x2 same strides 3 (gaps between windows)", [2, 2], [3, 3], true),
    ]
    for (name, kernel, strides, same) in settings {
      let window = Window2D(input: [11, 9], kernel: kernel, strides: strides, samePadding: same)
      try expectMatchesDefinition(x, window, "\(name), \(channels) channels")
    }
  }

  @Test("pixels of a disjoint pooling no window covers get a zero gradient (11 x 11 images, 2 x 2 windows)")
  func uncoveredPixelsAreZero() throws {
    // All ones: every window's first pixel (even row, even column) wins and gets 1; row 10 and
    // column 10 lie in no window; the other pixels of each window get 0.
    let x = Tensor.ones([2, 11, 11, 64])
    let window = Window2D(input: [11, 11], kernel: [2, 2], strides: [2, 2], samePadding: false)
    let (_, gradient) = try valueWithGradient(at: x) { try $0.pooled2D(.max, window: window).sum() }
    var expected = [Float](repeating: 0, count: x.count)
    for b in 0..<2 {
      for y in stride(from: 0, to: 10, by: 2) {
        for z in stride(from: 0, to: 10, by: 2) {
          for c in 0..<64 { expected[((b * 11 + y) * 11 + z) * 64 + c] = 1 }
        }
      }
    }
    #expect(gradient.scalars == expected)
  }

  @Test("a tied window over 33 channels sends each channel's gradient to its first maximum alone")
  func ties() throws {
    // Window pixels 0, 1, 2, 3 hold 1, 2, 2, 2 in every channel: pixel 1 (the first 2) wins.
    let values: [Float] = [1, 2, 2, 2].flatMap { [Float](repeating: $0, count: 33) }
    let x = try Tensor(shape: [1, 2, 2, 33], scalars: values)
    let window = Window2D(input: [2, 2], kernel: [2, 2], strides: [2, 2], samePadding: false)
    let (_, gradient) = try valueWithGradient(at: x) { try ($0.pooled2D(.max, window: window) * 3).sum() }
    let zeros = [Float](repeating: 0, count: 33)
    let expected: [Float] = zeros + [Float](repeating: 3, count: 33) + zeros + zeros
    #expect(gradient.scalars == expected)
  }

  @Test("a window of only negative infinities passes its gradient to its first pixel")
  func negativeInfinity() throws {
    let x = try Tensor(shape: [1, 1, 2, 16], scalars: [Float](repeating: -.infinity, count: 32))
    let window = Window2D(input: [1, 2], kernel: [1, 2], strides: [1, 2], samePadding: false)
    let (_, gradient) = try valueWithGradient(at: x) { try $0.pooled2D(.max, window: window).sum() }
    let output: [Float] = try x.pooled2D(.max, window: window).scalars
    let expected: [Float] = [Float](repeating: 1, count: 16) + [Float](repeating: 0, count: 16)
    #expect(output == [Float](repeating: -.infinity, count: 16))
    #expect(gradient.scalars == expected)
  }
}

@Suite("ReLU's and the bias's gradients behind Conv2D on oneDNN")
struct ReLUGradientTests {
  // 4,689 rows of 64 filters (300,096 values: both threads get rows). Outputs cycle -1, 0, 1, NaN, so
  // the gradient passes at every fourth value; gradients are small integers, so the sums are exact.
  static let rows = 4689
  static let filters = 64
  static let pattern: [Float] = [-1, 0, 1, .nan]
  static let output: [Float] = (0..<(rows * filters)).map { (index: Int) -> Float in pattern[index % 4] }
  static let gradient: [Float] = (0..<(rows * filters)).map { (index: Int) -> Float in Float(index % 7) }

  /// The gradient where the output is 1 (every fourth value from the third), else 0.
  static let expectedMasked: [Float] = (0..<(rows * filters)).map { (index: Int) -> Float in
    index % 4 == 2 ? Float(index % 7) : 0
  }

  /// The sums over the rows of `values` `[rows, filters]`, in Double.
  static func columnSums(_ values: [Float]) -> [Float] {
    (0..<filters).map { (f: Int) -> Float in
      var sum = 0.0
      for r in 0..<rows { sum += Double(values[r * filters + f]) }
      return Float(sum)
    }
  }

  @Test("passes the gradient where the output is positive and sums the result's rows")
  func reluAndBias() {
    let (rows, filters) = (Self.rows, Self.filters)
    var masked = [Float](repeating: .nan, count: rows * filters)
    var sums = [Float](repeating: .nan, count: filters)
    masked.withUnsafeMutableBufferPointer { m in
      sums.withUnsafeMutableBufferPointer { s in
        Convolution2D.reluAndBiasGradient(
          Self.gradient, reluOutput: Self.output, masked: m.baseAddress!, sums: s.baseAddress!, rows: rows, filters: filters)
      }
    }
    let expected = Self.expectedMasked
    let expectedSums = Self.columnSums(expected)
    #expect(masked == expected)
    #expect(sums == expectedSums)
  }

  @Test("without a ReLU sums the gradient's rows alone, and masks alone without sums")
  func separately() {
    let (rows, filters) = (Self.rows, Self.filters)
    var sums = [Float](repeating: .nan, count: filters)
    sums.withUnsafeMutableBufferPointer {
      Convolution2D.reluAndBiasGradient(
        Self.gradient, reluOutput: nil, masked: nil, sums: $0.baseAddress!, rows: rows, filters: filters)
    }
    let expectedSums = Self.columnSums(Self.gradient)
    #expect(sums == expectedSums)
    var masked = [Float](repeating: .nan, count: rows * filters)
    masked.withUnsafeMutableBufferPointer {
      Convolution2D.reluAndBiasGradient(
        Self.gradient, reluOutput: Self.output, masked: $0.baseAddress!, sums: nil, rows: rows, filters: filters)
    }
    let expected = Self.expectedMasked
    #expect(masked == expected)
  }
}
