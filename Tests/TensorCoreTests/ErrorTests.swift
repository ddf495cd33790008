import Testing

@testable import TensorCore

@Suite("Bad input throws errors naming the shapes")
struct ErrorTests {
  let a = Tensor.ones([2, 3])
  let b = Tensor.ones([4, 5])

  @Test("broadcasting mismatched shapes names both")
  func broadcastMismatch() {
    #expect(throws: TensorError.incompatibleShapes(operation: "add", [2, 3], [4, 5])) { try a + b }
    #expect { try a * Tensor.ones([2]) } throws: { "\($0)" == "multiply: incompatible shapes [2, 3] and [2]" }
  }

  @Test("matmul with mismatched inner dimensions names both shapes")
  func matmulMismatch() {
    #expect { try a.matmul(b) } throws: { "\($0)" == "matmul: incompatible shapes [2, 3] and [4, 5]" }
    #expect(throws: TensorError.self) { try Tensor.ones([3]).matmul(a) }
  }

  @Test("an axis out of range names the axis and the shape")
  func badAxis() {
    #expect { try a.sum(axes: [2]) } throws: {
      "\($0)" == "sum: axis 2 is out of range for a tensor of shape [2, 3] (rank 2)"
    }
    #expect(throws: TensorError.self) { try a.softmax(axis: -3) }
    #expect(throws: TensorError.self) { try a.sum(axes: [0, -2]) }  // repeated
    #expect(throws: TensorError.self) { try a.argmax(axis: 5) }
    #expect(throws: TensorError.self) { try Tensor.concatenate([a, a], axis: 2) }
  }

  @Test("reshape to a different element count names both shapes")
  func badReshape() {
    #expect(throws: TensorError.incompatibleShapes(operation: "reshape", [2, 3], [4, -1])) { try a.reshaped(to: [4, -1]) }
    #expect(throws: TensorError.self) { try a.reshaped(to: [-1, -1]) }
  }

  @Test("creating a tensor from the wrong number of scalars names the shape and the counts")
  func badCount() {
    #expect(throws: TensorError.countMismatch(operation: "Tensor(shape:scalars:)", expected: 6, got: 5, shape: [2, 3])) {
      try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5])
    }
  }

  @Test("other shape ops reject bad arguments")
  func shapeOps() {
    #expect(throws: TensorError.self) { try a.permuted([0, 0]) }
    #expect(throws: TensorError.self) { try a.squeezing(axes: [0]) }
    #expect(throws: TensorError.self) { try a.slice(axis: 1, 2..<4) }
    #expect(throws: TensorError.self) { try a.split(count: 2, axis: 1) }
    #expect(throws: TensorError.self) { try a.split(sizes: [1, 1], axis: 1) }
    #expect(throws: TensorError.self) { try Tensor.stack([a, b]) }
    #expect(throws: TensorError.self) { try Tensor.concatenate([a, b], axis: 0) }
    #expect(throws: TensorError.self) { try a.broadcast(to: [3, 3]) }
    #expect(throws: TensorError.self) { try Tensor.concatenate([]) }
    #expect(throws: TensorError.self) { try Tensor.arange(0, 1, step: 0) }
  }

  @Test("gather with an index out of range names the index and the shape")
  func badGather() {
    #expect { try a.gathering(IntTensor([0, 2])) } throws: {
      "\($0)" == "gather: index 2 at position 1 is out of range 0..<2 for axis 0 of shape [2, 3]"
    }
  }

  @Test("converting NaN to integers names the element")
  func badIntConversion() {
    #expect(throws: TensorError.self) { try IntTensor(Tensor([1, .nan])) }
  }

  @Test("a failed op leaves its operands unchanged")
  func operandsUnchanged() {
    var x = Tensor([1, 2, 3])
    let copy = x
    #expect(throws: TensorError.self) { x = try x + Tensor([1, 2]) }
    #expect(x == copy)
  }
}
