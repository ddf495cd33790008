/// What an optimizer takes from each row slice of a sparse gradient before the slices are summed:
/// Keras on TensorFlow squares (`ops.square`) or takes the absolute value (`ops.abs`) of an
/// `IndexedSlices` slice by slice, so a row looked up twice in a batch contributes `g₁² + g₂²`
/// where a dense gradient gives `(g₁ + g₂)²`.
public enum SparseGradientStatistic: Sendable {
  /// The optimizer only uses the summed gradient (SGD).
  case none
  /// The sum of the slices' squares (Adam, AdamW, Nadam, RMSprop, Adagrad, Adadelta).
  case sumOfSquares
  /// The sum of the slices' absolute values (Adamax).
  case sumOfAbsoluteValues
}

extension Optimizer {
  /// One update from a gradient given as row slices: `clipnorm` scales the slices by their norm
  /// (`tf.clip_by_norm` of an `IndexedSlices`), `clipvalue` clips each slice, the summed gradient and
  /// the optimizer's statistic are built slice by slice, then the usual update runs.
  func applySparse(
    _ gradient: Tensor, _ slices: [SparseRows], to variable: Variable, index: Int, learningRate rate: Float, step: Int
  ) {
    let clipvalue = clipvalue.flatMap { $0 > 0 ? $0 : nil }
    let clipnorm = clipnorm.flatMap { $0 > 0 ? $0 : nil }
    // tf.clip_by_norm: each slice value becomes g · c / max(‖slices‖, c).
    let normDivisor = clipnorm.map { Swift.max(Self.sumOfSquares(gradient, slices).squareRoot(), $0) }
    let resums = clipvalue != nil || clipnorm != nil
    let statistic = sparseGradientStatistic
    if statistic != .none, sparseStatistics[index] == nil { sparseStatistics[index] = Tensor.zeros(variable.shape) }
    var summed = gradient
    if resums {
      if clippedGradients.count <= index { clippedGradients = trainableVariables.map { Tensor.zeros($0.shape) } }
      summed = clippedGradients[index]
      clippedGradients[index] = Tensor(0)  // keep the buffer uniquely referenced while it is written
    }
    var statisticBuffer = statistic == .none ? Tensor(0) : sparseStatistics[index]!
    sparseStatistics[index] = nil
    /// Adds every slice (clipped with `clipvalue`) into `sum` when given, and its statistic into `stat`.
    func accumulate(into sum: UnsafeMutableBufferPointer<Float>?, _ stat: UnsafeMutableBufferPointer<Float>?) {
      sum?.update(repeating: 0)
      stat?.update(repeating: 0)
      for slice in slices {
        let n = slice.rowLength
        slice.values.withUnsafeBufferPointer { values in
          for (p, row) in slice.indices.scalars.enumerated() {
            for j in 0..<n {
              var g = values[p * n + j]
              if let clipnorm, let normDivisor { g = g * clipnorm / normDivisor }
              if let clipvalue { g = Swift.min(Swift.max(g, -clipvalue), clipvalue) }
              let target = Int(row) * n + j
              sum?[target] += g
              switch statistic {
              case .none: break
              case .sumOfSquares: stat![target] += g * g
              case .sumOfAbsoluteValues: stat![target] += Swift.abs(g)
              }
            }
          }
        }
      }
    }
    switch (resums, statistic != .none) {
    case (true, true):
      summed.withUnsafeMutableBufferPointer { sum in statisticBuffer.withUnsafeMutableBufferPointer { accumulate(into: sum, $0) } }
    case (true, false): summed.withUnsafeMutableBufferPointer { accumulate(into: $0, nil) }
    case (false, true): statisticBuffer.withUnsafeMutableBufferPointer { accumulate(into: nil, $0) }
    case (false, false): break
    }
    summed.withUnsafeBufferPointer { g in
      statisticBuffer.withUnsafeBufferPointer { stat in
        variable.update { v in
          slotStorage[index].withUnsafeMutableBufferPointer { storage in
            let slots = SlotBuffers(storage: storage, count: v.count, sparseStatistic: statistic == .none ? nil : stat)
            update(v, gradient: g, slots: slots, learningRate: rate, step: step)
          }
        }
      }
    }
    if resums { clippedGradients[index] = summed }
    if statistic != .none { sparseStatistics[index] = statisticBuffer }
  }
}
