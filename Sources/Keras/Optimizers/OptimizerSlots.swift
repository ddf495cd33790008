/// One kind of per-variable optimizer state (a "slot"): its Keras name and starting value.
public struct OptimizerSlot: Sendable, Equatable {
  /// Keras' name (`"momentum"`, `"velocity"`); the saved variable is `<variable name>_<name>`.
  public let name: String
  /// The value every element starts at (Keras' initializer: zeros, or a constant for Adagrad).
  public let initialValue: Float

  /// A slot named `name` starting at `initialValue`.
  public init(_ name: String, initialValue: Float = 0) {
    self.name = name
    self.initialValue = initialValue
  }
}

/// The state of one variable during an update: a buffer per slot, in ``Optimizer/slotNames`` order,
/// each as long as the variable.
public struct SlotBuffers {
  let storage: UnsafeMutableBufferPointer<Float>
  /// The number of elements of the variable, and of each slot.
  public let count: Int
  /// When the gradient came as row slices (an Embedding's, TensorFlow's `IndexedSlices`), per
  /// element the sum over the slices of the optimizer's ``Optimizer/sparseGradientStatistic``
  /// (squares or absolute values), which Keras on TensorFlow uses in place of `g²` or `|g|`;
  /// nil for a dense gradient.
  public let sparseStatistic: UnsafeBufferPointer<Float>?

  init(storage: UnsafeMutableBufferPointer<Float>, count: Int, sparseStatistic: UnsafeBufferPointer<Float>? = nil) {
    self.storage = storage
    self.count = count
    self.sparseStatistic = sparseStatistic
  }

  /// The buffer of the slot at `index` in ``Optimizer/slotNames``.
  public subscript(index: Int) -> UnsafeMutableBufferPointer<Float> {
    UnsafeMutableBufferPointer(rebasing: storage[index * count..<(index + 1) * count])
  }
}

extension Optimizer {
  /// The slots of every variable (copies), per variable in ``Optimizer/slotNames`` order.
  public var slots: [[Tensor]] {
    trainableVariables.indices.map { v in slotNames.indices.map { slotTensor(variable: v, slot: $0) } }
  }

  func slotTensor(variable v: Int, slot k: Int) -> Tensor {
    let shape = trainableVariables[v].shape
    return slotStorage[v].withUnsafeBufferPointer { storage in
      let count = shape.reduce(1, *)
      return Tensor(shape: shape) { out in
        _ = out.initialize(from: storage[k * count..<(k + 1) * count])
      }
    }
  }
}
