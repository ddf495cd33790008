extension Model {
  /// Predictions for token ids (`N` samples of `T` ids for an `Input(shape: [T], dtype: "int32")`
  /// followed by an ``Embedding``), as ``predict(_:batchSize:verbose:callbacks:)-(Tensor,_,_,_)`` on
  /// the ids as floats, the form the layers take them in.
  ///
  /// - Throws: as ``predict(_:batchSize:verbose:callbacks:)-(Tensor,_,_,_)``.
  public func predict(_ x: IntTensor, batchSize: Int = 32, verbose: Int = 1, callbacks: [any Callback] = []) throws
    -> Tensor
  {
    try predict(Tensor(x), batchSize: batchSize, verbose: verbose, callbacks: callbacks)
  }

  /// Trains on token ids `x` (`N` rows of ids) against targets `y`, as
  /// ``fit(_:_:batchSize:epochs:verbose:callbacks:validationSplit:validationData:shuffle:classWeight:sampleWeight:initialEpoch:)-(Tensor,Tensor,_,_,_,_,_,_,_,_,_,_)``
  /// on the ids as floats.
  ///
  /// - Throws: as that `fit`.
  @discardableResult
  public func fit(
    _ x: IntTensor, _ y: Tensor, batchSize: Int = 32, epochs: Int = 1, verbose: Int = 1, callbacks: [any Callback] = [],
    validationSplit: Float = 0, validationData: (IntTensor, Tensor)? = nil, shuffle: Bool = true,
    classWeight: [Int: Float]? = nil, sampleWeight: Tensor? = nil, initialEpoch: Int = 0
  ) throws -> History {
    try fit(
      Tensor(x), y, batchSize: batchSize, epochs: epochs, verbose: verbose, callbacks: callbacks,
      validationSplit: validationSplit, validationData: validationData.map { (Tensor($0.0), $0.1) }, shuffle: shuffle,
      classWeight: classWeight, sampleWeight: sampleWeight, initialEpoch: initialEpoch)
  }

  /// The loss and metrics on token ids `x` against `y`, as
  /// ``evaluate(_:_:batchSize:verbose:sampleWeight:callbacks:)-(Tensor,Tensor,_,_,_,_)`` on the ids as floats.
  ///
  /// - Throws: as that `evaluate`.
  @discardableResult
  public func evaluate(
    _ x: IntTensor, _ y: Tensor, batchSize: Int = 32, verbose: Int = 1, sampleWeight: Tensor? = nil,
    callbacks: [any Callback] = []
  ) throws -> Logs {
    try evaluate(Tensor(x), y, batchSize: batchSize, verbose: verbose, sampleWeight: sampleWeight, callbacks: callbacks)
  }
}
