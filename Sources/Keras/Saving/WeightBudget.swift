import Foundation

/// A bound on the weights a model rebuilt from a file may create, so that a config declaring
/// absurd sizes (`"units": 1099511627776`, an input of a billion steps) gets an error instead of
/// an allocation of terabytes.
///
/// The weights of a rebuilt model must all come from the file, and Keras stores each value in
/// at least two bytes (float16, uncompressed), so a file of `n` bytes can hold at most `n / 2`
/// values; ``loadModel(_:)-(String)`` allows that plus ``slackElements`` while it rebuilds the model
/// (see ``Layer/addWeight(_:shape:initializer:regularizer:trainable:)``).
final class WeightBudget: @unchecked Sendable {
  /// The budget in force on this thread (or task), if any.
  @TaskLocal static var current: WeightBudget?

  /// Values allowed beyond what the file could hold, so small files are never refused.
  static let slackElements = 1 << 20

  /// The file the weights will come from, for error messages.
  let file: String
  private let lock = NSLock()
  private var remaining: Int

  /// A budget for weights read from `file`, which holds `fileBytes` bytes of weights.
  init(file: String, fileBytes: UInt64) {
    self.file = file
    remaining = Int(clamping: fileBytes / 2) + Self.slackElements
  }

  /// Runs `body` (which rebuilds a model) with the budget for a file of `fileBytes` bytes.
  static func limiting<T>(file: String, fileBytes: UInt64, _ body: () throws -> T) rethrows -> T {
    try $current.withValue(WeightBudget(file: file, fileBytes: fileBytes), operation: body)
  }

  /// Takes a weight of `shape` out of the budget.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the layer, the weight and its shape
  ///   when the weight is larger than what is left of the budget.
  func reserve(_ shape: [Int], weight: String, layer: String) throws {
    try lock.withLock {
      var count = 1
      for dimension in shape {
        let (product, overflow) = count.multipliedReportingOverflow(by: max(dimension, 0))
        count = overflow ? Int.max : product
      }
      guard count <= remaining else {
        throw KerasError.invalidArgument(
          "layer '\(layer)' would create weight '\(weight)' of shape \(shape), more values than '\(file)' can "
            + "hold (\(remaining) left); the config declares sizes that do not fit the file")
      }
      remaining -= count
    }
  }
}
