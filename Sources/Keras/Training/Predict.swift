extension Model {
  /// Predictions for `x` in batches of `batchSize`, in inference mode (`model.predict`).
  ///
  /// `verbose` 1 shows Keras' progress bar (as Keras' default), 0 nothing.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for a batch size of 0, no samples, or a NaN or
  ///   infinity in `x` (naming the row).
  public func predict(_ x: Tensor, batchSize: Int = 32, verbose: Int = 1, callbacks: [any Callback] = []) throws -> Tensor {
    let outputs = try predict([x], batchSize: batchSize, verbose: verbose, callbacks: callbacks)
    return outputs[0]
  }

  /// Predictions of a model with several inputs (one tensor per input, in ``Model/inputs`` order)
  /// or several outputs: one tensor per output, in ``Model/outputs`` order.
  ///
  /// - Throws: as ``predict(_:batchSize:verbose:callbacks:)``, and when the inputs' count or
  ///   numbers of rows differ from the model's.
  public func predict(_ x: [Tensor], batchSize: Int = 32, verbose: Int = 1, callbacks: [any Callback] = []) throws
    -> [Tensor]
  {
    guard batchSize > 0 else { throw KerasError.invalidArgument("predict: batchSize must be positive, got \(batchSize)") }
    guard x.count == inputCount else {
      throw KerasError.invalidArgument(
        "predict: model '\(name)' takes \(inputCount) inputs (\(inputNames.joined(separator: ", "))), got \(x.count)")
    }
    for (i, input) in x.enumerated() {
      let label = x.count == 1 ? "x" : "x[\(i)]"
      guard input.rank >= 1, input.shape[0] > 0 else {
        throw KerasError.invalidArgument("predict: the input of shape \(input.shape) holds no samples")
      }
      guard input.shape[0] == x[0].shape[0] else {
        throw KerasError.invalidArgument(
          "predict: the inputs hold different numbers of samples: \(x.map { "\($0.shape)" }.joined(separator: ", "))")
      }
      try TrainingData.checkFinite(input, name: label, action: "predict")
    }
    let n = x[0].shape[0]
    let steps = (n + batchSize - 1) / batchSize
    let hooks = CallbackList(
      callbacks + (verbose > 0 ? [ProgressBar()] : []), model: self,
      params: TrainingParams(epochs: 1, steps: steps, verbose: verbose))
    hooks.each { $0.onPredictBegin(Logs()) }
    var batches: [[Tensor]] = []
    for step in 0..<steps {
      hooks.each { $0.onPredictBatchBegin(step, Logs()) }
      let range = (step * batchSize)..<Swift.min((step + 1) * batchSize, n)
      let inputs = try x.map { try $0.slice(axis: 0, range) }
      if inputs.count == 1 {
        batches.append(outputCount == 1 ? [try self(inputs[0], training: false)] : try self(inputs, training: false))
      } else {
        batches.append(try self(inputs, training: false))
      }
      hooks.each { $0.onPredictBatchEnd(step, Logs()) }
    }
    hooks.each { $0.onPredictEnd(Logs()) }
    return try (0..<batches[0].count).map { output in
      let parts = batches.map { $0[output] }
      return parts.count == 1 ? parts[0] : try Tensor.concatenate(parts, axis: 0)
    }
  }
}
