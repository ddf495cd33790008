import Testing

@testable import TensorCore

/// `conv2d` written as its definition: every output the sum over the window's taps inside the image.
private func naiveConvolution(_ x: Tensor, _ kernel: Tensor, _ window: Window2D, groups: Int) -> Tensor {
  let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  let filters = kernel.shape[3]
  let (cg, fg) = (c / groups, filters / groups)
  let xs = x.scalars
  let ks = kernel.scalars
  var out = [Float](repeating: 0, count: n * window.outputHeight * window.outputWidth * filters)
  for b in 0..<n {
    for oh in 0..<window.outputHeight {
      for ow in 0..<window.outputWidth {
        for f in 0..<filters {
          var sum: Float = 0
          for i in 0..<window.kernelHeight {
            for j in 0..<window.kernelWidth {
              let y = oh * window.strideHeight - window.padTop + i * window.dilationHeight
              let z = ow * window.strideWidth - window.padLeft + j * window.dilationWidth
              guard y >= 0 && y < h && z >= 0 && z < w else { continue }
              for ci in 0..<cg {
                let channel = (f / fg) * cg + ci
                sum += xs[((b * h + y) * w + z) * c + channel] * ks[((i * window.kernelWidth + j) * cg + ci) * filters + f]
              }
            }
          }
          out[((b * window.outputHeight + oh) * window.outputWidth + ow) * filters + f] = sum
        }
      }
    }
  }
  return try! Tensor(shape: [n, window.outputHeight, window.outputWidth, filters], scalars: out)
}

@Suite("2-D convolution and pooling")
struct ConvolutionTests {
  static let windows: [(String, [Int], [Int], [Int], Bool)] = [
    ("3x3 valid", [3, 3], [1, 1], [1, 1], false),
    ("3x2 same", [3, 2], [1, 1], [1, 1], true),
    ("3x3 strides 2 same", [3, 3], [2, 2], [1, 1], true),
    ("2x3 strides (2, 1) valid", [2, 3], [2, 1], [1, 1], false),
    ("2x2 dilation 2 same", [2, 2], [1, 1], [2, 2], true),
  ]

  @Test("Window2D sizes and pads as TensorFlow: the odd padding pixel after")
  func windowGeometry() {
    let same = Window2D(input: [7, 6], kernel: [3, 3], strides: [2, 2], samePadding: true)
    // ⌈7/2⌉ = 4 rows need (4-1)·2 + 3 - 7 = 2 padding rows, 1 before; ⌈6/2⌉ = 3 columns need 1, 0 before.
    #expect([same.outputHeight, same.outputWidth, same.padTop, same.padLeft] == [4, 3, 1, 0])
    let valid = Window2D(input: [7, 6], kernel: [3, 3], strides: [1, 1], dilation: [2, 2], samePadding: false)
    // Span (3-1)·2 + 1 = 5: 7 - 5 + 1 = 3 rows, 6 - 5 + 1 = 2 columns.
    #expect([valid.outputHeight, valid.outputWidth, valid.padTop, valid.padLeft] == [3, 2, 0, 0])
  }

  @Test("conv2d equals the sum over each window's taps, for every window setting and with groups")
  func matchesDefinition() throws {
    let x = Tensor.randomUniform([2, 7, 6, 4], min: -1, max: 1, seed: 1)
    for (name, kernel, strides, dilation, same) in Self.windows {
      let window = Window2D(input: [7, 6], kernel: kernel, strides: strides, dilation: dilation, samePadding: same)
      for groups in [1, 2] {
        let k = Tensor.randomUniform(kernel + [4 / groups, 6], min: -1, max: 1, seed: 2)
        let ours = try x.convolved2D(kernel: k, window: window, groups: groups)
        let expected = naiveConvolution(x, k, window, groups: groups)
        let difference = zip(ours.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? 0
        #expect(ours.shape == expected.shape && difference < 1e-5, "\(name), groups \(groups): \(difference)")
      }
    }
  }

  @Test("gradient of conv2d matches finite differences (input, kernel, bias; groups 1 and 2)")
  func convolutionGradients() throws {
    let x = Tensor.randomUniform([2, 5, 4, 2], min: -1, max: 1, seed: 3)
    for (name, kernel, strides, dilation, same) in Self.windows {
      let window = Window2D(input: [5, 4], kernel: kernel, strides: strides, dilation: dilation, samePadding: same)
      for groups in [1, 2] {
        let k = Tensor.randomUniform(kernel + [2 / groups, 2], min: -1, max: 1, seed: 4)
        let bias = Tensor.randomUniform([2], min: -1, max: 1, seed: 5)
        try checkGradients("conv2d \(name) groups \(groups)", [x, k, bias]) { xs in
          try xs[0].convolved2D(kernel: xs[1], bias: xs[2], window: window, groups: groups)
        }
      }
    }
  }

  @Test("conv2d with a fused relu equals relu of conv2d, and so does its gradient")
  func fusedRelu() throws {
    // 90 outputs: eleven groups of eight and a tail of two.
    let x = Tensor.randomUniform([2, 5, 3, 2], min: -1, max: 1, seed: 6)
    let k = Tensor.randomUniform([3, 3, 2, 3], min: -1, max: 1, seed: 7)
    let bias = Tensor.randomUniform([3], min: -1, max: 1, seed: 8)
    let window = Window2D(input: [5, 3], kernel: [3, 3], strides: [1, 1], samePadding: true)
    let fused = try x.convolved2D(kernel: k, bias: bias, window: window, relu: true)
    let separate = try x.convolved2D(kernel: k, bias: bias, window: window).relu()
    #expect(fused.scalars == separate.scalars && fused.scalars.contains(0))
    let weights = Tensor.randomUniform(fused.shape, min: -1, max: 1, seed: 9)
    let (_, fusedGradients) = try valueWithGradient(at: [x, k, bias]) { xs in
      try (xs[0].convolved2D(kernel: xs[1], bias: xs[2], window: window, relu: true) * weights).sum()
    }
    let (_, separateGradients) = try valueWithGradient(at: [x, k, bias]) { xs in
      try (xs[0].convolved2D(kernel: xs[1], bias: xs[2], window: window).relu() * weights).sum()
    }
    for (ours, expected) in zip(fusedGradients, separateGradients) {
      let difference = zip(ours.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? 0
      #expect(ours.shape == expected.shape && difference < 1e-6)
    }
  }

  @Test("gradient of max and average pooling matches finite differences, with same padding")
  func poolingGradients() throws {
    // Distinct values at least 0.05 apart, so no step of 1e-2 changes which pixel wins a window.
    let values: [Float] = (0..<80).map { index in Float((index * 37) % 80) * 0.05 }
    let x = try Tensor(shape: [2, 5, 4, 2], scalars: values)
    let settings: [([Int], [Int], Bool)] = [([2, 2], [2, 2], false), ([3, 3], [2, 2], true), ([2, 3], [1, 1], false)]
    for (kernel, strides, same) in settings {
      let window = Window2D(input: [5, 4], kernel: kernel, strides: strides, samePadding: same)
      try checkGradients("max pool \(kernel) \(strides) same=\(same)", [x]) { try $0[0].pooled2D(.max, window: window) }
      try checkGradients("average pool \(kernel) \(strides) same=\(same)", [x]) {
        try $0[0].pooled2D(.average, window: window)
      }
    }
  }

  @Test("gradient of max pooling over 11 channels (eight at a time and a tail) matches finite differences")
  func wideMaxPoolingGradient() throws {
    let values: [Float] = (0..<(1 * 4 * 5 * 11)).map { index in Float((index * 53) % 220) * 0.05 }
    let x = try Tensor(shape: [1, 4, 5, 11], scalars: values)
    let window = Window2D(input: [4, 5], kernel: [3, 3], strides: [2, 2], samePadding: true)
    try checkGradients("wide max pool", [x]) { try $0[0].pooled2D(.max, window: window) }
  }

  @Test("max pooling sends a tied window's gradient to its first maximum alone, as TensorFlow")
  func maxPoolingTies() throws {
    // One 2x2 window of equal pixels in each of 9 channels: all the gradient goes to pixel (0, 0).
    let x = Tensor.ones([1, 2, 2, 9])
    let window = Window2D(input: [2, 2], kernel: [2, 2], strides: [2, 2], samePadding: false)
    let (_, gradient) = try valueWithGradient(at: x) { try ($0.pooled2D(.max, window: window) * 3).sum() }
    #expect(gradient.scalars == [Float](repeating: 3, count: 9) + [Float](repeating: 0, count: 27))
  }

  @Test("conv2d names both shapes when the kernel's channels do not match the input's")
  func mismatchedKernel() throws {
    let window = Window2D(input: [4, 4], kernel: [3, 3], strides: [1, 1], samePadding: false)
    #expect(throws: TensorError.incompatibleShapes(operation: "conv2d", [1, 4, 4, 3], [3, 3, 2, 5])) {
      try Tensor.zeros([1, 4, 4, 3]).convolved2D(kernel: Tensor.zeros([3, 3, 2, 5]), window: window)
    }
    #expect { try Tensor.zeros([1, 4, 4, 4]).convolved2D(kernel: Tensor.zeros([3, 3, 2, 5]), window: window, groups: 2) }
      throws: { "\($0)".contains("groups (2)") }
  }
}

@Suite("2-D convolution on oneDNN's primitives and on im2col + GEMM")
struct ConvolutionPathTests {
  /// The largest |difference| between two lists of tensors of the same shapes.
  private func largestDifference(_ a: [Tensor], _ b: [Tensor]) -> Float {
    zip(a, b).map { x, y in
      x.shape == y.shape ? zip(x.scalars, y.scalars).map { abs($0 - $1) }.max() ?? 0 : .infinity
    }.max() ?? 0
  }

  @Test("both paths give the same output and gradients (1e-5), for every window setting, groups, bias and relu")
  func pathsAgree() throws {
    let x = Tensor.randomUniform([3, 7, 6, 4], min: -1, max: 1, seed: 11)
    let weights = Tensor.randomUniform([3, 7, 6, 8], min: -1, max: 1, seed: 12)
    for (name, kernel, strides, dilation, same) in ConvolutionTests.windows {
      let window = Window2D(input: [7, 6], kernel: kernel, strides: strides, dilation: dilation, samePadding: same)
      for (groups, withBias, relu) in [(1, true, true), (1, false, false), (2, true, false), (4, false, true)] {
        let k = Tensor.randomUniform(kernel + [4 / groups, 8], min: -1, max: 1, seed: 13)
        let b = Tensor.randomUniform([8], min: -1, max: 1, seed: 14)
        func run(_ path: ConvolutionPrimitive.Choice) throws -> [Tensor] {
          let (value, gradients) = try valueWithGradient(at: [x, k, b]) { xs in
            let y = try xs[0].convolved2D(
              kernel: xs[1], bias: withBias ? xs[2] : nil, window: window, groups: groups, relu: relu, path: path)
            return try (y * weights.slice(axis: 1, 0..<y.shape[1]).slice(axis: 2, 0..<y.shape[2])).sum()
          }
          return [value] + gradients.prefix(withBias ? 3 : 2)
        }
        let difference = largestDifference(try run(.onednn), try run(.im2col))
        #expect(difference < 1e-5, "\(name), groups \(groups), bias \(withBias), relu \(relu): \(difference)")
      }
    }
  }

  @Test(
    "a 3×3 stride-1 convolution of 12 images 12×12×32 → 32 takes oneDNN's Winograd forward and for its kernel's gradient, and gives im2col's values",
    arguments: [false, true])
  func winograd(samePadding: Bool) throws {
    let x = Tensor.randomUniform([12, 12, 12, 32], min: -1, max: 1, seed: 41)
    let k = Tensor.randomUniform([3, 3, 32, 32], min: -1, max: 1, seed: 42)
    let b = Tensor.randomUniform([32], min: -1, max: 1, seed: 43)
    let window = Window2D(input: [12, 12], kernel: [3, 3], strides: [1, 1], samePadding: samePadding)
    let weights = Tensor.randomUniform(
      [12, window.outputHeight, window.outputWidth, 32], min: -1, max: 1, seed: 44)
    func implementation(images: Int, _ kind: ConvolutionPrimitive.Kind) -> String {
      ConvolutionPrimitive.plan(
        .init(
          window: window, images: images, channels: 32, filters: 32, groups: 1, bias: kind == .inference,
          relu: kind == .inference, kind: kind))?.implementation ?? "none"
    }
    if FastMath.hasAVX512 {  // oneDNN's Winograd kernels are AVX-512 ones
      for kind in [ConvolutionPrimitive.Kind.inference, .backwardWeights] {
        #expect(implementation(images: 12, kind).contains("wino"), "\(kind): \(implementation(images: 12, kind))")
      }
    }
    // One image is too little work for it (fewer than 1,024 output pixels): direct.
    #expect(!implementation(images: 1, .inference).contains("wino"))
    func run(_ path: ConvolutionPrimitive.Choice) throws -> [Tensor] {
      let (value, gradients) = try valueWithGradient(at: [x, k, b]) { xs in
        let y = try xs[0].convolved2D(kernel: xs[1], bias: xs[2], window: window, groups: 1, relu: true, path: path)
        return try (y * weights).sum()
      }
      let y = try x.convolved2D(kernel: k, bias: b, window: window, groups: 1, relu: true, path: path)
      return [y, value] + gradients
    }
    let (fast, direct, lowered) = (try run(.automatic), try run(.direct), try run(.im2col))
    // Relative to the largest value: Winograd F(4×4, 3×3) sums transformed products whose
    // rounding errors its transforms magnify (entries up to 8), measured up to 1.3e-6 here (the
    // direct algorithm: up to 5e-7, backward data being direct in both); a kernel that came out
    // of the wrong layout or a dropped tile would be off by whole values.
    let names = ["output", "sum", "input gradient", "kernel gradient", "bias gradient"]
    for (i, name) in names.enumerated() {
      let scale = lowered[i].scalars.map { abs($0) }.max() ?? 1
      let winograd = largestDifference([fast[i]], [lowered[i]]) / Swift.max(scale, 1)
      let plain = largestDifference([direct[i]], [lowered[i]]) / Swift.max(scale, 1)
      #expect(winograd < 4e-6, "\(name): Winograd differs from im2col by \(winograd) of \(scale)")
      #expect(plain < 1e-6, "\(name): direct differs from im2col by \(plain) of \(scale)")
    }
  }

  @Test("a strided 1×1 convolution over a 60×60 image (a mini-Xception's residual branch) gives im2col's gradients")
  func strided1x1OnLargeImage() throws {
    let x = Tensor.randomUniform([2, 60, 60, 8], min: -1, max: 1, seed: 21)
    let k = Tensor.randomUniform([1, 1, 8, 16], min: -1, max: 1, seed: 22)
    let window = Window2D(input: [60, 60], kernel: [1, 1], strides: [2, 2], samePadding: true)
    func run(_ path: ConvolutionPrimitive.Choice) throws -> [Tensor] {
      let (value, gradients) = try valueWithGradient(at: [x, k]) { xs in
        try xs[0].convolved2D(kernel: xs[1], bias: nil, window: window, groups: 1, relu: false, path: path).sum()
      }
      return [value] + gradients
    }
    let difference = largestDifference(try run(.onednn), try run(.im2col))
    #expect(difference < 1e-3, "\(difference)")
  }
}
