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
  public static func buildExpression(_ layer: Layer) -> [Layer] { [layer] }
  public static func buildExpression(_ layers: [Layer]) -> [Layer] { layers }
  public static func buildBlock(_ parts: [Layer]...) -> [Layer] { parts.flatMap { $0 } }
  public static func buildOptional(_ part: [Layer]?) -> [Layer] { part ?? [] }
  public static func buildEither(first part: [Layer]) -> [Layer] { part }
  public static func buildEither(second part: [Layer]) -> [Layer] { part }
  public static func buildArray(_ parts: [[Layer]]) -> [Layer] { parts.flatMap { $0 } }
}
