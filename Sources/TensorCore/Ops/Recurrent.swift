/// Runs a recurrent cell over a whole sequence as one fused, differentiable op: the loop of
/// Keras' `RNN` layer around a `SimpleRNNCell`, `LSTMCell` or `GRUCell`.
///
/// Shapes: batch `B`, time steps `T`, input features `F`, units `u` (`cell.units`), gates `G`
/// (`cell.gateCount`: SimpleRNN 1, LSTM 4, GRU 3). While a gradient is taken, the whole
/// sequence is one tape entry whose pullback runs a hand-written backward pass through time.
///
/// ```swift
/// let cell = RecurrentCell.lstm(units: 50)
/// let (output, states) = try recurrentSequence(
///   x, cell: cell, kernel: w, recurrentKernel: u, bias: b, returnSequences: true)
/// // output [B, T, 50]; states [h, c], each [B, 50]
/// ```
///
/// - Parameters:
///   - input: `[B, T, F]`, batch-major as in Keras.
///   - cell: the cell's kind, units and activations.
///   - kernel: `[F, G·u]`, gates in Keras' order (LSTM i, f, c, o; GRU z, r, h).
///   - recurrentKernel: `[u, G·u]`.
///   - bias: `[G·u]`; for GRU with `resetAfter`, `[2, G·u]` (input bias row, then recurrent bias
///     row); nil for `use_bias=False`.
///   - initialStates: `[h]`, or `[h, c]` for LSTM, each `[B, u]`; nil for zeros.
///   - mask: `[B, T]`, nonzero where a step is kept. A masked step leaves the states unchanged and
///     outputs the previous step's output (zero before the first kept step), as Keras does.
///   - inputDropoutMask: multiplied into the input at every step: `[B, F]` for all gates or
///     `[G, B, F]` one per gate (Keras 3 LSTM/GRU with `recurrent_dropout > 0`).
///   - recurrentDropoutMask: multiplied into the previous `h` before the recurrent product:
///     `[B, u]` for all gates or `[G, B, u]` one per gate, as the input mask.
///   - goBackwards: process the steps from last to first. The outputs stay in processing
///     order (Keras does not reverse them back).
///   - returnSequences: return the output of every step rather than only the last.
///   - zeroOutputForMask: output zeros at masked steps (Keras' `zero_output_for_mask`).
///   - precision: the precision of the matrix products, forward and backward (Keras'
///     `mixed_bfloat16` compute dtype: `.bfloat16`). In `.bfloat16` every product rounds both
///     operands to bfloat16 and accumulates in float32: the inputs (after any input dropout mask)
///     and `kernel` for `x·W`; each step's previous `h` (after any recurrent dropout mask) and
///     `recurrentKernel` for `h·U`; and backward, the gate gradients with `recurrentKernel`,
///     `kernel`, the inputs and the `h`s for `dh`, `dx` and the weight gradients. Biases, gate
///     activations, the states and the outputs stay float32. The weights are converted once per
///     call, not per step.
/// - Returns: `output` `[B, T, u]` with `returnSequences`, else `[B, u]`; `states` the final
///   `[h]` or `[h, c]`, each `[B, u]`.
/// - Throws: ``TensorError/invalidArgument(operation:_:)`` naming the cell and the shapes when
///   an operand's shape does not fit the input and the cell.
public func recurrentSequence(
  _ input: Tensor, cell: RecurrentCell, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor?,
  initialStates: [Tensor]? = nil, mask: Tensor? = nil, inputDropoutMask: Tensor? = nil,
  recurrentDropoutMask: Tensor? = nil, goBackwards: Bool = false, returnSequences: Bool = false,
  zeroOutputForMask: Bool = false, precision: MatMulPrecision = .float32
) throws -> (output: Tensor, states: [Tensor]) {
  let operands = RecurrentOperands(
    input: input, kernel: kernel, recurrentKernel: recurrentKernel, bias: bias, initialStates: initialStates ?? [],
    mask: mask, inputDropoutMask: inputDropoutMask, recurrentDropoutMask: recurrentDropoutMask)
  try validate(operands, cell: cell)
  let (b, t, f, u) = (input.shape[0], input.shape[1], input.shape[2], cell.units)
  let kernelDriver = RecurrentKernel(
    cell: cell, batch: b, steps: t, features: f,
    inputMaskCount: RecurrentOperands.maskCount(inputDropoutMask),
    recurrentMaskCount: RecurrentOperands.maskCount(recurrentDropoutMask),
    goBackwards: goBackwards, returnSequences: returnSequences, zeroOutputForMask: zeroOutputForMask,
    batchParts: RecurrentKernel.batchParts(batch: b), precision: precision)
  let outputSteps = kernelDriver.outputSteps
  let stateCount = cell.stateCount
  let differentiable = [input, kernel, recurrentKernel] + (bias.map { [$0] } ?? []) + operands.initialStates

  guard differentiable.contains(where: \.isRecorded) else {
    let output = TensorStorage(uninitializedCount: b * outputSteps * u)
    let states = (0..<stateCount).map { _ in TensorStorage(uninitializedCount: b * u) }
    let layout = RecurrentResultLayout(
      output: output.pointer, outputRowStride: outputSteps * u, states: states.map(\.pointer), stateRowStride: u)
    _ = kernelDriver.forward(operands, keepsHistory: false, into: layout)
    return (
      Tensor(shape: returnSequences ? [b, t, u] : [b, u], storage: output),
      states.map { Tensor(shape: [b, u], storage: $0) }
    )
  }

  // On the tape: one node producing the outputs and the states packed as [B, outputSteps + states, u],
  // then ordinary recorded slices of it.
  let packedSteps = outputSteps + stateCount
  let packed = TensorStorage(uninitializedCount: b * packedSteps * u)
  func packedLayout(_ base: UnsafeMutablePointer<Float>) -> RecurrentResultLayout {
    RecurrentResultLayout(
      output: base, outputRowStride: packedSteps * u, states: (0..<stateCount).map { base + (outputSteps + $0) * u },
      stateRowStride: packedSteps * u)
  }
  let trace = kernelDriver.forward(operands, keepsHistory: true, into: packedLayout(packed.pointer))
  let needs = RecurrentKernel.Needs(
    input: input.isRecorded,
    weights: kernel.isRecorded || recurrentKernel.isRecorded || (bias?.isRecorded ?? false),
    initialStates: operands.initialStates.contains(where: \.isRecorded))
  let hasBias = bias != nil
  let initialStateCount = operands.initialStates.count
  let result = Tensor(shape: [b, packedSteps, u], storage: packed).recorded(from: differentiable) { gradient in
    let gradients = gradient.withUnsafeBufferPointer { g in
      kernelDriver.backward(
        operands, trace: trace, gradients: packedLayout(UnsafeMutablePointer(mutating: g.baseAddress!)), needs: needs)
    }
    var inputGradients: [Tensor?] = [gradients.input, gradients.kernel, gradients.recurrentKernel]
    if hasBias { inputGradients.append(gradients.bias) }
    for k in 0..<initialStateCount {
      inputGradients.append(gradients.initialStates.isEmpty ? nil : gradients.initialStates[k])
    }
    return inputGradients
  }
  let outputs = try result.slice(axis: 1, 0..<outputSteps)
  let states = try (0..<stateCount).map { k in
    try result.slice(axis: 1, (outputSteps + k)..<(outputSteps + k + 1)).reshaped(to: [b, u])
  }
  return (returnSequences ? outputs : try outputs.reshaped(to: [b, u]), states)
}

/// Checks every operand's shape against the input `[B, T, F]` and the cell.
private func validate(_ operands: RecurrentOperands, cell: RecurrentCell) throws {
  func failure(_ reason: String) -> TensorError {
    .invalidArgument(operation: "recurrentSequence", "\(cell): \(reason)")
  }
  guard cell.units > 0 else { throw failure("units must be positive") }
  let input = operands.input
  guard input.rank == 3 else { throw failure("input must have shape [B, T, F], got \(input.shape)") }
  let (b, t, f, u, g) = (input.shape[0], input.shape[1], input.shape[2], cell.units, cell.gateCount)
  guard t > 0 else { throw failure("input of shape \(input.shape) has no time steps") }
  func check(_ name: String, _ tensor: Tensor, _ expected: [[Int]]) throws {
    guard expected.contains(tensor.shape) else {
      let shapes = expected.map { "\($0)" }.joined(separator: " or ")
      throw failure("\(name) has shape \(tensor.shape), expected \(shapes) for input of shape \(input.shape)")
    }
  }
  try check("kernel", operands.kernel, [cell.kernelShape(features: f)])
  try check("recurrent kernel", operands.recurrentKernel, [cell.recurrentKernelShape])
  if let bias = operands.bias { try check("bias", bias, [cell.biasShape]) }
  if !operands.initialStates.isEmpty {
    guard operands.initialStates.count == cell.stateCount else {
      throw failure("\(operands.initialStates.count) initial states given, the cell has \(cell.stateCount)")
    }
    for (k, state) in operands.initialStates.enumerated() { try check("initial state \(k)", state, [[b, u]]) }
  }
  if let mask = operands.mask { try check("mask", mask, [[b, t]]) }
  if let mask = operands.inputDropoutMask { try check("input dropout mask", mask, [[b, f], [g, b, f]]) }
  if let mask = operands.recurrentDropoutMask { try check("recurrent dropout mask", mask, [[b, u], [g, b, u]]) }
}
