import CDNNL

/// The fused loop over time behind SimpleRNN, LSTM and GRU: one forward pass over the whole
/// sequence and its hand-written backward pass through time.
///
/// Shapes: batch `B`, steps `T`, features `F`, units `u`, gates `G` (see ``RecurrentCell``).
/// The input products `x·W` of all steps are one GEMM over step-major rows; each step then
/// does one GEMM `h·U` and one loop over its rows for the gate math (bias included). The
/// backward pass collects every step's gate gradients so that `dW` and `dU` are one GEMM
/// each over all `T·B` rows at the end, and multiplies by a transposed copy of `U` per step.
/// With more than one GEMM thread and at least 8 rows per thread, the batch rows are split
/// across the threads for a whole pass, each thread running single-threaded GEMMs.
///
/// Masking follows Keras' TensorFlow `rnn()`: a masked step leaves the states unchanged and
/// outputs the previous step's output (zero before the first unmasked step), or zero with
/// `zeroOutputForMask`. Outputs are in processing order, so going backwards they are reversed.
struct RecurrentKernel {
  let cell: RecurrentCell
  let batch: Int
  let steps: Int
  let features: Int
  /// Input dropout masks: 0, 1 (shared by the gates) or `G`.
  let inputMaskCount: Int
  /// Recurrent dropout masks: 0, 1 (shared by the gates) or `G`.
  let recurrentMaskCount: Int
  let goBackwards: Bool
  let returnSequences: Bool
  let zeroOutputForMask: Bool
  /// How many slices of the batch rows run the steps in parallel, each on its own thread.
  let batchParts: Int
  /// The precision of every matrix product: the input products `x·W`, the step products `h·U`,
  /// and backward `dG·Uᵀ`, `dG·Wᵀ` and the weight gradients. In `.bfloat16` both operands of each
  /// are rounded to bfloat16 (each step's `h` too, after any recurrent dropout mask; the states
  /// themselves stay float32) and the products accumulated in float32; biases, gate math, state
  /// updates and the sums over steps stay float32.
  var precision: MatMulPrecision = .float32

  /// The rows of one batch part (the first; the others have as many or one more).
  var partRows: Int { batch / batchParts }

  var units: Int { cell.units }
  var gateWidth: Int { cell.gateCount * cell.units }
  var outputSteps: Int { returnSequences ? steps : 1 }

  /// GRU with the reset gate before the recurrent product (Keras' `reset_after=False`), whose
  /// candidate gate multiplies `r·h` rather than `h` by `U_h`.
  var resetsBefore: Bool { cell.kind == .gru(resetAfter: false) }

  /// Groups of gates sharing one input product.
  var inputGroups: [GateGroup] { GateGroup.groups(gates: cell.gateCount, maskCount: inputMaskCount) }

  /// Groups of gates sharing one recurrent product `h·U` (all but the candidate of `resetsBefore`).
  var recurrentGroups: [GateGroup] {
    GateGroup.groups(gates: resetsBefore ? 2 : cell.gateCount, maskCount: recurrentMaskCount)
  }

  /// The recurrent dropout mask that the candidate gate of `resetsBefore` uses.
  var candidateOperand: Int { recurrentMaskCount > 1 ? 2 : 0 }

  /// The input time step processed at step `s`.
  @inline(__always)
  func inputTime(ofStep s: Int) -> Int { goBackwards ? steps - 1 - s : s }

  /// The input bias row and the recurrent bias row (zeros when absent), `G·u` each.
  private func biasRows(_ bias: Tensor?) -> ScratchBuffer {
    let rows = ScratchBuffer(zeros: 2 * gateWidth)
    if let bias { rows.pointer.update(from: bias.storage.pointer, count: bias.count) }
    return rows
  }

  /// A dropout mask row pointer, or nil without masks.
  @inline(__always)
  private func maskRows(_ mask: Tensor?, operand: Int, rowWidth: Int) -> UnsafeMutablePointer<Float>? {
    guard let mask else { return nil }
    return mask.storage.pointer + (mask.rank == 2 ? 0 : operand * batch * rowWidth)
  }

  // MARK: Forward

  /// Runs the sequence, writing the outputs and final states to `result`; the returned trace
  /// holds what ``backward(_:trace:gradients:needs:)`` needs when `keepsHistory` is set.
  func forward(_ operands: RecurrentOperands, keepsHistory: Bool, into result: RecurrentResultLayout) -> RecurrentTrace
  {
    let (b, t, f, u, width) = (batch, steps, features, units, gateWidth)
    let trace = RecurrentTrace(kernel: self, operands: operands, keepsHistory: keepsHistory)

    // The input in step-major rows (times each input dropout mask), then x·W for all steps.
    // Steps that multiply their own inputs read them where they are when nothing else needs
    // the copy (no backward pass, no mask).
    let x = operands.input.storage.pointer
    let stepwise = Self.multipliesInputPerStep
    let readsInputInPlace = stepwise && !keepsHistory && inputMaskCount == 0
    for operand in 0..<(readsInputInPlace ? 0 : Swift.max(1, inputMaskCount)) {
      let rows = ScratchBuffer(count: t * b * f)
      let dropout = maskRows(operands.inputDropoutMask, operand: operand, rowWidth: f)
      for s in 0..<t {
        let time = inputTime(ofStep: s)
        for row in 0..<b {
          let source = x + (row * t + time) * f
          let target = rows.pointer + (s * b + row) * f
          if let dropout {
            let m = dropout + row * f
            for k in 0..<f { target[k] = source[k] * m[k] }
          } else {
            target.update(from: source, count: f)
          }
        }
      }
      trace.stepInputs.append(rows)
    }
    let w = operands.kernel.storage.pointer
    let projection = ScratchBuffer(count: (stepwise ? 1 : t) * b * width)
    if !stepwise {
      for group in inputGroups {
        let column = group.firstGate * u
        partitionedGEMM(
          m: t * b, n: group.gateCount * u, k: f, a: trace.stepInputs[group.operand].pointer, lda: f, b: w + column,
          ldb: width, c: projection.pointer + column, ldc: width)
      }
    }

    // Initial states.
    let initial = operands.initialStates
    for k in 0..<cell.stateCount {
      let target = k == 0 ? trace.hidden(after: 0) : trace.carry(after: 0)
      if initial.isEmpty {
        target.initialize(repeating: 0, count: b * u)
      } else {
        target.update(from: initial[k].storage.pointer, count: b * u)
      }
    }

    let recurrentKernel = operands.recurrentKernel.storage.pointer
    let pass = ForwardPass(
      trace: trace, projection: projection, inputInPlace: readsInputInPlace ? x : nil,
      inputMatrices: stepwise
        ? inputGroups.map {
          StepMatrix(
            w + $0.firstGate * u, ldb: width, k: f, n: $0.gateCount * u, precision: precision, rows: partRows,
            ldc: width)
        } : [],
      products: ScratchBuffer(count: b * width), biases: biasRows(operands.bias),
      recurrentMatrices: recurrentGroups.map {
        StepMatrix(
          recurrentKernel + $0.firstGate * u, ldb: width, k: u, n: $0.gateCount * u, precision: precision,
          rows: partRows, ldc: width, accumulate: addsProductToProjection)
      },
      recurrentKernel: recurrentKernel, startsFromZero: operands.initialStates.isEmpty,
      recurrentDropoutMask: operands.recurrentDropoutMask, result: result)
    forEachBatchPart { _, rows in
      for s in 0..<t { forwardStep(s, rows: rows, pass) }
    }
    for row in 0..<b {
      result.states[0].advanced(by: row * result.stateRowStride).update(
        from: trace.hidden(after: t) + row * u, count: u)
      if cell.kind == .lstm {
        result.states[1].advanced(by: row * result.stateRowStride).update(
          from: trace.carry(after: t) + row * u, count: u)
      }
    }
    return trace
  }

  /// What every step of a forward pass reads and writes.
  struct ForwardPass: @unchecked Sendable {
    let trace: RecurrentTrace
    /// `x·W` of every step, `[T·B, G·u]`, or of the current step, `[B, G·u]`, when
    /// `inputMatrices` is not empty.
    let projection: ScratchBuffer
    /// The `[B, T, F]` input, when the steps read it in place rather than from `trace.stepInputs`.
    let inputInPlace: UnsafeMutablePointer<Float>?
    /// `W`'s columns per input group, when each step multiplies its own inputs (``multipliesInputPerStep``).
    let inputMatrices: [StepMatrix]
    /// `h·U` of the current step, `[B, G·u]`.
    let products: ScratchBuffer
    let biases: ScratchBuffer
    /// `U`'s columns per recurrent group.
    let recurrentMatrices: [StepMatrix]
    let recurrentKernel: UnsafeMutablePointer<Float>
    /// Whether the states before the first step are zeros (no initial states given).
    let startsFromZero: Bool
    let recurrentDropoutMask: Tensor?
    let result: RecurrentResultLayout
  }

  /// Step `s` for the batch rows `rows`: the recurrent products, the gate math and the outputs.
  private func forwardStep(_ s: Int, rows: Range<Int>, _ pass: ForwardPass) {
    let (b, u, width) = (batch, units, gateWidth)
    let (trace, products, first) = (pass.trace, pass.products.pointer, rows.lowerBound)
    let previous = trace.hidden(after: s)
    for operand in 0..<recurrentMaskCount {
      let dropped = trace.recurrentOperand(operand, step: s)
      let mask = maskRows(pass.recurrentDropoutMask, operand: operand, rowWidth: u)!
      for k in (first * u)..<(rows.upperBound * u) { dropped[k] = previous[k] * mask[k] }
    }
    // LSTM and SimpleRNN add h·U to the step's x·W rows in the GEMM itself (beta 1: one
    // rounding of the sum, as when adding a separate product); GRU needs h·U on its own.
    let projection: UnsafeMutablePointer<Float>
    if !pass.inputMatrices.isEmpty {
      projection = pass.projection.pointer
      for (group, w) in zip(inputGroups, pass.inputMatrices) {
        let column = group.firstGate * u
        let (input, lda) =
          pass.inputInPlace.map { ($0 + (first * steps + inputTime(ofStep: s)) * features, steps * features) }
          ?? (trace.stepInputs[group.operand].pointer + (s * b + first) * features, features)
        Self.stepProduct(
          m: rows.count, n: group.gateCount * u, k: features, a: input, lda: lda, b: w, accumulate: false,
          c: projection + first * width + column, ldc: width)
      }
    } else {
      projection = pass.projection.pointer + s * b * width
    }
    let accumulates = addsProductToProjection
    // From zero states the first step's h·U is zero: LSTM and SimpleRNN, which add it to x·W,
    // skip it (the sum is the same, exactly).
    let skipsProduct = s == 0 && pass.startsFromZero && accumulates
    for (group, recurrentKernel) in zip(recurrentGroups, pass.recurrentMatrices) where !skipsProduct {
      let column = group.firstGate * u
      Self.stepProduct(
        m: rows.count, n: group.gateCount * u, k: u, a: trace.recurrentOperand(group.operand, step: s) + first * u,
        lda: u, b: recurrentKernel, accumulate: accumulates,
        c: (accumulates ? projection : products) + first * width + column, ldc: width)
    }
    let step = ForwardStep(
      projection: projection, products: accumulates ? nil : products, gates: trace.gates(step: s),
      keepsGates: trace.keepsHistory, auxiliary: trace.auxiliary?.pointer.advanced(by: trace.stepOffset(s) * u),
      hiddenBefore: previous, hiddenAfter: trace.hidden(after: s + 1),
      carryBefore: trace.carry == nil ? nil : trace.carry(after: s),
      carryAfter: trace.carry == nil ? nil : trace.carry(after: s + 1),
      inputBias: pass.biases.pointer, recurrentBias: pass.biases.pointer + width)
    switch cell.kind {
    case .simpleRNN: for row in rows { simpleRNNForward(step, row: row) }
    case .lstm: for row in rows { lstmForward(step, row: row) }
    case .gru(resetAfter: true): for row in rows { gruForward(step, row: row) }
    case .gru(resetAfter: false):
      let operand = trace.recurrentOperand(candidateOperand, step: s)
      for row in rows { gruResetBeforeGates(step, row: row, operand: operand) }
      Self.stepProduct(
        m: rows.count, n: u, k: u, a: step.auxiliary! + first * u, lda: u, b: pass.recurrentKernel + 2 * u,
        ldb: width, accumulate: false, c: products + first * width + 2 * u, ldc: width, precision: precision)
      for row in rows { gruResetBeforeCandidate(step, row: row) }
    }
    finishStep(s, rows: rows, step: step, trace: trace, result: pass.result)
  }

  /// Whether the per-step `h·U` accumulates into the step's `x·W` rows (LSTM, SimpleRNN).
  private var addsProductToProjection: Bool { cell.kind == .lstm || cell.kind == .simpleRNN }

  /// Keeps the states of masked rows and writes the step's outputs.
  private func finishStep(
    _ s: Int, rows: Range<Int>, step: ForwardStep, trace: RecurrentTrace, result: RecurrentResultLayout
  ) {
    let u = units
    for row in rows {
      let index = s * batch + row
      let hNext = step.hiddenAfter + row * u
      if !trace.updates(row: index) {
        hNext.update(from: step.hiddenBefore + row * u, count: u)
        if let carry = step.carryAfter { (carry + row * u).update(from: step.carryBefore! + row * u, count: u) }
      }
      guard returnSequences || s == steps - 1 else { continue }
      let target = result.output + row * result.outputRowStride + (returnSequences ? s * u : 0)
      if trace.outputShowsState?[index] ?? true {
        target.update(from: hNext, count: u)
      } else {
        target.update(repeating: 0, count: u)
      }
    }
  }

  // MARK: Backward

  /// Which gradients the caller wants; the others are not computed.
  struct Needs {
    var input = true
    var weights = true
    var initialStates = true
  }

  /// The gradients of one call, shaped as the operands (nil where not needed).
  struct Gradients {
    var input: Tensor?
    var kernel: Tensor?
    var recurrentKernel: Tensor?
    var bias: Tensor?
    var initialStates: [Tensor] = []
  }

  /// Backpropagation through time: from the gradients of the outputs and the final states
  /// (laid out as the forward's result) to the gradients of the operands.
  func backward(
    _ operands: RecurrentOperands, trace: RecurrentTrace, gradients incoming: RecurrentResultLayout, needs: Needs
  ) -> Gradients {
    precondition(trace.keepsHistory, "RecurrentKernel.backward needs a forward trace with history")
    let (b, t, f, u, width) = (batch, steps, features, units, gateWidth)
    let rows = t * b

    // Gradients of the states after the last step, then of the states before each step.
    let hiddenGradient = TensorStorage(uninitializedCount: b * u)  // becomes dh0
    let carryGradient = TensorStorage(repeating: 0, count: cell.kind == .lstm ? b * u : 0)
    for row in 0..<b {
      let dh = hiddenGradient.pointer + row * u
      dh.update(from: incoming.states[0] + row * incoming.stateRowStride, count: u)
      if cell.kind == .lstm {
        (carryGradient.pointer + row * u).update(from: incoming.states[1] + row * incoming.stateRowStride, count: u)
      }
      if !returnSequences && (trace.outputShowsState?[(t - 1) * b + row] ?? true) {
        let g = incoming.output + row * incoming.outputRowStride
        for j in 0..<u { dh[j] += g[j] }
      }
    }

    // Gate gradients by step (pre-activation); GRU with reset after needs a separate copy
    // for the recurrent side, whose candidate column is multiplied by r.
    let gateGradients = ScratchBuffer(count: rows * width)
    let recurrentGateGradients =
      cell.hasRecurrentBias ? ScratchBuffer(count: rows * width) : gateGradients
    let transposedRecurrentKernel = Self.transposed(operands.recurrentKernel.storage.pointer, rows: u, columns: width)
    let pass = BackwardPass(
      trace: trace, incoming: incoming, gateGradients: gateGradients, recurrentGateGradients: recurrentGateGradients,
      transposedRecurrentKernel: transposedRecurrentKernel,
      transposedMatrices: recurrentGroups.map {
        StepMatrix(
          transposedRecurrentKernel.pointer + $0.firstGate * u * u, ldb: u, k: $0.gateCount * u, n: u,
          precision: precision, rows: partRows, ldc: u, accumulate: operands.recurrentDropoutMask == nil)
      },
      stateProduct: ScratchBuffer(count: b * u), hiddenGradient: hiddenGradient.pointer,
      carryGradient: carryGradient.pointer, needsInitialStateGradients: needs.initialStates,
      recurrentDropoutMask: operands.recurrentDropoutMask)
    // Bias gradients per batch part (input row, recurrent row), summed after.
    let biasGradients = ScratchBuffer(zeros: batchParts * 2 * width)
    forEachBatchPart { part, rows in
      for s in stride(from: t - 1, through: 0, by: -1) {
        backwardStep(s, rows: rows, pass, biasGradients: biasGradients.pointer + part * 2 * width)
      }
    }
    for part in 1..<batchParts {
      for k in 0..<(2 * width) { biasGradients.pointer[k] += biasGradients.pointer[part * 2 * width + k] }
    }

    var result = Gradients()
    if needs.weights {
      result.kernel = weightGradients(
        operands: { trace.stepInputs[$0].pointer }, groups: inputGroups, gateGradients: gateGradients.pointer,
        operandWidth: f)
      // From zero states the first step's rows of h are zeros and add nothing to dU: skipped.
      var recurrentKernelGradient = weightGradients(
        operands: { trace.droppedHidden.isEmpty ? trace.hidden.pointer : trace.droppedHidden[$0].pointer },
        groups: recurrentGroups, gateGradients: recurrentGateGradients.pointer, operandWidth: u,
        skippingFirstStep: operands.initialStates.isEmpty)
      if resetsBefore {
        recurrentKernelGradient.withUnsafeMutableBufferPointer { dU in
          reducedGEMM(
            m: u, n: u, k: rows, a: trace.auxiliary!.pointer, lda: u,
            b: gateGradients.pointer + 2 * u, ldb: width, c: dU.baseAddress! + 2 * u, ldc: width)
        }
      }
      result.recurrentKernel = recurrentKernelGradient
      if let bias = operands.bias {
        result.bias = Tensor(shape: bias.shape) {
          $0.baseAddress!.update(from: biasGradients.pointer, count: bias.count)
        }
      }
    }
    if needs.input {
      result.input = inputGradient(operands, gateGradients: gateGradients.pointer)
    }
    if needs.initialStates {
      result.initialStates = [Tensor(shape: [b, u], storage: hiddenGradient)]
      if cell.kind == .lstm { result.initialStates.append(Tensor(shape: [b, u], storage: carryGradient)) }
    }
    return result
  }

  /// What every step of a backward pass reads and writes.
  struct BackwardPass: @unchecked Sendable {
    let trace: RecurrentTrace
    let incoming: RecurrentResultLayout
    let gateGradients: ScratchBuffer
    let recurrentGateGradients: ScratchBuffer
    /// `Uᵀ`, `[G·u, u]`, so that the per-step product is untransposed (faster in oneDNN).
    let transposedRecurrentKernel: ScratchBuffer
    /// `Uᵀ`'s rows per recurrent group.
    let transposedMatrices: [StepMatrix]
    /// `[B, u]` products before they are multiplied by a dropout mask.
    let stateProduct: ScratchBuffer
    let hiddenGradient: UnsafeMutablePointer<Float>
    let carryGradient: UnsafeMutablePointer<Float>
    /// Whether the gradients of the states before the first step are wanted (else the first
    /// step's `dG·Uᵀ` is skipped: nothing reads it).
    let needsInitialStateGradients: Bool
    let recurrentDropoutMask: Tensor?
  }

  /// Step `s` backwards for the batch rows `rows`: gate gradients from the state gradients,
  /// then the state gradients before the step.
  private func backwardStep(
    _ s: Int, rows: Range<Int>, _ pass: BackwardPass, biasGradients: UnsafeMutablePointer<Float>
  ) {
    let (b, u, width) = (batch, units, gateWidth)
    let (trace, incoming, first) = (pass.trace, pass.incoming, rows.lowerBound)
    let (hiddenGradient, stateProduct) = (pass.hiddenGradient, pass.stateProduct.pointer)
    let transposedRecurrentKernel = pass.transposedRecurrentKernel.pointer
    let step = BackwardStep(
      gates: trace.gates(step: s), auxiliary: trace.auxiliary?.pointer.advanced(by: trace.stepOffset(s) * u),
      hiddenBefore: trace.hidden(after: s), carryBefore: trace.carry == nil ? nil : trace.carry(after: s),
      hiddenGradient: hiddenGradient, carryGradient: pass.carryGradient,
      gateGradients: pass.gateGradients.pointer + s * b * width,
      recurrentGateGradients: pass.recurrentGateGradients.pointer + s * b * width,
      inputBiasGradient: biasGradients, recurrentBiasGradient: biasGradients + width)
    for row in rows {
      let index = s * b + row
      if returnSequences && (trace.outputShowsState?[index] ?? true) {
        let (dh, g) = (hiddenGradient + row * u, incoming.output + row * incoming.outputRowStride + s * u)
        for j in 0..<u { dh[j] += g[j] }
      }
      if !trace.updates(row: index) {
        // The states passed through unchanged: their gradients pass back as they are.
        (step.gateGradients + row * width).update(repeating: 0, count: width)
        if cell.hasRecurrentBias { (step.recurrentGateGradients + row * width).update(repeating: 0, count: width) }
        continue
      }
      switch cell.kind {
      case .simpleRNN: simpleRNNBackward(step, row: row)
      case .lstm: lstmBackward(step, row: row)
      case .gru(resetAfter: true): gruBackward(step, row: row)
      case .gru(resetAfter: false): gruMixBackward(step, row: row)
      }
    }
    if resetsBefore {
      // d(r·h) = d(candidate pre-activation) · U_hᵀ, then the reset gate's gradient.
      Self.stepProduct(
        m: rows.count, n: u, k: u, a: step.gateGradients + first * width + 2 * u, lda: width,
        b: transposedRecurrentKernel + 2 * u * u, ldb: u, accumulate: false, c: stateProduct + first * u, ldc: u,
        precision: precision)
      let operand = trace.recurrentOperand(candidateOperand, step: s)
      let dropout = maskRows(pass.recurrentDropoutMask, operand: candidateOperand, rowWidth: u)
      for row in rows where trace.updates(row: s * b + row) {
        gruResetBeforeGatesBackward(
          step, row: row, resetHiddenGradient: stateProduct + row * u, operand: operand + row * u,
          dropout: dropout.map { $0 + row * u })
      }
    }
    // dh_{s-1} += d(gates) · Uᵀ, times the recurrent dropout mask.
    let skipsProduct = s == 0 && !pass.needsInitialStateGradients
    for (group, transposedKernel) in zip(recurrentGroups, pass.transposedMatrices) where !skipsProduct {
      let column = group.firstGate * u
      let dropout = maskRows(pass.recurrentDropoutMask, operand: group.operand, rowWidth: u)
      Self.stepProduct(
        m: rows.count, n: u, k: group.gateCount * u, a: step.recurrentGateGradients + first * width + column,
        lda: width, b: transposedKernel, accumulate: dropout == nil,
        c: (dropout == nil ? hiddenGradient : stateProduct) + first * u, ldc: u)
      if let dropout {
        for k in (first * u)..<(rows.upperBound * u) { hiddenGradient[k] += stateProduct[k] * dropout[k] }
      }
    }
  }

  /// `operandᵀ · gate gradients` over all `T·B` rows (the first step's `B` rows left out when
  /// `skippingFirstStep`: zero operands), one GEMM per group: `[operandWidth, G·u]`.
  ///
  /// The columns of gates outside the groups (GRU reset-before's candidate) are left for the caller.
  private func weightGradients(
    operands: (Int) -> UnsafeMutablePointer<Float>, groups: [GateGroup], gateGradients: UnsafeMutablePointer<Float>,
    operandWidth: Int, skippingFirstStep: Bool = false
  ) -> Tensor {
    let (u, width) = (units, gateWidth)
    let skipped = skippingFirstStep ? batch : 0
    return Tensor(shape: [operandWidth, width]) { gradient in
      for group in groups {
        let column = group.firstGate * u
        reducedGEMM(
          m: operandWidth, n: group.gateCount * u, k: steps * batch - skipped,
          a: operands(group.operand) + skipped * operandWidth, lda: operandWidth,
          b: gateGradients + skipped * width + column, ldb: width, c: gradient.baseAddress! + column, ldc: width)
      }
    }
  }

  /// `dx = gate gradients · Wᵀ` (times the input dropout masks), back in `[B, T, F]` order.
  private func inputGradient(_ operands: RecurrentOperands, gateGradients: UnsafeMutablePointer<Float>) -> Tensor {
    let (b, t, f, u, width) = (batch, steps, features, units, gateWidth)
    let transposedKernel = Self.transposed(operands.kernel.storage.pointer, rows: f, columns: width)
    let stepMajor = inputMaskCount > 0 ? ScratchBuffer(zeros: t * b * f) : ScratchBuffer(count: t * b * f)
    let product = inputMaskCount > 0 ? ScratchBuffer(count: t * b * f) : stepMajor
    for group in inputGroups {
      let column = group.firstGate * u
      partitionedGEMM(
        splittingRows: true, m: t * b, n: f, k: group.gateCount * u, a: gateGradients + column, lda: width,
        b: transposedKernel.pointer + column * f, ldb: f, c: product.pointer, ldc: f)
      if let dropout = maskRows(operands.inputDropoutMask, operand: group.operand, rowWidth: f) {
        for s in 0..<t {
          for row in 0..<b {
            let (target, source, m) = (
              stepMajor.pointer + (s * b + row) * f, product.pointer + (s * b + row) * f, dropout + row * f
            )
            for k in 0..<f { target[k] += source[k] * m[k] }
          }
        }
      }
    }
    return Tensor(shape: [b, t, f]) { dx in
      for s in 0..<t {
        let time = inputTime(ofStep: s)
        for row in 0..<b {
          (dx.baseAddress! + (row * t + time) * f).update(from: stepMajor.pointer + (s * b + row) * f, count: f)
        }
      }
    }
  }

  /// A row-major `[columns, rows]` copy of the `[rows, columns]` matrix at `source`.
  static func transposed(_ source: UnsafePointer<Float>, rows: Int, columns: Int) -> ScratchBuffer {
    let result = ScratchBuffer(count: rows * columns)
    for i in 0..<rows {
      for j in 0..<columns { result.pointer[j * rows + i] = source[i * columns + j] }
    }
    return result
  }
}
