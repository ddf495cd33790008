// An optimizer's state as Keras saves it (`optimizer.variables`), and its restoring.

extension Optimizer {
  private enum StateEntry {
    case iteration, learningRate
    case slot(variable: Int, slot: Int)
    case shared(Int)
  }

  /// Keras' `optimizer.variables`: `iteration`, `learning_rate` (unless a schedule drives it), then
  /// once built the slots group by group, variable by variable, then the shared state.
  private var stateEntries: [(name: String, shape: [Int], entry: StateEntry)] {
    var entries: [(name: String, shape: [Int], entry: StateEntry)] = [("iteration", [], .iteration)]
    if case .constant = learningRate { entries.append(("learning_rate", [], .learningRate)) }
    guard isBuilt else { return entries }
    var offset = 0
    for group in slotGroups {
      for (v, variable) in trainableVariables.enumerated() {
        for (j, slot) in group.enumerated() {
          entries.append(("\(variable.name)_\(slot.name)", variable.shape, .slot(variable: v, slot: offset + j)))
        }
      }
      offset += group.count
    }
    for (k, state) in sharedState.enumerated() { entries.append((state.name, [], .shared(k))) }
    return entries
  }

  /// The optimizer's state in Keras' `optimizer.variables` order, for saving: `iteration` (the step
  /// count as a scalar, exact up to 2²⁴ steps; Keras stores it as int64), `learning_rate` when it is
  /// a constant, then once built each slot as `<variable name>_<slot name>` (Keras orders them by
  /// slot group, then variable), then shared state such as Nadam's `u_product` (named `variable`).
  public var variablesForSaving: [(name: String, value: Tensor)] {
    stateEntries.map { entry in
      switch entry.entry {
      case .iteration: return (entry.name, Tensor(Float(iterations)))
      case .learningRate: return (entry.name, Tensor(learningRate.value(at: iterations)))
      case .slot(let v, let k): return (entry.name, slotTensor(variable: v, slot: k))
      case .shared(let k): return (entry.name, Tensor(sharedState[k].value))
      }
    }
  }

  /// Restores state saved from ``variablesForSaving`` (Keras' `load_own_variables`): same count,
  /// order and shapes. Call ``build(_:)`` with the same variables first so the slots exist.
  ///
  /// - Throws: ``KerasError/weightMismatch(_:)`` naming the expected variables when the count or a
  ///   shape differs, or the iteration is not a non-negative integer, before anything changes.
  public func loadVariables(_ values: [Tensor]) throws {
    let entries = stateEntries
    guard values.count == entries.count else {
      let hint = isBuilt ? "" : "; build(_:) the optimizer with the model's trainable variables first"
      throw KerasError.weightMismatch(
        "optimizer '\(name)': expected \(entries.count) variables (\(entries.map(\.name).joined(separator: ", "))), "
          + "got \(values.count)\(hint)")
    }
    for (entry, value) in zip(entries, values) where value.shape != entry.shape {
      throw KerasError.weightMismatch(
        "optimizer '\(name)': variable '\(entry.name)' has shape \(entry.shape), got \(value.shape)")
    }
    let iteration = values[0].scalar
    guard iteration >= 0, iteration == iteration.rounded(), iteration < 0x1p62 else {
      throw KerasError.weightMismatch("optimizer '\(name)': iteration must be a non-negative integer, got \(iteration)")
    }
    for (entry, value) in zip(entries, values) {
      switch entry.entry {
      case .iteration: iterations = Int(iteration)
      case .learningRate: learningRate = .constant(value.scalar)
      case .slot(let v, let k):
        value.withUnsafeBufferPointer { source in
          slotStorage[v].withUnsafeMutableBufferPointer { storage in
            _ = UnsafeMutableBufferPointer(rebasing: storage[k * source.count..<(k + 1) * source.count])
              .initialize(from: source)
          }
        }
      case .shared(let k): sharedState[k].value = value.scalar
      }
    }
  }
}
