// What the losses share: Keras' shape alignment of labels and predictions, the mean over the
// last axis, the logits of a sigmoid/softmax output, and the config schema.

extension Losses {
  /// Keras' fuzz factor (`keras.backend.epsilon()`): the clipping bound of the losses.
  static let epsilon: Float = 1e-7
}

extension Loss {
  /// Labels and predictions brought to the same rank as Keras' `squeeze_or_expand_to_same_rank`
  /// (labels `[N]` with predictions `[N, 1]` become `[N, 1]`; labels `[N, T]` with predictions
  /// `[N, T, 1]` squeeze the predictions), then required to have the same shape.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming this loss and both shapes.
  func matchedShapes(_ yTrue: Tensor, _ yPred: Tensor) throws -> (labels: Tensor, predictions: Tensor) {
    let (labels, predictions) = try sameRank(yTrue, yPred)
    guard labels.shape == predictions.shape, predictions.rank >= 1 else {
      throw shapeMismatch(yTrue, yPred, "must have the same shape")
    }
    return (labels, predictions)
  }

  /// Keras' `squeeze_or_expand_to_same_rank`: when the ranks differ by one and the higher-rank
  /// tensor ends in a dimension of 1, expands a rank-1 partner or else squeezes that dimension.
  func sameRank(_ yTrue: Tensor, _ yPred: Tensor) throws -> (Tensor, Tensor) {
    if yTrue.rank == yPred.rank + 1, yTrue.shape.last == 1 {
      return yPred.rank == 1 ? (yTrue, try yPred.expandingDims(at: -1)) : (try yTrue.squeezing(axes: [-1]), yPred)
    }
    if yPred.rank == yTrue.rank + 1, yPred.shape.last == 1 {
      return yTrue.rank == 1 ? (try yTrue.expandingDims(at: -1), yPred) : (yTrue, try yPred.squeezing(axes: [-1]))
    }
    return (yTrue, yPred)
  }

  /// The mean over the last axis of `elementwise(labels, predictions)`, after ``matchedShapes(_:_:)``:
  /// `[N, D]` gives `[N]`, `[N, T, D]` gives `[N, T]`.
  func meanOverLastAxis(
    _ yTrue: Tensor, _ yPred: Tensor, _ elementwise: (Tensor, Tensor) throws -> Tensor
  ) throws -> Tensor {
    let (labels, predictions) = try matchedShapes(yTrue, yPred)
    return try elementwise(labels, predictions).mean(axis: -1)
  }

  /// The logits to compute a cross-entropy from instead of `predictions`, as Keras on TensorFlow
  /// takes `output._keras_logits`: present when the model output came out of `activation` and
  /// reaches the loss unchanged (`predictions` has the rank of `yPred`; a squeezed or expanded
  /// output is a new tensor without logits in Keras).
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when the logits are not shaped like `yPred`.
  func usableLogits(
    _ logits: OutputLogits?, of activation: ActivationFunction, output yPred: Tensor, predictions: Tensor
  ) throws -> Tensor? {
    guard let logits, logits.activation == activation else { return nil }
    guard logits.values.shape == yPred.shape else {
      throw KerasError.invalidArgument(
        "Loss '\(name)': logits of shape \(lossShapeText(logits.values.shape)) do not match predictions of shape "
          + lossShapeText(yPred.shape))
    }
    return predictions.rank == yPred.rank ? logits.values : nil
  }

  /// Requires `axis` (negative counts from the end) to be an axis of `predictions`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming this loss, the axis and the shape.
  func checkAxis(_ axis: Int, of predictions: Tensor) throws {
    guard (-predictions.rank..<predictions.rank).contains(axis) else {
      throw KerasError.invalidArgument(
        "Loss '\(name)': axis \(axis) is out of range for predictions of shape \(lossShapeText(predictions.shape))")
    }
  }

  /// The error for labels and predictions whose shapes do not fit this loss.
  func shapeMismatch(_ yTrue: Tensor, _ yPred: Tensor, _ requirement: String) -> KerasError {
    .invalidArgument(
      "Loss '\(name)': labels of shape \(lossShapeText(yTrue.shape)) and predictions of shape "
        + "\(lossShapeText(yPred.shape)) \(requirement)")
  }

  /// Keras' serialized loss: `{"module": "keras.losses", "class_name": ..., "config": {"name": ...,
  /// "reduction": "sum_over_batch_size", arguments...}, "registered_name": null}`.
  func kerasConfig(className: String, _ arguments: [(String, ConfigValue)] = []) -> ConfigValue {
    .object([
      ("module", "keras.losses"),
      ("class_name", .string(className)),
      ("config", .object([("name", .string(name)), ("reduction", "sum_over_batch_size")] + arguments)),
      ("registered_name", .null),
    ])
  }
}

/// Formats a fully known shape as Keras prints it: `(4, 3)`.
private func lossShapeText(_ shape: [Int]) -> String { kerasShapeText(shape.map { Optional($0) }) }
