/// The recurrent driver shared by ``SimpleRNN``, ``LSTM`` and ``GRU``: weights created by
/// Keras' names, dropout masks, masking, and the whole sequence run as one fused op
/// (TensorCore's `recurrentSequence`).
///
/// Input `[N, T, F]`; output `[N, T, units]` with `returnSequences`, else `[N, units]`. Weights:
/// `kernel` `[F, G·units]`, `recurrent_kernel` `[units, G·units]`, `bias` (G = 1, 4, 3 gates).
///
/// Dropout, as Keras 3: in training, `dropout` multiplies the input by one mask drawn per
/// sequence; with `recurrentDropout > 0`, LSTM and GRU switch to Keras' per-gate
/// implementation, drawing one input mask and one state mask per gate.
public class RecurrentLayer: Layer, @unchecked Sendable {
  /// The width of the state and the output.
  public let units: Int
  /// The candidate and output activation (Keras' `activation`, default tanh).
  public let activation: ActivationFunction
  /// The gate activation (unused by SimpleRNN).
  public let recurrentActivation: ActivationFunction
  /// Whether the layer has a bias.
  public let useBias: Bool
  /// Draws the kernel (Keras default: Glorot uniform).
  public let kernelInitializer: Initializer
  /// Draws the recurrent kernel (Keras default: orthogonal).
  public let recurrentInitializer: Initializer
  /// Draws the bias (Keras default: zeros).
  public let biasInitializer: Initializer
  /// Penalty on the kernel.
  public let kernelRegularizer: Regularizer?
  /// Penalty on the recurrent kernel.
  public let recurrentRegularizer: Regularizer?
  /// Penalty on the bias.
  public let biasRegularizer: Regularizer?
  /// Fraction of input units dropped in training.
  public let dropout: Float
  /// Fraction of state units dropped in training.
  public let recurrentDropout: Float
  /// Whether to return the output of every step.
  public let returnSequences: Bool
  /// Whether ``callReturningStates(_:mask:initialStates:training:)`` is the intended use (kept for the config).
  public let returnState: Bool
  /// Whether the sequence is processed from last step to first.
  public let goBackwards: Bool
  /// A seed for the dropout masks, or nil for the global generator.
  public let seed: UInt64?
  /// Whether masked steps output zeros rather than the previous output (Keras' `zero_output_for_mask`;
  /// ``Bidirectional`` sets it when returning sequences, as Keras does).
  public internal(set) var zeroOutputForMask = false

  /// The kernel `[F, G·units]`, once built.
  public private(set) var kernel: Variable?
  /// The recurrent kernel `[units, G·units]`, once built.
  public private(set) var recurrentKernel: Variable?
  /// The bias, once built (if `useBias`).
  public private(set) var bias: Variable?
  var masks: DropoutMaskSource

  /// The fused cell this layer runs; subclasses say which.
  var cell: RecurrentCell { fatalError("RecurrentLayer.cell must be overridden") }

  init(
    units: Int, activation: ActivationFunction, recurrentActivation: ActivationFunction, useBias: Bool,
    kernelInitializer: Initializer, recurrentInitializer: Initializer, biasInitializer: Initializer,
    kernelRegularizer: Regularizer?, recurrentRegularizer: Regularizer?, biasRegularizer: Regularizer?,
    dropout: Float, recurrentDropout: Float, returnSequences: Bool, returnState: Bool, goBackwards: Bool,
    seed: UInt64?, inputShape: [Int]?, name: String?
  ) {
    precondition(units > 0, "\(Self.className): units must be positive, got \(units)")
    precondition(dropout >= 0 && dropout < 1, "\(Self.className): dropout must be in [0, 1), got \(dropout)")
    precondition(
      recurrentDropout >= 0 && recurrentDropout < 1, "\(Self.className): recurrentDropout must be in [0, 1), got \(recurrentDropout)")
    self.units = units
    self.activation = activation
    self.recurrentActivation = recurrentActivation
    self.useBias = useBias
    self.kernelInitializer = kernelInitializer
    self.recurrentInitializer = recurrentInitializer
    self.biasInitializer = biasInitializer
    self.kernelRegularizer = kernelRegularizer
    self.recurrentRegularizer = recurrentRegularizer
    self.biasRegularizer = biasRegularizer
    self.dropout = dropout
    self.recurrentDropout = recurrentDropout
    self.returnSequences = returnSequences
    self.returnState = returnState
    self.goBackwards = goBackwards
    self.seed = seed
    self.masks = DropoutMaskSource(seed: seed)
    super.init(name: name, inputShape: inputShape)
    inputSpec = InputSpec(rank: 3)
  }

  /// The first value of the bias; LSTM overrides it for `unit_forget_bias`.
  func initialBias(shape: [Int]) throws -> Tensor { try biasInitializer(shape) }

  /// A copy with the same settings, a new name and the given direction (for ``Bidirectional``).
  func copy(name: String, goBackwards: Bool) -> RecurrentLayer { fatalError("RecurrentLayer.copy must be overridden") }

  /// The activation as the fused kernel knows it.
  static func kernelActivation(_ function: ActivationFunction, layer: String, argument: String) throws
    -> RecurrentActivation
  {
    guard let value = RecurrentActivation(rawValue: function.rawValue) else {
      throw KerasError.invalidArgument(
        "Layer '\(layer)': \(argument) '\(function.name)' is not supported by the recurrent kernel; use one of "
          + RecurrentActivation.allCases.map(\.rawValue).joined(separator: ", "))
    }
    return value
  }

  public override func build(inputShape: [Int?]) throws {
    guard inputShape.count == 3, let features = inputShape[2] else {
      throw KerasError.incompatibleInput(layer: name, expected: "(None, None, features)", got: inputShape.map { $0 ?? -1 })
    }
    _ = try RecurrentLayer.kernelActivation(activation, layer: name, argument: "activation")
    _ = try RecurrentLayer.kernelActivation(recurrentActivation, layer: name, argument: "recurrentActivation")
    let cell = self.cell
    kernel = try addWeight(
      "kernel", shape: cell.kernelShape(features: features), initializer: kernelInitializer, regularizer: kernelRegularizer)
    recurrentKernel = try addWeight(
      "recurrent_kernel", shape: cell.recurrentKernelShape, initializer: recurrentInitializer,
      regularizer: recurrentRegularizer)
    if useBias {
      let b = try addWeight("bias", shape: cell.biasShape, initializer: .zeros, regularizer: biasRegularizer)
      b.value = try initialBias(shape: cell.biasShape)
      bias = b
    }
    inputSpec = InputSpec(rank: 3, axes: [2: features])
  }

  /// The output and the final states (`[h]`, or `[h, c]` for LSTM), as Keras' `return_state=True`.
  ///
  /// - Parameters:
  ///   - input: `[N, T, F]`.
  ///   - mask: `[N, T]`, nonzero for real steps; masked steps keep the state and repeat the previous output.
  ///   - initialStates: each `[N, units]`; zeros when nil.
  ///   - training: whether dropout and recurrent dropout are active (as inside `fit`).
  public func callReturningStates(
    _ input: Tensor, mask: Tensor? = nil, initialStates: [Tensor]? = nil, training: Bool = false
  ) throws -> (output: Tensor, states: [Tensor]) {
    try checkInput(input.shape.map { $0 })
    try buildIfNeeded([nil] + input.shape.dropFirst().map { $0 })
    try checkInput(input.shape.map { $0 })
    return try run(input, mask: mask, initialStates: initialStates, training: training)
  }

  private func run(_ input: Tensor, mask: Tensor?, initialStates: [Tensor]?, training: Bool) throws -> (
    output: Tensor, states: [Tensor]
  ) {
    let n = input.shape[0]
    // Keras 3 uses per-gate masks (implementation 1) whenever recurrent dropout is on.
    let perGate = recurrentDropout > 0 && cell.gateCount > 1 ? [cell.gateCount] : []
    let inputMask = training && dropout > 0 ? masks.mask(perGate + [n, input.shape[2]], rate: dropout) : nil
    let stateMask = training && recurrentDropout > 0 ? masks.mask(perGate + [n, units], rate: recurrentDropout) : nil
    do {
      return try recurrentSequence(
        // Under mixed_bfloat16 the input and step products multiply bfloat16 operands (the state
        // rounded at each step, as Keras' bfloat16 cell has it); gate math and states stay float32.
        input, cell: cell, kernel: computeValue(kernel!), recurrentKernel: computeValue(recurrentKernel!),
        bias: bias.map(computeValue),
        initialStates: initialStates, mask: mask, inputDropoutMask: inputMask, recurrentDropoutMask: stateMask,
        goBackwards: goBackwards, returnSequences: returnSequences, zeroOutputForMask: zeroOutputForMask,
        precision: matMulPrecision)
    } catch let error as TensorError {
      throw KerasError.invalidArgument("Layer '\(name)': \(error)")
    }
  }

  public override func call(_ input: Tensor, mask: Tensor?, training: Bool) throws -> Tensor {
    try run(input, mask: mask, initialStates: nil, training: training).output
  }

  public override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    try call(input, mask: nil, training: training)
  }

  public override func computeMask(_ input: Tensor, mask: Tensor?) throws -> Tensor? { returnSequences ? mask : nil }

  /// In a graph: the output, then with `returnState` the final states (`[output, h]`, or
  /// `[output, h, c]` for LSTM); `initialState` (each `[N, units]`) starts the sequence.
  public override func symbolicOutputShapes(
    _ inputShapes: [[Int?]], initialStateShapes: [[Int?]], inputDTypes: [String]
  ) throws -> [[Int?]] {
    guard inputShapes.count == 1 else {
      throw KerasError.invalidArgument("Layer '\(name)' (\(Self.className)) takes one input, got \(inputShapes.count)")
    }
    if !initialStateShapes.isEmpty {
      guard initialStateShapes.count == cell.stateCount else {
        throw KerasError.invalidArgument(
          "Layer '\(name)' (\(Self.className)) takes \(cell.stateCount) initial state(s), got \(initialStateShapes.count)")
      }
      for shape in initialStateShapes where shape.count != 2 || (shape[1] != nil && shape[1] != units) {
        throw KerasError.invalidArgument(
          "Layer '\(name)' (\(Self.className)): an initial state must have shape (None, \(units)), got \(kerasShapeText(shape))")
      }
    }
    try buildIfNeeded(inputShapes[0])
    let output = try outputShape(for: inputShapes[0])
    let stateShape: [Int?] = [inputShapes[0][0], units]
    return returnState ? [output] + Array(repeating: stateShape, count: cell.stateCount) : [output]
  }

  public override func callNode(_ inputs: [Tensor], masks: [Tensor?], initialState: [Tensor], training: Bool) throws -> (
    outputs: [Tensor], masks: [Tensor?]
  ) {
    let mask = masks.first ?? nil
    let (output, states) = try callReturningStates(
      inputs[0], mask: mask, initialStates: initialState.isEmpty ? nil : initialState, training: training)
    let outputMask = try computeMask(inputs[0], mask: mask)
    return returnState
      ? ([output] + states, [outputMask] + states.map { _ in nil }) : ([output], [outputMask])
  }

  public override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    returnSequences ? [inputShape[0], inputShape[1], units] : [inputShape[0], units]
  }

  /// The settings Keras' `RNN` base writes first.
  var sequenceConfig: [(String, ConfigValue)] {
    [
      ("return_sequences", .bool(returnSequences)), ("return_state", .bool(returnState)),
      ("go_backwards", .bool(goBackwards)), ("stateful", false), ("unroll", false),
      ("zero_output_for_mask", .bool(zeroOutputForMask)),
    ]
  }

  /// `kernel_initializer` through `bias_constraint`, as the cells write them.
  func weightConfig(unitForgetBias: Bool?) -> [(String, ConfigValue)] {
    var config: [(String, ConfigValue)] = [
      ("kernel_initializer", kernelInitializer.config), ("recurrent_initializer", recurrentInitializer.config),
      ("bias_initializer", biasInitializer.config),
    ]
    if let unitForgetBias { config.append(("unit_forget_bias", .bool(unitForgetBias))) }
    return config + [
      ("kernel_regularizer", kernelRegularizer?.config ?? .null),
      ("recurrent_regularizer", recurrentRegularizer?.config ?? .null),
      ("bias_regularizer", biasRegularizer?.config ?? .null), ("activity_regularizer", .null),
      ("kernel_constraint", .null), ("recurrent_constraint", .null), ("bias_constraint", .null),
      ("dropout", .decimal(dropout)), ("recurrent_dropout", .decimal(recurrentDropout)),
    ]
  }

  var seedConfig: ConfigValue { seed.map { .int(Int(truncatingIfNeeded: $0)) } ?? .null }
}
