/// Declares the input shape of a model (`keras.Input` / `keras.layers.InputLayer`); passes data through.
///
/// ```swift
/// Sequential {
///   Input(shape: [60, 1])
///   LSTM(50)
/// }
/// ```
public final class InputLayer: Layer, @unchecked Sendable {
  /// The input shape without the batch dimension.
  public let shape: [Int]
  /// A fixed batch size, if any.
  public let batchSize: Int?

  /// An input of `shape` (batch dimension excluded).
  public init(shape: [Int], batchSize: Int? = nil, name: String? = nil) {
    self.shape = shape
    self.batchSize = batchSize
    super.init(name: name, inputShape: shape)
  }

  public override class var className: String { "InputLayer" }

  /// Keras' InputLayer config, which (unlike other layers) has no `trainable` and a plain `dtype` string.
  public override var config: ConfigValue {
    .object([
      ("batch_shape", .shape([batchSize] + shape.map { $0 })), ("dtype", "float32"), ("sparse", false),
      ("ragged", false), ("name", .string(name)), ("optional", false),
    ])
  }
}

/// `Input(shape: [60, 1])` as in Keras.
public typealias Input = InputLayer
