extension Model {
  /// Predictions for `texts`, vectorized by ``textVectorization`` first: the two steps Keras
  /// runs inside a model whose input is strings (`model.predict(["some text"])`).
  ///
  /// ```swift
  /// let model = try loadModel("sentiment.keras")     // saved by Keras, string input
  /// let scores = try model.predict(texts: ["a great film", "dull"], verbose: 0)
  /// ```
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when the model has no ``textVectorization``;
  ///   the errors of the vectorizer and of ``predict(_:batchSize:verbose:callbacks:)-(Tensor,_,_,_)``.
  public func predict(texts: [String], batchSize: Int = 32, verbose: Int = 1) throws -> Tensor {
    try predict(try vectorize(texts), batchSize: batchSize, verbose: verbose)
  }

  /// Trains on `texts` against `y`, vectorized by ``textVectorization`` first; otherwise as
  /// ``fit(_:_:batchSize:epochs:verbose:callbacks:validationSplit:validationData:shuffle:classWeight:sampleWeight:initialEpoch:)-(Tensor,Tensor,_,_,_,_,_,_,_,_,_,_)``.
  ///
  /// - Throws: as ``predict(texts:batchSize:verbose:)`` and that `fit`.
  @discardableResult
  public func fit(
    texts: [String], _ y: Tensor, batchSize: Int = 32, epochs: Int = 1, verbose: Int = 1,
    callbacks: [any Callback] = [],
    validationSplit: Float = 0, shuffle: Bool = true
  ) throws -> History {
    try fit(
      try vectorize(texts), y, batchSize: batchSize, epochs: epochs, verbose: verbose, callbacks: callbacks,
      validationSplit: validationSplit, shuffle: shuffle)
  }

  private func vectorize(_ texts: [String]) throws -> Tensor {
    guard let textVectorization else {
      throw KerasError.invalidArgument(
        "Model '\(name)' has no textVectorization: set one, or vectorize the texts with a TextVectorization first")
    }
    return try textVectorization(texts)
  }
}
