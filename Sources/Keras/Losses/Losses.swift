/// The built-in Keras losses (`keras.losses`), as `Losses.BinaryCrossentropy()` and so on.
///
/// The namespace keeps them apart from the metrics of the same Keras names
/// (`keras.metrics.MeanSquaredError`). Most code names a loss by its Keras string or as a
/// static member of ``Loss``:
///
/// ```swift
/// try model.compile(optimizer: "adam", loss: "binary_crossentropy")
/// try model.compile(optimizer: Adam(), loss: .binaryCrossentropy(fromLogits: true))
/// let mse = try loss(named: "mse")  // Losses.MeanSquaredError, named "mean_squared_error"
/// ```
public enum Losses {}

/// The loss with Keras name `name`, with Keras' default arguments: `"mse"` or
/// `"mean_squared_error"`, `"mae"`, `"mape"`, `"msle"`, `"huber"`, `"log_cosh"`,
/// `"binary_crossentropy"`, `"categorical_crossentropy"`, `"sparse_categorical_crossentropy"`,
/// `"kl_divergence"` or `"kld"`, `"poisson"`, `"hinge"`, `"squared_hinge"`, `"cosine_similarity"`,
/// or a class name such as `"BinaryCrossentropy"`.
///
/// - Throws: ``KerasError/unknownName(kind:name:valid:)`` listing the valid names.
public func loss(named name: String) throws -> any Loss {
  guard let lossClass = LossClass.named(name) else {
    throw KerasError.unknownName(kind: "loss", name: name, valid: LossClass.builtIn.flatMap(\.names))
  }
  return lossClass.makeDefault()
}
