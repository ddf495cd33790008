// Keras' gradient clipping for every optimizer: `clipnorm`, `clipvalue` and `global_clipnorm`.

extension Optimizer {
  /// Checks Keras' rule that at most one clipping argument is set, so that arguments read from a
  /// file can be rejected before an optimizer is made (its initializer stops the program instead).
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` with Keras' message when two or more are set.
  public static func checkClipping(clipnorm: Float?, clipvalue: Float?, globalClipnorm: Float?) throws {
    guard [clipnorm, clipvalue, globalClipnorm].compactMap({ $0 }).count > 1 else { return }
    func text(_ value: Float?) -> String { value.map { "\(ConfigValue.decimal($0))" } ?? "None" }
    throw KerasError.invalidArgument(
      "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: clipnorm=\(text(clipnorm)), "
        + "clipvalue=\(text(clipvalue)), global_clipnorm=\(text(globalClipnorm))")
  }

  /// Keras' `clip_by_global_norm` factor `c · min(1/‖g‖, 1/c)` (NaN when the norm is not finite), or nil.
  /// A sparse gradient's norm counts each slice (`ops.square` of an `IndexedSlices`).
  func globalClipScale(_ gradients: [Tensor], _ rows: [[SparseRows]?]) -> Float? {
    guard let globalClipnorm, globalClipnorm > 0, (clipnorm ?? 0) <= 0 else { return nil }
    var sum: Float = 0
    for (gradient, slices) in zip(gradients, rows) { sum += Self.sumOfSquares(gradient, slices) }
    let norm = sum.squareRoot()
    return globalClipnorm * Swift.min(1 / norm, 1 / globalClipnorm) + (norm - norm)
  }

  /// The squared norm of a gradient: of its slices when it has them, else of the tensor.
  static func sumOfSquares(_ tensor: Tensor, _ slices: [SparseRows]?) -> Float {
    guard let slices else { return sumOfSquares(tensor) }
    var sum: Double = 0
    for slice in slices {
      slice.values.withUnsafeBufferPointer { g in
        for x in g { sum += Double(x) * Double(x) }
      }
    }
    return Float(sum)
  }

  private static func sumOfSquares(_ tensor: Tensor) -> Float {
    tensor.withUnsafeBufferPointer { g in
      var sum: Double = 0
      for x in g { sum += Double(x) * Double(x) }
      return Float(sum)
    }
  }

  /// Calls `body` with the gradient clipped as Keras' `_clip_gradients` does (`clipnorm`, else
  /// `global_clipnorm`, else `clipvalue`, each only when positive), written into a reused buffer.
  func withClippedGradient(
    _ gradient: Tensor, slices: [SparseRows]? = nil, index: Int, globalScale: Float?,
    _ body: (UnsafeBufferPointer<Float>) -> Void
  ) {
    let clipnorm = clipnorm.flatMap { $0 > 0 ? $0 : nil }
    let clipvalue = clipvalue.flatMap { $0 > 0 ? $0 : nil }
    guard clipnorm != nil || globalScale != nil || clipvalue != nil else {
      gradient.withUnsafeBufferPointer(body)
      return
    }
    gradient.withUnsafeBufferPointer { g in
      clippedGradients[index].withUnsafeMutableBufferPointer { clipped in
        if let clipnorm {
          // tf.clip_by_norm: g · c / max(‖g‖, c).
          let divisor = Swift.max(Self.sumOfSquares(gradient, slices).squareRoot(), clipnorm)
          for i in g.indices { clipped[i] = g[i] * clipnorm / divisor }
        } else if let globalScale {
          for i in g.indices { clipped[i] = g[i] * globalScale }
        } else if let clipvalue {
          for i in g.indices { clipped[i] = Swift.min(Swift.max(g[i], -clipvalue), clipvalue) }
        }
        body(UnsafeBufferPointer(clipped))
      }
    }
  }
}
