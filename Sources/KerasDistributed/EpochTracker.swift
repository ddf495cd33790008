import Keras

/// The running loss and metrics of an epoch or an evaluation over global batches, kept the same
/// way on every rank (and as `fit` keeps them in one process): the loss as a mean weighted by
/// batch size, the metrics updated with each whole global batch's labels and predictions.
final class EpochTracker {
  private let metrics: [any Metric]
  private let weightedMetrics: [any Metric]
  private let names: [String]
  private var lossTotal: Float = 0
  private var lossCount: Float = 0

  /// The metrics `model` was compiled with, resolved for these label and prediction shapes.
  init(_ model: Model, yTrueShape: [Int], yPredShape: [Int], lossName: String) throws {
    metrics = try model.metricSpecifiers.map {
      try $0.resolve(yTrueShape: yTrueShape, yPredShape: yPredShape, lossName: lossName)
    }
    weightedMetrics = try model.weightedMetricSpecifiers.map {
      try $0.resolve(yTrueShape: yTrueShape, yPredShape: yPredShape, lossName: lossName)
    }
    names = MetricSpecifier.logNames(for: metrics, weighted: weightedMetrics)
    reset()
  }

  /// Forgets everything added.
  func reset() {
    for metric in metrics + weightedMetrics { metric.reset() }
    lossTotal = 0
    lossCount = 0
  }

  /// Adds a global batch: its mean loss, its predictions and its rows.
  func add(loss: Float, predictions: Tensor, of batch: Batches) throws {
    let n = Float(batch.count)
    lossTotal += loss * n
    lossCount += n
    for metric in metrics { try metric.update(batch.y, predictions, sampleWeight: nil) }
    for metric in weightedMetrics { try metric.update(batch.y, predictions, sampleWeight: batch.sampleWeight) }
  }

  /// The loss and metrics so far, sorted by name as `fit` logs them.
  func logs() -> Logs {
    var entries = zip(names, metrics + weightedMetrics).map { ($0, $1.result()) }
    entries.append(("loss", lossCount > 0 ? lossTotal / lossCount : 0))
    return Logs(entries.sorted { $0.0 < $1.0 })
  }
}
