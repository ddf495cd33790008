import Dispatch
import Synchronization
import Testing

@testable import TensorCore

@Suite("Tape")
struct TapeTests {
  @Test("an input the closure ignores gets a zero gradient of its shape")
  func ignoredInput() throws {
    let (_, gradients) = try valueWithGradient(at: [Tensor([1, 2, 3]), Tensor([[1, 2], [3, 4]])]) { xs in
      xs[0].square().sum()
    }
    #expect(gradients == [Tensor([2, 4, 6]), .zeros([2, 2])])
  }

  @Test("a result that does not depend on the input gives a zero gradient")
  func constantResult() throws {
    let (value, gradient) = try valueWithGradient(at: Tensor([1, 2])) { _ in Tensor([5, 6, 7]).sum() }
    #expect(value == Tensor(18))
    #expect(gradient == .zeros([2]))
  }

  @Test("a non-scalar result is seeded with ones, as tf.GradientTape")
  func nonScalarSeed() throws {
    let dx = try gradient(at: Tensor([[1, 2], [3, 4]])) { x in x * 3 }
    #expect(dx == .full([2, 2], 3))
  }

  @Test("detached() stops gradients")
  func detachedStopsGradients() throws {
    let x = Tensor([1, -2, 3])
    let throughOneFactor = try gradient(at: x) { x in try x * x.detached() }
    #expect(throughOneFactor == x)
    let throughNone = try gradient(at: x) { x in x.detached().exp().sum() }
    #expect(throughNone == .zeros([3]))
  }

  @Test("gradients accumulate over a tensor used more than once")
  func accumulation() throws {
    let x = Tensor([1, -2, 3])
    #expect(try gradient(at: x) { x in try x * x } == Tensor([2, -4, 6]))
    #expect(try gradient(at: x) { x in try x + x * 2 + x.exp().log() } == Tensor([4, 4, 4]))
  }

  @Test("a nested valueWithGradient does not interfere with the outer one")
  func nestedGradients() throws {
    let x = Tensor([1, 2, 3])
    let y = Tensor([0.5, -1, 2])
    var inner: (value: Tensor, gradient: Tensor)?
    let outer = try valueWithGradient(at: x) { x in
      let squared = try x * x
      // The outer tensor is a constant to the inner tape.
      inner = try valueWithGradient(at: y) { y in try (y * y * y).sum() + (y * x).sum() }
      return (squared * 2).sum()
    }
    let (innerValue, innerGradient) = try #require(inner)
    #expect(innerValue.isAlmostEqual(to: Tensor(0.125 - 1 + 8 + 0.5 - 2 + 6)))
    #expect(innerGradient.isAlmostEqual(to: Tensor([0.75 + 1, 3 + 2, 12 + 3])))
    #expect(outer.value == Tensor(28))
    #expect(outer.gradient == Tensor([4, 8, 12]))
    #expect(Tape.current == nil)
  }

  @Test("gradients taken concurrently on several threads are each correct")
  func concurrentGradients() throws {
    let kernel = Tensor.randomUniform([4, 2], min: -1, max: 1, seed: 1)
    let inputs = (0..<8).map { Tensor.randomUniform([3, 4], min: -1, max: 1, seed: UInt64(10 + $0)) }
    let results = Mutex<[Int: Tensor]>([:])
    DispatchQueue.concurrentPerform(iterations: inputs.count) { i in
      var gradient: Tensor?
      for _ in 0..<20 {
        gradient = try? TensorCore.gradient(at: inputs[i]) { x in
          try x.matmul(kernel).sum() + (x * x).sum() * Float(i)
        }
      }
      results.withLock { $0[i] = gradient }
    }
    let concurrent = results.withLock { $0 }
    for (i, x) in inputs.enumerated() {
      // d/dx [sum(x·K) + i·sum(x²)] = (row sums of K) + 2i·x
      let expected = try kernel.sum(axis: 1) + x * Float(2 * i)
      let got = try #require(concurrent[i], "thread \(i) threw")
      #expect(got.isAlmostEqual(to: expected), "thread \(i): \(got), expected \(expected)")
    }
  }

  @Test("a Variable read outside a gradient is not recorded")
  func variableReadOutside() throws {
    let weight = Variable(Tensor([1, 2, 3]))
    let readBefore = weight.value
    #expect(readBefore.tapeID == 0)
    let stale = try valueWithGradient(for: [weight]) { try (readBefore * readBefore).sum() }
    #expect(stale.gradients == [.zeros([3])])
    let live = try valueWithGradient(for: [weight]) { try (weight.value * weight.value).sum() }
    #expect(live.gradients == [Tensor([2, 4, 6])])
    #expect(weight.value.tapeID == 0)
  }

  @Test("a gather from a watched tensor does not keep its tape alive")
  func gatherReleasesTape() throws {
    weak var released: Tape?
    try {
      let tape = Tape()
      released = tape
      try Tape.with(tape) {
        let table = tape.watch(Tensor([[1, 2], [3, 4]]))
        _ = try table.gathering(IntTensor([1, 0]))
      }
    }()
    #expect(released == nil)
  }

  @Test("a Variable not being differentiated is a constant")
  func undifferentiatedVariable() throws {
    let weight = Variable(Tensor([1, 2, 3]))
    let scale = Variable(Tensor([4, 5, 6]))
    let (_, gradients) = try valueWithGradient(for: [weight]) { try (weight.value * scale.value).sum() }
    #expect(gradients == [Tensor([4, 5, 6])])
  }
}
