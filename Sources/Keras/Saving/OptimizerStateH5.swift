import HDF5

/// The optimizer section of a Keras 3 `.weights.h5` file: `optimizer/vars` with the optimizer's
/// `name` attribute and Keras' `optimizer.variables` as datasets `0`, `1`, ...: `iteration`
/// (int64), `learning_rate` (unless a schedule drives it), then the slots (Adam: momentum and
/// velocity of each trainable variable in turn), then shared state such as Nadam's `u_product`.
enum OptimizerStateH5 {
  /// The group of the optimizer's state, below the root.
  static let path = "optimizer/vars"

  /// Writes `optimizer`'s state (``Optimizer/variablesForSaving``) under `root`.
  static func write(_ optimizer: Optimizer, to root: HDF5Group) throws {
    let group = try root.createGroup(path)
    try group.setAttribute("name", to: optimizer.name)
    for (index, entry) in optimizer.variablesForSaving.enumerated() {
      if index == 0 {
        // Keras' `iteration` is an int64 variable; write the exact count.
        try group.createDataset("0", scalar: Int64(optimizer.iterations))
      } else {
        try group.createDataset("\(index)", shape: entry.value.shape, values: entry.value.scalars)
      }
    }
  }

  /// State read from a file and checked against an optimizer, ready to restore.
  struct Pending {
    let optimizer: Optimizer
    /// The variables to build the optimizer for first, when its slots do not exist yet.
    let buildFor: [Variable]?
    /// The values in ``Optimizer/variablesForSaving`` order (the iteration as a float).
    let values: [Tensor]
    /// The exact step count.
    let iterations: Int

    /// Builds the optimizer if needed and restores the state.
    func restore() throws {
      if let buildFor { optimizer.build(buildFor) }
      try optimizer.loadVariables(values)
      optimizer.iterations = iterations
    }
  }

  /// Reads the state in `group` (an `optimizer/vars` group) and checks it fits `optimizer`,
  /// which will be built for `trainableVariables` when the file holds slots it does not have yet.
  /// Returns nil when the file holds the state of an optimizer that had not run (no slots) but
  /// `optimizer` has: there is nothing to restore, and Keras skips it too.
  ///
  /// - Throws: ``SavingError/optimizerMismatch(file:optimizer:expected:reason:)`` when the count
  ///   or a shape differs or the iteration is not a non-negative integer.
  static func read(
    _ group: HDF5Group, from file: WeightsFileReader, for optimizer: Optimizer, trainableVariables: [Variable]
  ) throws -> Pending? {
    let count = try file.reading { try group.names().count }
    var expected = optimizer.variablesForSaving.map { (name: $0.name, shape: $0.value.shape) }
    var buildFor: [Variable]? = nil
    // Before it runs, an optimizer saves `iteration` and, for a constant rate, `learning_rate`.
    var unbuiltCount = 1
    if case .constant = optimizer.learningRate { unbuiltCount = 2 }
    if optimizer.isBuilt, count == unbuiltCount, expected.count != unbuiltCount { return nil }
    if !optimizer.isBuilt, count != expected.count {
      expected = builtLayout(of: optimizer, for: trainableVariables)
      buildFor = trainableVariables
    }
    func mismatch(_ reason: String) -> SavingError {
      .optimizerMismatch(file: file.path, optimizer: optimizer.name, expected: expected.map(\.name), reason: reason)
    }
    guard count == expected.count else {
      throw mismatch("the file holds \(count) optimizer variables, the optimizer has \(expected.count)")
    }
    var values: [Tensor] = []
    var iterations = 0
    for (index, entry) in expected.enumerated() {
      let dataset = try file.reading { try group.dataset("\(index)") }
      guard dataset.shape == entry.shape else {
        throw mismatch(
          "variable \(index) ('\(entry.name)') has shape \(entry.shape) in the optimizer but \(dataset.shape) in the file"
        )
      }
      if index == 0 {
        let iteration = try file.reading { try dataset.readScalar(as: Double.self) }
        guard iteration >= 0, iteration == iteration.rounded(), iteration < 0x1p62 else {
          throw mismatch("the iteration count \(iteration) is not a non-negative integer")
        }
        iterations = Int(iteration)
        values.append(Tensor(Float(iterations)))
      } else {
        values.append(try Tensor(shape: entry.shape, scalars: try file.reading { try dataset.read(as: Float.self) }))
      }
    }
    return Pending(optimizer: optimizer, buildFor: buildFor, values: values, iterations: iterations)
  }

  /// The names and shapes ``Optimizer/variablesForSaving`` will have once `optimizer` is built
  /// for `variables`, worked out without building it (so a failed load leaves it untouched):
  /// `iteration`, `learning_rate` for a constant rate, the slots group by group and variable by
  /// variable, then the shared state.
  static func builtLayout(of optimizer: Optimizer, for variables: [Variable]) -> [(name: String, shape: [Int])] {
    var layout: [(name: String, shape: [Int])] = [("iteration", [])]
    if case .constant = optimizer.learningRate { layout.append(("learning_rate", [])) }
    for group in optimizer.slotGroups {
      for variable in variables {
        for slot in group { layout.append(("\(variable.name)_\(slot.name)", variable.shape)) }
      }
    }
    for state in optimizer.sharedState { layout.append((state.name, [])) }
    return layout
  }
}
