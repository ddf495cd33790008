import Testing

@testable import TensorCore

/// The rounding passes of `mixed_bfloat16` and the ways they are skipped: tensors known to be
/// bfloat16, weights rounded once per value, the fused bias add. Each shortcut must give exactly
/// what the plain roundings give (same float32 arithmetic, so equality, not a tolerance).
@Suite("bfloat16 rounding")
struct BFloat16RoundingTests {
  @Test("the vectorized rounding equals BFloat16.round, NaN, infinities, subnormals and ties included")
  func vectorizedRounding() throws {
    var values: [Float] = [
      1 + 1.0 / 256, 1 + 3.0 / 256, -(1 + 1.0 / 256), .nan, -.infinity, .infinity, .greatestFiniteMagnitude,
      .leastNonzeroMagnitude, -.leastNormalMagnitude * 0.75, 0, -0.0,
    ]
    values += (0..<1000).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0 &* 2_654_435_761)) }
    let rounded = Tensor.bfloat16Rounding(of: try Tensor(shape: [values.count], scalars: values)).scalars
    for (value, result) in zip(values, rounded) {
      let expected = BFloat16.round(value)
      #expect(result.bitPattern == expected.bitPattern || (result.isNaN && expected.isNaN), "\(value)")
    }
  }

  @Test("addingBiasInBFloat16 equals round(round(p) + b) (and ReLU), output and gradients", arguments: [false, true])
  func fusedBiasAdd(relu: Bool) throws {
    let p = Tensor.randomUniform([5, 3, 12], min: -3, max: 3, seed: 51)
    let b = Tensor.randomUniform([12], min: -1, max: 1, seed: 52)
    let w = Tensor.randomUniform([5, 3, 12], min: -2, max: 2, seed: 53)
    let (fusedValue, fused) = try valueWithGradient(at: [p, b]) { xs in
      let y = try xs[0].addingBiasInBFloat16(xs[1], relu: relu)
      #expect(y.isKnownBFloat16)
      return try (y * w).sum()
    }
    let (plainValue, plain) = try valueWithGradient(at: [p, b]) { xs in
      let z = try (xs[0].roundedToBFloat16() + xs[1]).roundedToBFloat16()
      return try ((relu ? z.relu() : z) * w).sum()
    }
    #expect(fusedValue.scalar == plainValue.scalar)
    #expect(fused[0].scalars == plain[0].scalars)
    let biasDifference = zip(fused[1].scalars, plain[1].scalars).map { abs($0 - $1) }.max() ?? 0
    #expect(biasDifference <= 1e-5, "bias gradient: \(biasDifference)")  // the same sums in another order
    #expect(throws: TensorError.self) { try p.addingBiasInBFloat16(Tensor.zeros([5])) }
  }

  @Test("a tensor known to be bfloat16 is not rounded again; a watched one still rounds its gradient")
  func knownBFloat16() throws {
    let x = try Tensor(shape: [3], scalars: [1 + 0.75 / 128, 2, -3])
    let once = x.roundedToBFloat16()
    #expect(once.isKnownBFloat16 && !x.isKnownBFloat16)
    #expect(once.roundedToBFloat16().storage === once.storage)
    #expect(try once.reshaped(to: [3, 1]).isKnownBFloat16)
    var written = once
    written.withUnsafeMutableBufferPointer { $0[0] = 1 + 1.0 / 1024 }
    #expect(!written.isKnownBFloat16)
    #expect(written.roundedToBFloat16().scalars[0] == 1)
    // d/dx of round(x)·w is round(w): the leaf's rounding is recorded although its values are bfloat16.
    let weight = try Tensor(shape: [3], scalars: [1 + 1.0 / 1024, 1, 1])
    let g = try gradient(at: once) { x in try (x.roundedToBFloat16() * weight).sum() }
    #expect(g.scalars == [1, 1, 1])
  }

  @Test("a variable's bfloat16 value is rounded once per value and its gradient is rounded")
  func variableCache() throws {
    let variable = Variable(try Tensor(shape: [2], scalars: [1 + 1.0 / 1024, 3 + 1.0 / 256]))
    let first = variable.bfloat16Value
    #expect(first.scalars == [1, 3])
    #expect(variable.bfloat16Value.storage === first.storage)
    variable.update { $0[0] = 1 + 0.75 / 128 }
    #expect(variable.bfloat16Value.scalars == [1 + 1.0 / 128, 3])
    variable.value = try Tensor(shape: [2], scalars: [5, 6])
    #expect(variable.bfloat16Value.scalars == [5, 6])
    let weight = try Tensor(shape: [2], scalars: [1 + 1.0 / 1024, 2])
    let (_, gradients) = try valueWithGradient(for: [variable]) { try (variable.bfloat16Value * weight).sum() }
    #expect(gradients[0].scalars == [1, 2])
  }
}
