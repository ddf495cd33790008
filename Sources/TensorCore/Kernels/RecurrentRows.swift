import CDNNL

// The per-row gate math of RecurrentKernel for one step, forward and backward, per cell kind.

extension RecurrentKernel {
  /// Pointers to one step's rows for the forward row functions.
  struct ForwardStep {
    /// `x·W` of the step, plus `h·U` when `products` is nil.
    let projection: UnsafeMutablePointer<Float>
    /// `h·U` of the step (GRU), or nil when it is already in `projection`.
    let products: UnsafeMutablePointer<Float>?
    let gates: UnsafeMutablePointer<Float>
    /// Whether a backward pass reads `gates` and `auxiliary` (else the vector kernels skip them).
    let keepsGates: Bool
    let auxiliary: UnsafeMutablePointer<Float>?
    let hiddenBefore: UnsafeMutablePointer<Float>
    let hiddenAfter: UnsafeMutablePointer<Float>
    let carryBefore: UnsafeMutablePointer<Float>?
    let carryAfter: UnsafeMutablePointer<Float>?
    let inputBias: UnsafeMutablePointer<Float>
    let recurrentBias: UnsafeMutablePointer<Float>
  }

  /// `h' = act(x·W + h·U + b)`.
  func simpleRNNForward(_ step: ForwardStep, row: Int) {
    let u = units
    let (x, h, a) = (step.projection + row * u, step.products.map { $0 + row * u }, step.gates + row * u)
    if FastMath.hasAVX512 && cell.activation == .tanh {
      skgate512_rnn_tanh_forward_row(x, h, step.inputBias, a, step.hiddenAfter + row * u, u)
      return
    }
    if FastMath.hasAVX2 && cell.activation == .tanh {
      skgate_rnn_tanh_forward_row(x, h, step.inputBias, a, step.hiddenAfter + row * u, u)
      return
    }
    if let h {
      for j in 0..<u { a[j] = x[j] + h[j] + step.inputBias[j] }
    } else {
      for j in 0..<u { a[j] = x[j] + step.inputBias[j] }
    }
    cell.activation.apply(a, count: u)
    step.hiddenAfter.advanced(by: row * u).update(from: a, count: u)
  }

  /// Whether the LSTM rows can run through the fused AVX2 kernels of `gate_kernels.h` (Keras'
  /// default activations on a CPU with AVX2 and FMA).
  private var hasVectorLSTMGates: Bool {
    FastMath.hasAVX2 && cell.activation == .tanh && cell.recurrentActivation == .sigmoid
  }

  /// Gates i, f, c, o; `c' = f·c + i·g`, `h' = o·act(c')`.
  func lstmForward(_ step: ForwardStep, row: Int) {
    let (u, width) = (units, gateWidth)
    let (x, h, a) = (step.projection + row * width, step.products.map { $0 + row * width }, step.gates + row * width)
    if hasVectorLSTMGates {
      let (gates, activated) = step.keepsGates ? (a, step.auxiliary! + row * u) : (nil, nil)
      let (carry, carryNext, hiddenNext) = (
        step.carryBefore! + row * u, step.carryAfter! + row * u, step.hiddenAfter + row * u
      )
      if FastMath.hasAVX512 {
        skgate512_lstm_forward_row(x, h, step.inputBias, gates, carry, carryNext, activated, hiddenNext, u)
      } else {
        skgate_lstm_forward_row(x, h, step.inputBias, gates, carry, carryNext, activated, hiddenNext, u)
      }
      return
    }
    if let h {
      for k in 0..<width { a[k] = x[k] + h[k] + step.inputBias[k] }
    } else {
      for k in 0..<width { a[k] = x[k] + step.inputBias[k] }
    }
    cell.recurrentActivation.apply(a, count: 2 * u)
    cell.activation.apply(a + 2 * u, count: u)
    cell.recurrentActivation.apply(a + 3 * u, count: u)
    let (i, f, g, o) = (a, a + u, a + 2 * u, a + 3 * u)
    let (c, cNext, activated) = (step.carryBefore! + row * u, step.carryAfter! + row * u, step.auxiliary! + row * u)
    for j in 0..<u {
      cNext[j] = f[j] * c[j] + i[j] * g[j]
      activated[j] = cNext[j]
    }
    cell.activation.apply(activated, count: u)
    let hNext = step.hiddenAfter + row * u
    for j in 0..<u { hNext[j] = o[j] * activated[j] }
  }

  /// Gates z, r, hh with the reset gate after the product: `hh = act(x·W_h + b_ih + r·(h·U_h + b_rh))`.
  func gruForward(_ step: ForwardStep, row: Int) {
    let (u, width) = (units, gateWidth)
    let (x, h, a) = (step.projection + row * width, step.products! + row * width, step.gates + row * width)
    let (bx, bh) = (step.inputBias, step.recurrentBias)
    for k in 0..<(2 * u) { a[k] = (x[k] + bx[k]) + (h[k] + bh[k]) }
    cell.recurrentActivation.apply(a, count: 2 * u)
    let recurrentCandidate = step.auxiliary! + row * u
    for j in 0..<u {
      recurrentCandidate[j] = h[2 * u + j] + bh[2 * u + j]
      a[2 * u + j] = (x[2 * u + j] + bx[2 * u + j]) + a[u + j] * recurrentCandidate[j]
    }
    cell.activation.apply(a + 2 * u, count: u)
    gruMix(step, row: row)
  }

  /// Gates z and r of a GRU with the reset gate before the product, and `r·h` for the candidate's product.
  func gruResetBeforeGates(_ step: ForwardStep, row: Int, operand: UnsafeMutablePointer<Float>) {
    let (u, width) = (units, gateWidth)
    let (x, h, a) = (step.projection + row * width, step.products! + row * width, step.gates + row * width)
    for k in 0..<(2 * u) { a[k] = (x[k] + step.inputBias[k]) + h[k] }
    cell.recurrentActivation.apply(a, count: 2 * u)
    let (resetHidden, previous) = (step.auxiliary! + row * u, operand + row * u)
    for j in 0..<u { resetHidden[j] = a[u + j] * previous[j] }
  }

  /// The candidate `hh = act(x·W_h + b_h + (r·h)·U_h)` of a GRU with the reset gate before the product.
  func gruResetBeforeCandidate(_ step: ForwardStep, row: Int) {
    let (u, width) = (units, gateWidth)
    let (x, h, a) = (step.projection + row * width, step.products! + row * width, step.gates + row * width)
    for j in (2 * u)..<width { a[j] = (x[j] + step.inputBias[j]) + h[j] }
    cell.activation.apply(a + 2 * u, count: u)
    gruMix(step, row: row)
  }

  /// `h' = z·h + (1 - z)·hh`.
  @inline(__always)
  private func gruMix(_ step: ForwardStep, row: Int) {
    let u = units
    let a = step.gates + row * gateWidth
    let (z, candidate) = (a, a + 2 * u)
    let (h, hNext) = (step.hiddenBefore + row * u, step.hiddenAfter + row * u)
    for j in 0..<u { hNext[j] = z[j] * h[j] + (1 - z[j]) * candidate[j] }
  }

  /// Pointers to one step's rows for the backward row functions.
  struct BackwardStep {
    let gates: UnsafeMutablePointer<Float>
    let auxiliary: UnsafeMutablePointer<Float>?
    let hiddenBefore: UnsafeMutablePointer<Float>
    let carryBefore: UnsafeMutablePointer<Float>?
    /// In: the gradient of the state after the step; out: its part passed directly to the state before.
    let hiddenGradient: UnsafeMutablePointer<Float>
    let carryGradient: UnsafeMutablePointer<Float>
    let gateGradients: UnsafeMutablePointer<Float>
    let recurrentGateGradients: UnsafeMutablePointer<Float>
    let inputBiasGradient: UnsafeMutablePointer<Float>
    let recurrentBiasGradient: UnsafeMutablePointer<Float>
  }

  func simpleRNNBackward(_ step: BackwardStep, row: Int) {
    let u = units
    let (dh, da, a) = (step.hiddenGradient + row * u, step.gateGradients + row * u, step.gates + row * u)
    if FastMath.hasAVX2 && cell.activation == .tanh {
      if FastMath.hasAVX512 {
        skgate512_rnn_tanh_backward_row(a, dh, da, step.inputBiasGradient, u)
      } else {
        skgate_rnn_tanh_backward_row(a, dh, da, step.inputBiasGradient, u)
      }
      return
    }
    da.update(from: dh, count: u)
    cell.activation.multiplyByDerivative(da, outputs: a, count: u)
    for j in 0..<u {
      step.inputBiasGradient[j] += da[j]
      dh[j] = 0
    }
  }

  func lstmBackward(_ step: BackwardStep, row: Int) {
    let (u, width) = (units, gateWidth)
    let (a, da) = (step.gates + row * width, step.gateGradients + row * width)
    let (i, f, g, o) = (a, a + u, a + 2 * u, a + 3 * u)
    let (dh, dc) = (step.hiddenGradient + row * u, step.carryGradient + row * u)
    let (c, activated) = (step.carryBefore! + row * u, step.auxiliary! + row * u)
    if hasVectorLSTMGates {
      if FastMath.hasAVX512 {
        skgate512_lstm_backward_row(a, c, activated, dh, dc, da, step.inputBiasGradient, u)
      } else {
        skgate_lstm_backward_row(a, c, activated, dh, dc, da, step.inputBiasGradient, u)
      }
      return
    }
    // dc' += dh · o · act'(c'), staged in the o column.
    for j in 0..<u { da[3 * u + j] = dh[j] * o[j] }
    cell.activation.multiplyByDerivative(da + 3 * u, outputs: activated, count: u)
    for j in 0..<u {
      let dcNext = dc[j] + da[3 * u + j]
      da[j] = dcNext * g[j]
      da[u + j] = dcNext * c[j]
      da[2 * u + j] = dcNext * i[j]
      da[3 * u + j] = dh[j] * activated[j]
      dc[j] = dcNext * f[j]
      dh[j] = 0
    }
    cell.recurrentActivation.multiplyByDerivative(da, outputs: a, count: 2 * u)
    cell.activation.multiplyByDerivative(da + 2 * u, outputs: g, count: u)
    cell.recurrentActivation.multiplyByDerivative(da + 3 * u, outputs: o, count: u)
    for k in 0..<width { step.inputBiasGradient[k] += da[k] }
  }

  /// The part common to both GRU variants: z and the candidate from `dh'`, leaving `dh'·z` in `dh`.
  @inline(__always)
  func gruMixBackward(_ step: BackwardStep, row: Int) {
    let (u, width) = (units, gateWidth)
    let (a, da) = (step.gates + row * width, step.gateGradients + row * width)
    let (z, candidate) = (a, a + 2 * u)
    let (dh, h) = (step.hiddenGradient + row * u, step.hiddenBefore + row * u)
    for j in 0..<u {
      da[j] = dh[j] * (h[j] - candidate[j])
      da[2 * u + j] = dh[j] * (1 - z[j])
      dh[j] *= z[j]
    }
    cell.recurrentActivation.multiplyByDerivative(da, outputs: z, count: u)
    cell.activation.multiplyByDerivative(da + 2 * u, outputs: candidate, count: u)
  }

  func gruBackward(_ step: BackwardStep, row: Int) {
    let (u, width) = (units, gateWidth)
    gruMixBackward(step, row: row)
    let (a, da, dr) = (
      step.gates + row * width, step.gateGradients + row * width, step.recurrentGateGradients + row * width
    )
    let recurrentCandidate = step.auxiliary! + row * u
    for j in 0..<u { da[u + j] = da[2 * u + j] * recurrentCandidate[j] }
    cell.recurrentActivation.multiplyByDerivative(da + u, outputs: a + u, count: u)
    for k in 0..<(2 * u) { dr[k] = da[k] }
    for j in 0..<u { dr[2 * u + j] = da[2 * u + j] * a[u + j] }
    for k in 0..<width {
      step.inputBiasGradient[k] += da[k]
      step.recurrentBiasGradient[k] += dr[k]
    }
  }

  /// The reset gate of a GRU with the reset gate before the product, from `d(r·h)`.
  func gruResetBeforeGatesBackward(
    _ step: BackwardStep, row: Int, resetHiddenGradient: UnsafeMutablePointer<Float>,
    operand: UnsafeMutablePointer<Float>, dropout: UnsafeMutablePointer<Float>?
  ) {
    let (u, width) = (units, gateWidth)
    let (a, da, dh) = (step.gates + row * width, step.gateGradients + row * width, step.hiddenGradient + row * u)
    let r = a + u
    for j in 0..<u { da[u + j] = resetHiddenGradient[j] * operand[j] }
    cell.recurrentActivation.multiplyByDerivative(da + u, outputs: r, count: u)
    if let dropout {
      for j in 0..<u { dh[j] += resetHiddenGradient[j] * r[j] * dropout[j] }
    } else {
      for j in 0..<u { dh[j] += resetHiddenGradient[j] * r[j] }
    }
    for k in 0..<width { step.inputBiasGradient[k] += da[k] }
  }
}
