/// A metric that is the weighted mean of per-sample values (`keras.metrics.MeanMetricWrapper`):
/// accuracies and regression errors. A conforming type says how a batch turns into values;
/// the running mean, sample weights, `result()` and `reset()` come from its ``mean``.
///
/// ```swift
/// final class MeanError: MeanMetricWrapper {
///   let mean = Mean(name: "mean_error")
///   func values(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor { try (yPred - yTrue).mean(axis: -1) }
/// }
/// ```
public protocol MeanMetricWrapper: Metric {
  /// The running weighted mean the values go into; its name is the metric's name.
  var mean: Mean { get }
  /// The values of a batch: `[N]` per sample (Keras' metric function), or `[N, ...]` which
  /// ``Mean`` averages per sample.
  ///
  /// - Throws: when `yTrue` and `yPred` do not fit, naming the metric and both shapes.
  func values(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor
}

extension MeanMetricWrapper {
  /// The name of ``mean``.
  public var name: String { mean.name }

  /// Adds the batch's values to ``mean``, weighted by `sampleWeight` (`[N]`, `[N, 1]` or shaped
  /// like the values).
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the metric and the shapes that do not fit.
  public func update(_ yTrue: Tensor, _ yPred: Tensor, sampleWeight: Tensor?) throws {
    let batchValues = try values(yTrue, yPred)
    guard mean.add(MetricValues(batchValues), sampleWeight: sampleWeight.map(MetricValues.init)) else {
      throw metricShapeError(name, yTrue: yTrue.shape, yPred: yPred.shape, sampleWeight: sampleWeight?.shape)
    }
  }

  /// The weighted mean of the values so far.
  public func result() -> Float { mean.result() }

  /// Forgets all values.
  public func reset() { mean.reset() }
}

extension MeanMetricWrapper {
  /// The values `compute` makes of the batch, as a tensor.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming this metric and both shapes when
  ///   `compute` finds they do not fit (returns `nil`).
  func perSampleValues(
    _ yTrue: Tensor, _ yPred: Tensor, _ compute: (_ yTrue: MetricValues, _ yPred: MetricValues) -> MetricValues?
  ) throws -> Tensor {
    guard let values = compute(MetricValues(yTrue), MetricValues(yPred)) else {
      throw metricShapeError(name, yTrue: yTrue.shape, yPred: yPred.shape)
    }
    return values.tensor
  }
}
