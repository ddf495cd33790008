import Testing

@testable import TensorCore

/// `convolved2D(precision: .bfloat16)` on oneDNN's bfloat16 convolution primitives against its
/// reference path (float32 convolution of bfloat16-rounded operands, output rounded). A product of
/// two bfloat16 values is exact in float32, so both paths sum the same products and differ only in
/// the order of their float32 sums: at most `(n + 2) · 2⁻²³ · Σ|products|` for `n` terms (the
/// bound of any summation order; `Σ|products|` is the same convolution of the operands' absolute
/// values). The output is then rounded to bfloat16, which may turn that difference into one
/// bfloat16 spacing, at most `2⁻⁷·|y|`.
@Suite("bfloat16 convolution")
struct BFloat16ConvolutionTests {
  struct Case: CustomStringConvertible {
    let name: String
    let kernel: [Int], strides: [Int], dilation: [Int]
    let same: Bool
    let channels: Int, filters: Int, groups: Int
    let bias: Bool, relu: Bool
    var description: String { "\(name), C \(channels) F \(filters) groups \(groups), bias \(bias), relu \(relu)" }
  }

  static let cases: [Case] = [
    Case(
      name: "3x3 valid", kernel: [3, 3], strides: [1, 1], dilation: [1, 1], same: false, channels: 4, filters: 8,
      groups: 1, bias: true, relu: true),
    Case(
      name: "3x2 same", kernel: [3, 2], strides: [1, 1], dilation: [1, 1], same: true, channels: 3, filters: 5,
      groups: 1, bias: false, relu: false),
    Case(
      name: "3x3 strides 2 same", kernel: [3, 3], strides: [2, 2], dilation: [1, 1], same: true, channels: 8,
      filters: 16, groups: 1, bias: true, relu: false),
    Case(
      name: "2x2 dilation 2 same", kernel: [2, 2], strides: [1, 1], dilation: [2, 2], same: true, channels: 4,
      filters: 8, groups: 2, bias: true, relu: true),
    Case(
      name: "1x1", kernel: [1, 1], strides: [1, 1], dilation: [1, 1], same: false, channels: 16, filters: 32, groups: 1,
      bias: true, relu: true),
  ]

  /// The output and the gradients of input, kernel and bias of `sum(conv(x) · weights)` for `c`,
  /// on the native (oneDNN bfloat16) or the reference path, or of the float32 convolution when
  /// `precision` is `.float32` (the magnitudes).
  static func run(
    _ c: Case, _ x: Tensor, _ k: Tensor, _ b: Tensor, _ weights: Tensor, precision: MatMulPrecision, native: Bool
  ) throws -> [Tensor] {
    let window = Window2D(
      input: [x.shape[1], x.shape[2]], kernel: c.kernel, strides: c.strides, dilation: c.dilation, samePadding: c.same)
    var output: Tensor? = nil
    let (_, gradients) = try valueWithGradient(at: [x, k, b]) { xs in
      let y = try xs[0].convolved2D(
        kernel: xs[1], bias: c.bias ? xs[2] : nil, window: window, groups: c.groups, relu: c.relu,
        path: ConvolutionPrimitive.choice == .im2col ? .automatic : ConvolutionPrimitive.choice, precision: precision,
        nativeBFloat16: native)
      output = y.detached()
      return try (y * weights.slice(axis: 1, 0..<y.shape[1]).slice(axis: 2, 0..<y.shape[2])).sum()
    }
    return [output!] + gradients
  }

  @Test("equals the reference path up to float32 summation order and one bfloat16 rounding", arguments: cases.indices)
  func matchesReference(_ index: Int) throws {
    let c = Self.cases[index]
    let x = Tensor.randomUniform([3, 9, 8, c.channels], min: -2, max: 2, seed: 31)
    let k = Tensor.randomUniform(c.kernel + [c.channels / c.groups, c.filters], min: -1, max: 1, seed: 32)
    let b = Tensor.randomUniform([c.filters], min: -1, max: 1, seed: 33)
    let weights = Tensor.randomUniform([3, 9, 8, c.filters], min: -1, max: 1, seed: 34)
    let window = Window2D(
      input: [9, 8], kernel: c.kernel, strides: c.strides, dilation: c.dilation, samePadding: c.same)
    if BFloat16.hardwareSupported {
      // The native path must run: oneDNN has bfloat16 primitives for every pass of every case here.
      for kind in [ConvolutionPrimitive.Kind.inference, .backwardData, .backwardWeights] {
        let forward = kind == .inference
        let plan = ConvolutionPrimitive.plan(
          .init(
            window: window, images: 3, channels: c.channels, filters: c.filters, groups: c.groups,
            bias: forward && c.bias, relu: forward && c.relu, kind: kind, bfloat16: true))
        // oneDNN's bfloat16 kernels (`brgconv:avx512_core_bf16`, `jit_bf16:avx512_core_bf16`, ...).
        #expect(plan?.implementation.contains("bf16") == true, "\(c), \(kind): \(plan?.implementation ?? "none")")
      }
    }
    let fast = try Self.run(c, x, k, b, weights, precision: .bfloat16, native: true)
    let reference = try Self.run(c, x, k, b, weights, precision: .bfloat16, native: false)
    // Σ|products| of every sum: the float32 path on the rounded operands' absolute values, no ReLU.
    func magnitude(_ t: Tensor) -> Tensor {
      Tensor(shape: t.shape) { out in for (i, v) in t.scalars.enumerated() { out[i] = abs(BFloat16.round(v)) } }
    }
    let magnitudes = try Self.run(
      Case(
        name: c.name, kernel: c.kernel, strides: c.strides, dilation: c.dilation, same: c.same, channels: c.channels,
        filters: c.filters, groups: c.groups, bias: c.bias, relu: false),
      magnitude(x), magnitude(k), magnitude(b), magnitude(weights), precision: .float32, native: false)
    let terms = Float(
      Swift.max(3 * window.outputHeight * window.outputWidth, c.kernel[0] * c.kernel[1] * c.filters) + 2)
    for (i, name) in ["output", "input gradient", "kernel gradient", "bias gradient"].enumerated() where i < 3 || c.bias
    {
      #expect(fast[i].shape == reference[i].shape)
      var worst: Float = 0
      for (j, (f, r)) in zip(fast[i].scalars, reference[i].scalars).enumerated() {
        var tolerance = terms * 0x1p-23 * magnitudes[i].scalars[j]
        if i == 0 { tolerance += 0x1p-7 * Swift.max(abs(f), abs(r)) }
        worst = Swift.max(worst, abs(f - r) / Swift.max(tolerance, .leastNormalMagnitude))
        #expect(abs(f - r) <= tolerance, "\(c): \(name)[\(j)] \(f) against \(r)")
        if abs(f - r) > tolerance { break }
      }
    }
    // The output is bfloat16 on both paths, and known to be.
    for y in [fast[0], reference[0]] { #expect(y.scalars.allSatisfy { $0.bitPattern & 0xFFFF == 0 }) }
  }

  @Test("the output is known to be bfloat16, so rounding it again costs nothing and changes nothing")
  func outputKnownBFloat16() throws {
    let x = Tensor.randomUniform([2, 6, 6, 4], min: -1, max: 1, seed: 41)
    let k = Tensor.randomUniform([3, 3, 4, 8], min: -1, max: 1, seed: 42)
    let window = Window2D(input: [6, 6], kernel: [3, 3], strides: [1, 1], samePadding: false)
    for native in [true, false] {
      let y = try x.convolved2D(
        kernel: k, bias: nil, window: window, groups: 1, relu: false, path: .automatic, precision: .bfloat16,
        nativeBFloat16: native)
      #expect(y.isKnownBFloat16)
      let again = y.roundedToBFloat16()
      #expect(again.scalars == y.scalars)
      #expect(again.storage === y.storage)
    }
    let plain = try x.convolved2D(kernel: k, window: window)
    #expect(!plain.isKnownBFloat16)
  }
}
