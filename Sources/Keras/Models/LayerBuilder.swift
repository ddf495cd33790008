/// Builds a list of layers from a closure, so a model reads like its Keras definition:
///
/// ```swift
/// let model = Sequential {
///   LSTM(50, returnSequences: true, inputShape: [60, 1])
///   Dropout(0.2)
///   Dense(1)
/// }
/// ```
@resultBuilder
public enum LayerBuilder {
  /// One layer written on its own line.
  public static func buildExpression(_ layer: Layer) -> [Layer] { [layer] }
  /// An `Input(shape:)` line: the input layer behind it.
  public static func buildExpression(_ input: KerasTensor) -> [Layer] { [input.layer] }
  /// An array of layers, spliced in order.
  public static func buildExpression(_ layers: [Layer]) -> [Layer] { layers }
  /// The lines of the closure, in order.
  public static func buildBlock(_ parts: [Layer]...) -> [Layer] { parts.flatMap { $0 } }
  /// The layers of an `if` without `else`: none when the condition is false.
  public static func buildOptional(_ part: [Layer]?) -> [Layer] { part ?? [] }
  /// The layers of the `if` branch of an `if`/`else`.
  public static func buildEither(first part: [Layer]) -> [Layer] { part }
  /// The layers of the `else` branch of an `if`/`else`.
  public static func buildEither(second part: [Layer]) -> [Layer] { part }
  /// The layers of a `for` loop, one iteration after another.
  public static func buildArray(_ parts: [[Layer]]) -> [Layer] { parts.flatMap { $0 } }
}
