/// The tensors one recurrent call reads, with shapes already checked by ``recurrentSequence(_:cell:kernel:recurrentKernel:bias:initialStates:mask:inputDropoutMask:recurrentDropoutMask:goBackwards:returnSequences:zeroOutputForMask:precision:)``.
///
/// Shapes: input `[B, T, F]`, kernel `[F, G·u]`, recurrent kernel `[u, G·u]`, bias
/// `[G·u]` or `[2, G·u]`, initial states none or one `[B, u]` per state, mask `[B, T]`,
/// dropout masks `[B, F]`/`[B, u]` (one for all gates) or `[G, B, F]`/`[G, B, u]` (one per gate).
struct RecurrentOperands {
  var input: Tensor
  var kernel: Tensor
  var recurrentKernel: Tensor
  var bias: Tensor?
  var initialStates: [Tensor]
  var mask: Tensor?
  var inputDropoutMask: Tensor?
  var recurrentDropoutMask: Tensor?

  /// How many distinct masks a dropout mask tensor holds: 0 (none), 1 (shared by all gates) or `G`.
  static func maskCount(_ mask: Tensor?) -> Int {
    guard let mask else { return 0 }
    return mask.rank == 2 ? 1 : mask.shape[0]
  }
}

/// Where results go, or where their gradients come from: row `b` of the output at step `s`
/// is at `output + b·outputRowStride + s·u` (`s` is 0 when only the last output is kept),
/// row `b` of state `k` at `states[k] + b·stateRowStride`.
struct RecurrentResultLayout: @unchecked Sendable {
  var output: UnsafeMutablePointer<Float>
  var outputRowStride: Int
  var states: [UnsafeMutablePointer<Float>]
  var stateRowStride: Int
}

/// Consecutive gates whose product with a weight matrix shares one left operand (the input or
/// the previous state, times a dropout mask): all gates when at most one mask is shared by
/// them, one gate each when every gate has its own mask.
struct GateGroup {
  /// Which operand: the index of its dropout mask, 0 when there is none.
  let operand: Int
  let firstGate: Int
  let gateCount: Int

  static func groups(gates: Int, maskCount: Int) -> [GateGroup] {
    guard maskCount > 1 else { return [GateGroup(operand: 0, firstGate: 0, gateCount: gates)] }
    return (0..<gates).map { GateGroup(operand: $0, firstGate: $0, gateCount: 1) }
  }
}

/// The buffers of one recurrent call: what the forward pass writes at every step and, when
/// a backward pass will follow (`keepsHistory`), keeps for it.
///
/// Per-step buffers are step-major: step `s` (in processing order) is a contiguous block of
/// `B` rows. Without history, step buffers hold one block and states two, reused in turn.
/// Parallel parts of a pass write disjoint rows, hence the unchecked `Sendable`.
final class RecurrentTrace: @unchecked Sendable {
  let keepsHistory: Bool
  let batch: Int
  let units: Int
  let gateWidth: Int
  /// The input in step-major rows `[T·B, F]`, one copy per input dropout mask (times it).
  var stepInputs: [ScratchBuffer] = []
  /// Gate activations `[B, G·u]` per step (LSTM i, f, c, o; GRU z, r, hh; SimpleRNN h').
  let gates: ScratchBuffer
  /// The state h before the first step and after each step: `[B, u]` per block.
  let hidden: ScratchBuffer
  /// The LSTM carry c, blocked as `hidden`.
  let carry: ScratchBuffer?
  /// Per step `[B, u]`: LSTM `act(c')`; GRU with reset after `h·U_h + b_rh`; GRU with reset before `r·h`.
  let auxiliary: ScratchBuffer?
  /// The previous state times each recurrent dropout mask, `[B, u]` per step and mask.
  let droppedHidden: [ScratchBuffer]
  /// Per step-major row `s·B + b`: whether the mask lets the step update the row's states.
  let updates: [Bool]?
  /// Per step-major row: whether the output equals the state (else it is zero, as in Keras
  /// before the first unmasked step, or at masked steps with `zeroOutputForMask`).
  let outputShowsState: [Bool]?

  init(kernel: RecurrentKernel, operands: RecurrentOperands, keepsHistory: Bool) {
    let (b, t, u) = (kernel.batch, kernel.steps, kernel.units)
    self.keepsHistory = keepsHistory
    batch = b
    units = u
    gateWidth = kernel.gateWidth
    let blocks = keepsHistory ? t : 1
    let stateBlocks = keepsHistory ? t + 1 : 2
    gates = ScratchBuffer(count: blocks * b * gateWidth)
    hidden = ScratchBuffer(count: stateBlocks * b * u)
    carry = kernel.cell.kind == .lstm ? ScratchBuffer(count: stateBlocks * b * u) : nil
    auxiliary = kernel.cell.kind == .simpleRNN ? nil : ScratchBuffer(count: blocks * b * u)
    droppedHidden = (0..<kernel.recurrentMaskCount).map { _ in ScratchBuffer(count: blocks * b * u) }

    if let mask = operands.mask {
      var updates = [Bool](repeating: true, count: t * b)
      var shows = [Bool](repeating: true, count: t * b)
      var started = [Bool](repeating: false, count: b)
      let m = mask.storage.pointer
      for s in 0..<t {
        let time = kernel.inputTime(ofStep: s)
        for row in 0..<b {
          let update = m[row * t + time] != 0
          started[row] = started[row] || update
          updates[s * b + row] = update
          shows[s * b + row] = kernel.zeroOutputForMask ? update : started[row]
        }
      }
      self.updates = updates
      outputShowsState = shows
    } else {
      updates = nil
      outputShowsState = nil
    }
  }

  /// The block of per-step buffers that step `s` uses.
  @inline(__always)
  func stepOffset(_ s: Int) -> Int { (keepsHistory ? s : 0) * batch }

  /// Rows of the state after `k` steps (`k = 0`: the initial state).
  @inline(__always)
  func hidden(after k: Int) -> UnsafeMutablePointer<Float> {
    hidden.pointer + (keepsHistory ? k : k & 1) * batch * units
  }

  /// Rows of the LSTM carry after `k` steps.
  @inline(__always)
  func carry(after k: Int) -> UnsafeMutablePointer<Float> {
    carry!.pointer + (keepsHistory ? k : k & 1) * batch * units
  }

  /// Rows `[B, G·u]` of the gate activations of step `s`.
  @inline(__always)
  func gates(step s: Int) -> UnsafeMutablePointer<Float> { gates.pointer + stepOffset(s) * gateWidth }

  /// Rows `[B, u]` of the per-kind auxiliary values of step `s`.
  @inline(__always)
  func auxiliary(step s: Int) -> UnsafeMutablePointer<Float> { auxiliary!.pointer + stepOffset(s) * units }

  /// The left operand `[B, u]` of the recurrent product at step `s` for dropout mask `operand`.
  @inline(__always)
  func recurrentOperand(_ operand: Int, step s: Int) -> UnsafeMutablePointer<Float> {
    droppedHidden.isEmpty ? hidden(after: s) : droppedHidden[operand].pointer + stepOffset(s) * units
  }

  /// Whether step-major row `row` is updated by its step.
  @inline(__always)
  func updates(row: Int) -> Bool { updates?[row] ?? true }
}
