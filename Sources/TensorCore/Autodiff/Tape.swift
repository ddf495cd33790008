#if canImport(Glibc)
  import Glibc
#endif
import Synchronization

/// The record of operations taken while a gradient is computed: one node per recorded
/// result, holding the node indices of its inputs and the pullback that maps the
/// result's gradient to its inputs' gradients.
///
/// A tape is current on one thread only, so tests and threads may differentiate concurrently.
final class Tape {
  typealias Pullback = (Tensor) throws -> [Tensor?]

  struct Node {
    let parents: [Int]
    let pullback: Pullback?
  }

  private static let nextID = Atomic<Int>(1)
  private static let key: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
  }()

  let id: Int
  private(set) var nodes: [Node] = []
  /// Leaf nodes of the variables being differentiated, by identity.
  var watchedVariables: [ObjectIdentifier: Int] = [:]
  /// Per leaf, the row slices that gathers from it sent back (TensorFlow's IndexedSlices).
  var sparseRows: [Int: [SparseRows]] = [:]
  /// Per leaf, how many gradients arrived in the last ``backward(from:seed:)``.
  private(set) var leafContributions: [Int: Int] = [:]

  init() { id = Tape.nextID.add(1, ordering: .relaxed).oldValue }

  /// The tape recording on this thread, if any.
  static var current: Tape? {
    get {
      guard let raw = pthread_getspecific(key) else { return nil }
      return Unmanaged<Tape>.fromOpaque(raw).takeUnretainedValue()
    }
    set {
      if let old = pthread_getspecific(key) { Unmanaged<Tape>.fromOpaque(old).release() }
      pthread_setspecific(key, newValue.map { Unmanaged.passRetained($0).toOpaque() })
    }
  }

  /// Runs `body` with `tape` current on this thread, restoring the previous one after.
  static func with<R>(_ tape: Tape?, _ body: () throws -> R) rethrows -> R {
    let previous = current
    current = tape
    defer { current = previous }
    return try body()
  }

  /// The node of `tensor` on this tape, or -1 when it was not recorded here.
  @inline(__always)
  func node(of tensor: Tensor) -> Int { tensor.tapeID == id ? tensor.tapeNode : -1 }

  /// Adds a leaf (an input being differentiated) and returns `tensor` marked with it.
  func watch(_ tensor: Tensor) -> Tensor {
    var marked = tensor
    marked.tapeID = id
    marked.tapeNode = nodes.count
    nodes.append(Node(parents: [], pullback: nil))
    return marked
  }

  /// Records `result` as computed from `parents` by an op with `pullback`.
  func record(_ result: inout Tensor, parents: [Int], pullback: @escaping Pullback) {
    result.tapeID = id
    result.tapeNode = nodes.count
    nodes.append(Node(parents: parents, pullback: pullback))
  }

  /// The row slices leaf `node`'s gradient is the sum of, when every gradient it received in the
  /// last ``backward(from:seed:)`` came from gathers; nil when any part was dense.
  func sparseGradient(of node: Int) -> [SparseRows]? {
    guard let rows = sparseRows[node], rows.count == leafContributions[node] else { return nil }
    return rows
  }

  /// Gradients of `output` (seeded with `seed`) with respect to every node up to it.
  ///
  /// `finished`, when given, is called with each leaf and its gradient as soon as that gradient
  /// is complete: once the pass is below every node that reads the leaf, last readers first. Work
  /// on it (sending it to other processes) then overlaps the rest of the pass.
  func backward(
    from output: Tensor, seed: Tensor, finished: ((Int, Tensor) throws -> Void)? = nil
  ) throws -> [Tensor?] {
    sparseRows = [:]
    leafContributions = [:]
    var grads = [Tensor?](repeating: nil, count: nodes.count)
    let start = node(of: output)
    guard start >= 0 else { return grads }
    grads[start] = seed
    // For each node, the leaves it is the first reader of (the last one the pass reaches).
    var finishedAt: [Int: [Int]] = [:]
    if finished != nil {
      var firstReader: [Int: Int] = [:]
      for i in 0...start {
        for parent in nodes[i].parents where parent >= 0 && nodes[parent].pullback == nil {
          if firstReader[parent] == nil { firstReader[parent] = i }
        }
      }
      for (leaf, reader) in firstReader { finishedAt[reader, default: []].append(leaf) }
    }
    try Tape.with(nil) {
      for i in stride(from: start, through: 0, by: -1) {
        if let pullback = nodes[i].pullback, let g = grads[i] {
          grads[i] = nil  // intermediate gradients are not kept
          let inputGrads = try pullback(g)
          for (parent, inputGrad) in zip(nodes[i].parents, inputGrads) where parent >= 0 {
            guard let inputGrad else { continue }
            if nodes[parent].pullback == nil { leafContributions[parent, default: 0] += 1 }
            if let existing = grads[parent] {
              grads[parent] = try existing + inputGrad
            } else {
              grads[parent] = inputGrad
            }
          }
        }
        if let finished, let leaves = finishedAt[i] {
          for leaf in leaves.sorted() { if let g = grads[leaf] { try finished(leaf, g) } }
        }
      }
    }
    return grads
  }
}

extension Tensor {
  /// Records a one-input op on the current tape when `x` is being differentiated.
  @inline(__always)
  func recorded(from x: Tensor, pullback: @escaping (Tensor) throws -> Tensor) -> Tensor {
    guard let tape = Tape.current else { return self }
    let node = tape.node(of: x)
    guard node >= 0 else { return self }
    var result = self
    tape.record(&result, parents: [node]) { [try pullback($0)] }
    return result
  }

  /// Records a two-input op; the pullback returns a gradient per input (or nil when not needed).
  @inline(__always)
  func recorded(
    from a: Tensor, _ b: Tensor, pullback: @escaping (Tensor) throws -> (Tensor?, Tensor?)
  ) -> Tensor {
    guard let tape = Tape.current else { return self }
    let na = tape.node(of: a)
    let nb = tape.node(of: b)
    guard na >= 0 || nb >= 0 else { return self }
    var result = self
    tape.record(&result, parents: [na, nb]) {
      let (ga, gb) = try pullback($0)
      return [ga, gb]
    }
    return result
  }

  /// Records an op over any number of inputs; the pullback returns one gradient per input.
  func recorded(from inputs: [Tensor], pullback: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
    guard let tape = Tape.current else { return self }
    let parents = inputs.map { tape.node(of: $0) }
    guard parents.contains(where: { $0 >= 0 }) else { return self }
    var result = self
    tape.record(&result, parents: parents, pullback: pullback)
    return result
  }

  /// The current tape and this tensor's node on it when the tensor is a leaf being
  /// differentiated (a watched input or variable), else nil.
  var recordedLeaf: (tape: Tape, node: Int)? {
    guard let tape = Tape.current else { return nil }
    let node = tape.node(of: self)
    guard node >= 0, tape.nodes[node].pullback == nil else { return nil }
    return (tape, node)
  }

  /// Whether this tensor is being differentiated on this thread's current tape.
  var isRecorded: Bool {
    guard let tape = Tape.current else { return false }
    return tape.node(of: self) >= 0
  }
}
