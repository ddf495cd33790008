/// The value of `f` at `x` and the gradient of its sum with respect to `x`.
///
/// `f` may return a tensor of any shape; its gradient is seeded with ones, as
/// `tf.GradientTape` does, so for a scalar loss this is the ordinary gradient.
///
/// ```swift
/// let (y, dy) = try valueWithGradient(at: Tensor([1, 2, 3])) { x in (x * x).sum() }
/// // y = 14, dy = [2, 4, 6]
/// ```
/// - Throws: whatever `f` throws.
public func valueWithGradient(at x: Tensor, of f: (Tensor) throws -> Tensor) throws -> (
  value: Tensor, gradient: Tensor
) {
  let (value, grads) = try valueWithGradient(at: [x]) { try f($0[0]) }
  return (value, grads[0])
}

/// The value of `f` and the gradients of its sum with respect to each of `xs`.
///
/// An input that `f` does not use gets a zero gradient of its own shape.
public func valueWithGradient(at xs: [Tensor], of f: ([Tensor]) throws -> Tensor) throws -> (
  value: Tensor, gradients: [Tensor]
) {
  let tape = Tape()
  return try Tape.with(tape) {
    let watched = xs.map { tape.watch($0) }
    let value = try f(watched)
    let grads = try tape.backward(from: value, seed: .ones(like: value))
    let gradients = zip(xs, watched).map { x, w in grads[w.tapeNode] ?? .zeros(like: x) }
    return (value.detached(), gradients)
  }
}

/// The gradient of the sum of `f(x)` with respect to `x`.
public func gradient(at x: Tensor, of f: (Tensor) throws -> Tensor) throws -> Tensor {
  try valueWithGradient(at: x, of: f).gradient
}

/// The value of `f` and the gradients of its sum with respect to `variables`, in their order.
///
/// Reading ``Variable/value`` inside `f` is what connects the result to a variable.
/// ```swift
/// let w = Variable(Tensor([[0.5], [-1]]), name: "kernel")
/// let (loss, grads) = try valueWithGradient(for: [w]) { try (x.matmul(w.value) - y).square().mean() }
/// ```
public func valueWithGradient(for variables: [Variable], of f: () throws -> Tensor) throws -> (
  value: Tensor, gradients: [Tensor]
) {
  let (value, gradients, _) = try valueWithSparseGradient(for: variables, of: f)
  return (value, gradients)
}

/// ``valueWithGradient(for:of:)`` that also returns, per variable, the row slices its gradient
/// sums when it came only from gathers (TensorFlow's IndexedSlices), else nil. `finished`, when
/// given, is called during the backward pass with each variable's index and gradient as soon as
/// that gradient is complete (a variable `f` does not use is not reported; its gradient is zero).
package func valueWithSparseGradient(
  for variables: [Variable], finished: ((Int, Tensor) throws -> Void)? = nil, of f: () throws -> Tensor
) throws -> (value: Tensor, gradients: [Tensor], sparse: [[SparseRows]?]) {
  let tape = Tape()
  return try Tape.with(tape) {
    var leaves: [Int] = []
    for variable in variables {
      let node = tape.watch(variable.storedValue).tapeNode
      tape.watchedVariables[ObjectIdentifier(variable)] = node
      leaves.append(node)
    }
    let value = try f()
    let indices = Dictionary(leaves.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a })
    let report = finished.map { report in
      { (leaf: Int, gradient: Tensor) throws in if let index = indices[leaf] { try report(index, gradient) } }
    }
    let grads = try tape.backward(from: value, seed: .ones(like: value), finished: report)
    let gradients = zip(variables, leaves).map { variable, node in grads[node] ?? .zeros(like: variable.storedValue) }
    return (value.detached(), gradients, leaves.map { tape.sparseGradient(of: $0) })
  }
}

extension Tensor {
  /// This tensor cut off from the tape: gradients do not flow through it (`tf.stop_gradient`).
  public func detached() -> Tensor {
    Tensor(shape: shape, storage: storage)
  }
}
