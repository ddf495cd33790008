/// The `thresholds` argument of ``Precision`` and ``Recall``: one number or a list, as in Keras
/// (`Precision(thresholds: 0.3)`, `Precision(thresholds: [0.3, 0.5, 0.8])`), each in `[0, 1]`.
public struct MetricThresholds: ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, Sendable, Equatable {
  /// The thresholds, in the order given.
  public let values: [Float]
  /// Whether one number was given (Keras then writes a number, not a list, in the config).
  public let isSingle: Bool

  /// One threshold.
  public init(_ value: Float) {
    values = [value]
    isSingle = true
  }

  /// Several thresholds, one result each.
  public init(_ values: [Float]) {
    self.values = values
    isSingle = false
  }

  /// One threshold: `0.3`.
  public init(floatLiteral value: Float) { self.init(value) }

  /// Several thresholds: `[0.3, 0.5]`.
  public init(arrayLiteral values: Float...) { self.init(values) }

  /// The config entry Keras writes: a number or a list of numbers.
  var config: ConfigValue { isSingle ? .decimal(values[0]) : .array(values.map { .decimal($0) }) }
}
