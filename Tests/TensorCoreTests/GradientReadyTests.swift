import Testing

@testable import TensorCore

/// `valueWithSparseGradient(for:finished:of:)` reports each variable's gradient during the
/// backward pass, once complete, so data-parallel training can send it while the pass goes on.
@Suite("Gradients reported as the backward pass finishes them")
struct GradientReadyTests {
  /// `y = sum(marker(x·w1) * w2) + sum(2·w2)`, logging when each gradient is reported and when the
  /// backward pass reaches `marker` (between the uses of `w2` and the use of `w1`); `w3` is unused.
  private func run() throws -> (log: [String], reported: [Int: Tensor], gradients: [Tensor]) {
    let x = Tensor([[1, 2], [3, -1]])
    let w1 = Variable(Tensor([[0.5, -1], [2, 1]]), name: "w1")
    let w2 = Variable(Tensor([[1, 3], [-2, 0.5]]), name: "w2")
    let w3 = Variable(Tensor([7]), name: "w3")
    var log: [String] = []
    var reported: [Int: Tensor] = [:]
    let (_, gradients, _) = try valueWithSparseGradient(
      for: [w1, w2, w3],
      finished: { index, gradient in
        log.append("w\(index + 1)")
        #expect(reported[index] == nil, "w\(index + 1) reported twice")
        reported[index] = gradient
      }
    ) {
      let hidden = try x.matmul(w1.value)
      let marked = hidden.recorded(from: hidden) { gradient in
        log.append("marker")
        return gradient
      }
      return try (marked * w2.value).sum() + (w2.value * 2).sum()
    }
    return (log, reported, gradients)
  }

  @Test("a gradient is reported once its last use in the pass is behind, later layers first")
  func order() throws {
    let (log, _, _) = try run()
    #expect(log == ["w2", "marker", "w1"])
  }

  @Test("a reported gradient is the complete one the call returns, uses summed; an unused variable is not reported")
  func completeGradients() throws {
    let (_, reported, gradients) = try run()
    #expect(reported.keys.sorted() == [0, 1])
    #expect(reported[0] == gradients[0])
    #expect(reported[1] == gradients[1])
    // d/dw2 = x·w1 + 2 = [[4.5, 1], [-0.5, -4]] + 2; d/dw1 = xᵀ·w2 = [[-5, 4.5], [4, 5.5]] (NumPy).
    #expect(gradients[1] == Tensor([[6.5, 3], [1.5, -2]]))
    #expect(gradients[0] == Tensor([[-5, 4.5], [4, 5.5]]))
    #expect(gradients[2] == Tensor([0]))
  }
}
