import Foundation
import Testing

@testable import TensorCore

/// The sixteen-lane `exp` of the attention softmax against Foundation's double-precision `exp`,
/// and the softmax rows built on it against a softmax computed in doubles.
@Suite("Vector exp and softmax rows")
struct VectorExpTests {
  /// `exp` of 16 inputs at a time (through the full-vector path).
  static func vectorExp(_ inputs: [Float]) -> [Float] {
    var out: [Float] = []
    for start in stride(from: 0, to: inputs.count, by: 16) {
      var v = VectorExp.Vector(repeating: 0)
      let lanes = Swift.min(16, inputs.count - start)
      for lane in 0..<lanes { v[lane] = inputs[start + lane] }
      let e = VectorExp.exp(v)
      for lane in 0..<lanes { out.append(e[lane]) }
    }
    return out
  }

  /// Relative error bound: the reduction `r = x - k·ln 2` (Cody-Waite, `k·C1` exact) costs one
  /// rounding, Horner's scheme on the degree-7 polynomial six multiply-add pairs (12 roundings of
  /// at most 2^-24 each, on terms below 1/2 after the first), the final `p·r·r + r + 1` three,
  /// the scaling by `2^k` none; the polynomial's truncation error is below 2^-24 on
  /// `|r| ≤ ln 2 / 2`. Summing all at 2^-24 gives 17 · 2^-24 ≈ 1.0e-6 as a safe bound.
  static let relativeBound = 17 * Double(Float.ulpOfOne) / 2

  @Test("exp within the bound over [-87.3, 88.3], including 0")
  func wideRange() {
    var inputs: [Float] = [0, -0.0, 1, -1, 88.3, -87.3, 0.3465, -0.3466, 1e-8, -1e-8]
    for k in 0...20_000 { inputs.append(-87.3 + Float(k) * (88.3 + 87.3) / 20_000) }
    let outputs = Self.vectorExp(inputs)
    var worst = 0.0
    for (x, y) in zip(inputs, outputs) {
      let truth = Foundation.exp(Double(x))
      let error = Swift.abs(Double(y) - truth) / truth
      worst = Swift.max(worst, error)
      #expect(error <= Self.relativeBound, "exp(\(x)) = \(y), true \(truth)")
    }
    #expect(worst > 0)
    #expect(outputs[0] == 1)
  }

  @Test("exp of masked scores: -inf and large negative inputs give 0 or within e^-87.3 ≈ 1.27e-38")
  func largeNegative() {
    let inputs: [Float] = [-.infinity, -1e30, -1000, -104, -100, -88, -87.31, -.greatestFiniteMagnitude]
    for (x, y) in zip(inputs, Self.vectorExp(inputs)) {
      let truth = Foundation.exp(Double(x))
      #expect(y >= 0)
      // Below -87.3 the result is 0 and the true value below e^-87.3.
      #expect(Swift.abs(Double(y) - truth) <= Foundation.exp(-87.3), "exp(\(x)) = \(y)")
    }
    #expect(Self.vectorExp([-.infinity])[0] == 0)
  }

  /// Softmax of `row[0..<count]` where `flags` are nonzero, in doubles.
  static func reference(_ row: [Float], count: Int, flags: [Float]?) -> [Double] {
    let kept = (0..<row.count).map { $0 < count && (flags?[$0] ?? 1) != 0 }
    let largest = zip(row, kept).filter { $0.1 }.map { Double($0.0) }.max()!
    let e = zip(row, kept).map { $0.1 ? Foundation.exp(Double($0.0) - largest) : 0 }
    let sum = e.reduce(0, +)
    return e.map { $0 / sum }
  }

  @Test("softmax rows: full vectors and tails, causal ranges, keep flags, fully masked rows")
  func softmaxRows() {
    let total = 37
    let row = (0..<total).map { Float(($0 * 37) % 23) * 0.7 - 8 }
    let flags: [Float] = (0..<total).map { $0 % 3 == 1 ? 0 : 1 }
    for count in [1, 5, 16, 30, 37] {
      for useFlags in [false, true] {
        var values = row
        let f = useFlags ? flags : nil
        values.withUnsafeMutableBufferPointer { v in
          if let f {
            f.withUnsafeBufferPointer {
              AttentionKernel.softmaxRow(v.baseAddress!, count: count, total: total, flags: $0.baseAddress!, uniform: 9)
            }
          } else {
            AttentionKernel.softmaxRow(v.baseAddress!, count: count, total: total, flags: nil, uniform: 9)
          }
        }
        if useFlags && count == 1 {
          // Step 0 is kept, so the row is seen.
          #expect(values[0] == 1)
        }
        let truth = Self.reference(row, count: count, flags: f)
        for j in 0..<total { #expect(Swift.abs(Double(values[j]) - truth[j]) < 1e-6, "count \(count) step \(j)") }
      }
    }
    // Every key step masked: the uniform value everywhere.
    var values = row
    let none = [Float](repeating: 0, count: total)
    values.withUnsafeMutableBufferPointer { v in
      none.withUnsafeBufferPointer {
        AttentionKernel.softmaxRow(v.baseAddress!, count: 20, total: total, flags: $0.baseAddress!, uniform: 0.25)
      }
    }
    #expect(values == [Float](repeating: 0.25, count: total))
  }
}
