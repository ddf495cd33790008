import HDF5

/// The optimizer state of a legacy whole-model `.h5` file: the `optimizer_weights` group Keras 3
/// and tf.keras 2 write beside `model_weights`, whose `weight_names` attribute lists the
/// datasets in `optimizer.variables` order. Keras 3 names them by variable path
/// (`adam/iteration`, `adam/learning_rate`, `adam/sequential_dense_kernel_momentum`, ...);
/// tf.keras 2 (`iteration:0`, `Adam/m/dense/kernel:0`, ...) keeps no `learning_rate`.
///
/// Read only: SwiftKeras' own `.h5` files leave the group out, because Keras 3.15 cannot keep
/// training a model loaded from an `.h5` file that has it (its loader builds the optimizer
/// for the model's own variables only, which a `Sequential` has none of, and the first `fit`
/// fails with "Unknown variable"; its own files have the same problem). `.keras` files carry
/// the optimizer state both ways.
///
/// Loading follows Keras' `optimizer.set_weights`: the values are assigned to the optimizer's
/// variables in order (extra values are ignored, missing ones leave the variables as they
/// are) until a shape differs; then Keras prints a warning and training goes on with what was
/// assigned (for a tf.keras 2 file: its step count, the rest fresh), and so does this. Keras
/// 3.15 itself gets only `iteration` and `learning_rate` back from its own files (its optimizer
/// has no slots yet when it assigns them); SwiftKeras restores the slots as well.
enum LegacyOptimizerWeightsH5 {
  /// The group below the file's root.
  static let groupName = "optimizer_weights"

  /// Reads the state in `file` (when it has an `optimizer_weights` group) and restores it into
  /// `model`'s optimizer as Keras' `set_weights` does: the values before the first shape
  /// mismatch are assigned, then Keras' warning is printed; unreadable data throws as any
  /// damaged file does.
  static func restore(from file: WeightsFileReader, into model: Model) throws {
    guard let optimizer = model.optimizer, let group = try file.groupIfPresent(groupName) else { return }
    let names = try file.stringList("weight_names", of: group)
    var values: [Tensor] = []
    var iterationCount: Double? = nil
    for name in names {
      let dataset = try file.reading { try group.dataset(name) }
      let scalars = try file.reading { try dataset.read(as: Double.self) }
      if values.isEmpty, scalars.count == 1 { iterationCount = scalars[0] }
      values.append(try Tensor(shape: dataset.shape, scalars: scalars.map { Float($0) }))
    }
    if !optimizer.isBuilt { optimizer.build(model.trainableWeights) }
    // As `set_weights`: assign in order until a shape differs, then warn.
    var current = optimizer.variablesForSaving.map(\.value)
    let mismatch = zip(current.indices, values).first { current[$0.0].shape != $0.1.shape }
    let assigned = mismatch?.0 ?? min(current.count, values.count)
    for index in 0..<assigned { current[index] = values[index] }
    do {
      try optimizer.loadVariables(current)
      if assigned > 0, let exact = iterationCount, exact >= 0, exact < 0x1p62, exact == exact.rounded() {
        optimizer.iterations = Int(exact)  // the float32 copy above is exact only up to 2^24
      }
    } catch {
      warn(file.path, "\(error)")
      return
    }
    if let (index, value) = mismatch {
      warn(
        file.path,
        "optimizer variable \(index) has shape \(current[index].shape), the file's '\(names[index])' has \(value.shape)")
    }
  }

  private static func warn(_ file: String, _ reason: String) {
    FileHandleOutput.standardError(
      "Warning: error in loading the saved optimizer state of '\(file)' (\(reason)). As a result, your "
        + "model is starting with a freshly initialized optimizer.\n")
  }
}
