import Testing

@testable import TensorCore

/// The loops split between the threads give the values of the plain ones: `matmul(_:addingBias:relu:)`
/// against `matmul` then `+` then `.relu()` (float32 rounding apart), and the residual `+`
/// element for element.
@Suite("Elementwise passes split between the threads")
struct ParallelElementwiseTests {
  @Test("a relu fused into the bias GEMM equals matmul + bias then relu, values and gradients")
  func reluFusedIntoGEMM() throws {
    // 600 rows: two parts of 300, each run as blocks of 128, 128 and 44 rows.
    let x = Tensor.randomUniform([3, 200, 7], min: -1, max: 1, seed: 51)
    let w = Tensor.randomUniform([7, 9], min: -1, max: 1, seed: 52)
    let b = Tensor.randomUniform([9], min: -1, max: 1, seed: 53)
    let probe = Tensor.randomUniform([3, 200, 9], min: -1, max: 1, seed: 54)
    let (fused, separate) = try fusedAndSeparateBiasProducts(x, w, b, probe: probe, relu: true)
    #expect(abs(fused.value.scalars[0] - separate.value.scalars[0]) < 1e-3)
    for (actual, expected) in zip(fused.gradients, separate.gradients) {
      #expect(actual.isAlmostEqual(to: expected, tolerance: 1e-4))
    }
    let output = try x.matmul(w, addingBias: b, relu: true)
    #expect(output.isAlmostEqual(to: try (x.matmul(w) + b).relu(), tolerance: 1e-5))
    #expect(output.scalars.contains(0) && output.scalars.allSatisfy { $0 >= 0 })
  }

  @Test("the bias GEMM gives the same values over one block and over the threads' blocks")
  func blocksMatchOneCall() throws {
    let x = Tensor.randomUniform([600, 5], min: -1, max: 1, seed: 55)
    let w = Tensor.randomUniform([5, 4], min: -1, max: 1, seed: 56)
    let b = Tensor.randomUniform([4], min: -1, max: 1, seed: 57)
    let all = try x.matmul(w, addingBias: b)
    // The first 100 rows alone are one GEMM call on the calling thread.
    let head = try x[0..<100].matmul(w, addingBias: b)
    #expect(head.isAlmostEqual(to: all[0..<100], tolerance: 1e-6))
  }

  @Test("the sum of two large equally shaped tensors is exact, element for element")
  func residualAdd() throws {
    // 2 · 2^16 + 3 elements: split between the threads, unevenly.
    let count = 2 * 65536 + 3
    let a = Tensor.randomNormal([count], seed: 58)
    let c = Tensor.randomNormal([count], seed: 59)
    let sum = try a + c
    let (sa, sc, ss) = (a.scalars, c.scalars, sum.scalars)
    #expect((0..<count).allSatisfy { ss[$0] == sa[$0] + sc[$0] })
  }
}
