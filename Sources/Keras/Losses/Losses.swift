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
public enum Losses {
  /// The losses by their Keras names: the function name, its aliases and the class name.
  fileprivate static let byName: [(names: [String], make: @Sendable () -> any Loss)] = [
    (["mean_squared_error", "mse", "MSE", "MeanSquaredError"], { MeanSquaredError() }),
    (["mean_absolute_error", "mae", "MAE", "MeanAbsoluteError"], { MeanAbsoluteError() }),
    (
      ["mean_absolute_percentage_error", "mape", "MAPE", "MeanAbsolutePercentageError"],
      { MeanAbsolutePercentageError() }
    ),
    (
      ["mean_squared_logarithmic_error", "msle", "MSLE", "MeanSquaredLogarithmicError"],
      { MeanSquaredLogarithmicError() }
    ),
    (["huber", "Huber"], { Huber() }),
    (["log_cosh", "logcosh", "LogCosh"], { LogCosh() }),
    (["binary_crossentropy", "bce", "BCE", "BinaryCrossentropy"], { BinaryCrossentropy() }),
    (["categorical_crossentropy", "CategoricalCrossentropy"], { CategoricalCrossentropy() }),
    (["sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"], { SparseCategoricalCrossentropy() }),
    (["kl_divergence", "kld", "KLD", "kullback_leibler_divergence", "KLDivergence"], { KLDivergence() }),
    (["poisson", "Poisson"], { Poisson() }),
    (["hinge", "Hinge"], { Hinge() }),
    (["squared_hinge", "SquaredHinge"], { SquaredHinge() }),
    (["cosine_similarity", "CosineSimilarity"], { CosineSimilarity() }),
  ]
}

/// The loss with Keras name `name`, with Keras' default arguments: `"mse"` or
/// `"mean_squared_error"`, `"mae"`, `"mape"`, `"msle"`, `"huber"`, `"log_cosh"`,
/// `"binary_crossentropy"`, `"categorical_crossentropy"`, `"sparse_categorical_crossentropy"`,
/// `"kl_divergence"` or `"kld"`, `"poisson"`, `"hinge"`, `"squared_hinge"`, `"cosine_similarity"`,
/// or a class name such as `"BinaryCrossentropy"`.
///
/// - Throws: ``KerasError/unknownName(kind:name:valid:)`` listing the valid names.
public func loss(named name: String) throws -> any Loss {
  guard let entry = Losses.byName.first(where: { $0.names.contains(name) }) else {
    throw KerasError.unknownName(kind: "loss", name: name, valid: Losses.byName.flatMap(\.names))
  }
  return entry.make()
}
