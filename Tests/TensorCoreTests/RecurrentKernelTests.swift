import Foundation
import Testing

@testable import TensorCore

/// One way of calling the fused recurrent op: a cell and the options around it.
struct RecurrentScenario: CustomTestStringConvertible, Sendable {
  enum Dropout: Sendable { case none, shared, perGate }

  var name: String
  var cell: RecurrentCell
  var useBias = true
  var initialStates = false
  var mask = false
  var dropout = Dropout.none
  var goBackwards = false
  var returnSequences = false
  var zeroOutputForMask = false
  /// The precision of the fused op's products; the reference rounds its products' operands to
  /// bfloat16 when it is `.bfloat16`.
  var precision = MatMulPrecision.float32

  var testDescription: String { "\(cell.kind) \(name)" + (precision == .bfloat16 ? " in bfloat16" : "") }

  static let (batch, steps, features, units) = (3, 5, 4, 3)
  /// The batch, steps and features of this scenario (the units are the cell's).
  var size = (batch: Self.batch, steps: Self.steps, features: Self.features)
  /// The forward comparison's absolute tolerance: wide layers sum hundreds of products of
  /// magnitude ~1 per pre-activation, in another order than the reference, so the last bits
  /// of a sum around 10 differ (1.7e-5 seen with 300 features and 256 units).
  var forwardTolerance: Float = 1e-5

  /// Every option, alone and combined, for each kind of cell.
  static let all: [RecurrentScenario] = {
    let cells: [RecurrentCell] = [
      .lstm(units: units), .gru(units: units, resetAfter: true), .gru(units: units, resetAfter: false),
      .simpleRNN(units: units),
    ]
    return cells.flatMap { cell in
      [
        RecurrentScenario(name: "last output", cell: cell),
        RecurrentScenario(name: "sequences", cell: cell, returnSequences: true),
        RecurrentScenario(name: "backwards sequences", cell: cell, goBackwards: true, returnSequences: true),
        RecurrentScenario(
          name: "masked sequences from initial states", cell: cell, initialStates: true, mask: true,
          returnSequences: true),
        RecurrentScenario(
          name: "masked backwards last output", cell: cell, initialStates: true, mask: true, goBackwards: true),
        RecurrentScenario(
          name: "masked sequences with zero output", cell: cell, initialStates: true, mask: true, returnSequences: true,
          zeroOutputForMask: true),
        RecurrentScenario(name: "shared dropout masks", cell: cell, initialStates: true, dropout: .shared),
        RecurrentScenario(
          name: "per-gate dropout masks", cell: cell, mask: true, dropout: .perGate, goBackwards: true,
          returnSequences: true),
        RecurrentScenario(
          name: "other activations without bias",
          cell: RecurrentCell(kind: cell.kind, units: units, activation: .relu, recurrentActivation: .hardSigmoid),
          useBias: false, initialStates: true, returnSequences: true),
        RecurrentScenario(
          name: "linear activations",
          cell: RecurrentCell(kind: cell.kind, units: units, activation: .linear, recurrentActivation: .tanh),
          mask: true, returnSequences: true),
      ]
    } + [
      // Wide enough (k·n = 128 × 512) for the AVX-512 step products to read packed panels.
      RecurrentScenario(
        name: "wide sequences", cell: .lstm(units: 128), initialStates: true, returnSequences: true,
        size: (batch: 2, steps: 3, features: 9), forwardTolerance: 1e-4),
      RecurrentScenario(
        name: "wide last output", cell: .simpleRNN(units: 256), size: (batch: 2, steps: 3, features: 300),
        forwardTolerance: 1e-4),
    ]
  }()

  /// Seeded operands; the mask has a row masked at the start, one at the end and one in the middle.
  func operands() -> RecurrentOperands {
    let (b, t, f, u, g) = (size.batch, size.steps, size.features, cell.units, cell.gateCount)
    var seed: UInt64 = 7
    func uniform(_ shape: [Int], _ low: Float = -0.8, _ high: Float = 0.8) -> Tensor {
      seed += 1
      return Tensor.randomUniform(shape, min: low, max: high, seed: seed)
    }
    func dropoutMask(_ shape: [Int]) -> Tensor {
      let keep = uniform(shape, 0, 1).scalars.map { $0 < 0.7 ? Float(1 / 0.7) : 0 }
      return try! Tensor(shape: shape, scalars: keep)
    }
    let rowsMasks: [[Float]] = [[0, 0, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 1, 1, 0]]
    return RecurrentOperands(
      input: uniform([b, t, f], -1.5, 1.5), kernel: uniform(cell.kernelShape(features: f)),
      recurrentKernel: uniform(cell.recurrentKernelShape), bias: useBias ? uniform(cell.biasShape, -0.5, 0.5) : nil,
      initialStates: initialStates ? (0..<cell.stateCount).map { _ in uniform([b, u], -1, 1) } : [],
      mask: mask ? Tensor(rowsMasks) : nil,
      inputDropoutMask: dropout == .none ? nil : dropoutMask(dropout == .shared ? [b, f] : [g, b, f]),
      recurrentDropoutMask: dropout == .none ? nil : dropoutMask(dropout == .shared ? [b, u] : [g, b, u]))
  }

  /// The fused op on `operands`.
  func fused(_ o: RecurrentOperands) throws -> (output: Tensor, states: [Tensor]) {
    try recurrentSequence(
      o.input, cell: cell, kernel: o.kernel, recurrentKernel: o.recurrentKernel, bias: o.bias,
      initialStates: o.initialStates.isEmpty ? nil : o.initialStates, mask: o.mask,
      inputDropoutMask: o.inputDropoutMask,
      recurrentDropoutMask: o.recurrentDropoutMask, goBackwards: goBackwards, returnSequences: returnSequences,
      zeroOutputForMask: zeroOutputForMask, precision: precision)
  }

  /// The fused kernel itself for `operands`, with the batch rows split into `batchParts` parallel parts.
  func kernel(_ o: RecurrentOperands, batchParts: Int) -> RecurrentKernel {
    RecurrentKernel(
      cell: cell, batch: size.batch, steps: size.steps, features: size.features,
      inputMaskCount: RecurrentOperands.maskCount(o.inputDropoutMask),
      recurrentMaskCount: RecurrentOperands.maskCount(o.recurrentDropoutMask), goBackwards: goBackwards,
      returnSequences: returnSequences, zeroOutputForMask: zeroOutputForMask, batchParts: batchParts,
      precision: precision)
  }

  /// The kernel's forward pass with history and its backward pass for seeded output gradients,
  /// the batch rows split into `parts`: the packed outputs and states, then every gradient.
  func forwardAndBackward(_ operands: RecurrentOperands, parts: Int) -> [Tensor] {
    let (b, u) = (size.batch, cell.units)
    let kernel = kernel(operands, batchParts: parts)
    let packedSteps = kernel.outputSteps + cell.stateCount
    func layout(_ base: UnsafeMutablePointer<Float>) -> RecurrentResultLayout {
      RecurrentResultLayout(
        output: base, outputRowStride: packedSteps * u,
        states: (0..<cell.stateCount).map { base + (kernel.outputSteps + $0) * u }, stateRowStride: packedSteps * u)
    }
    var packed = Tensor.zeros([b, packedSteps, u])
    let incoming = Tensor.randomUniform([b, packedSteps, u], min: -1, max: 1, seed: 5)
    return packed.withUnsafeMutableBufferPointer { result in
      let trace = kernel.forward(operands, keepsHistory: true, into: layout(result.baseAddress!))
      let gradients = incoming.withUnsafeBufferPointer {
        kernel.backward(
          operands, trace: trace, gradients: layout(UnsafeMutablePointer(mutating: $0.baseAddress!)), needs: .init())
      }
      return [try! Tensor(shape: [result.count], scalars: Array(result))] + [
        gradients.input!, gradients.kernel!, gradients.recurrentKernel!,
      ] + (gradients.bias.map { [$0] } ?? []) + gradients.initialStates
    }
  }

  /// The same computation step by step with ordinary tensor ops, following Keras' cells
  /// (`implementation=1`, one matrix per gate) and the masking of Keras' TensorFlow `rnn()`.
  func reference(_ o: RecurrentOperands) throws -> (output: Tensor, states: [Tensor]) {
    let (b, t, f, u) = (size.batch, size.steps, size.features, cell.units)
    // In bfloat16 both operands of every product rounded, the product itself float32.
    func rounded(_ x: Tensor) throws -> Tensor { try Tensor(shape: x.shape, scalars: x.scalars.map(BFloat16.round)) }
    func product(_ x: Tensor, _ w: Tensor) throws -> Tensor {
      precision == .bfloat16 ? try rounded(x).matmul(rounded(w)) : try x.matmul(w)
    }
    func column(_ w: Tensor, _ gate: Int) throws -> Tensor { try w.slice(axis: -1, (gate * u)..<((gate + 1) * u)) }
    func activate(_ x: Tensor, _ activation: RecurrentActivation) -> Tensor {
      switch activation {
      case .tanh: return x.tanh()
      case .sigmoid: return x.sigmoid()
      case .hardSigmoid: return x.hardSigmoid()
      case .hardSigmoidKeras2: return (x * 0.2 + 0.5).clipped(min: 0, max: 1)
      case .relu: return x.relu()
      case .linear: return x.linear()
      }
    }
    func gateMask(_ mask: Tensor?, _ gate: Int) -> Tensor? {
      guard let mask else { return nil }
      return mask.rank == 2 ? mask : mask[gate]
    }
    let inputBias: Tensor? = o.bias.map { cell.hasRecurrentBias ? $0[0] : $0 }
    let recurrentBias: Tensor? = cell.hasRecurrentBias ? o.bias?[1] : nil
    var h = o.initialStates.first ?? .zeros([b, u])
    var c = o.initialStates.count > 1 ? o.initialStates[1] : .zeros([b, u])
    var previousOutput = Tensor.zeros([b, u])
    var outputs: [Tensor] = []
    for time in goBackwards ? Array((0..<t).reversed()) : Array(0..<t) {
      let x = try o.input.slice(axis: 1, time..<(time + 1)).reshaped(to: [b, f])
      func inputPart(_ gate: Int) throws -> Tensor {
        let dropped = try gateMask(o.inputDropoutMask, gate).map { try x * $0 } ?? x
        let product = try product(dropped, column(o.kernel, gate))
        return try inputBias.map { try product + column($0, gate) } ?? product
      }
      func recurrentInput(_ gate: Int) throws -> Tensor {
        try gateMask(o.recurrentDropoutMask, gate).map { try h * $0 } ?? h
      }
      func recurrentPart(_ gate: Int) throws -> Tensor {
        let product = try product(recurrentInput(gate), column(o.recurrentKernel, gate))
        return try recurrentBias.map { try product + column($0, gate) } ?? product
      }
      let act = { activate($0, cell.activation) }
      let ract = { activate($0, cell.recurrentActivation) }
      var newH: Tensor
      var newC = c
      switch cell.kind {
      case .simpleRNN:
        newH = act(try inputPart(0) + recurrentPart(0))
      case .lstm:
        let i = ract(try inputPart(0) + recurrentPart(0))
        let fGate = ract(try inputPart(1) + recurrentPart(1))
        newC = try fGate * c + i * act(try inputPart(2) + recurrentPart(2))
        let oGate = ract(try inputPart(3) + recurrentPart(3))
        newH = try oGate * act(newC)
      case .gru(let resetAfter):
        let z = ract(try inputPart(0) + recurrentPart(0))
        let r = ract(try inputPart(1) + recurrentPart(1))
        let candidate =
          resetAfter
          ? act(try inputPart(2) + r * recurrentPart(2))
          : act(try inputPart(2) + product(r * recurrentInput(2), column(o.recurrentKernel, 2)))
        newH = try z * h + (1 - z) * candidate
      }
      var output = newH
      if let mask = o.mask {
        let m = try mask.slice(axis: 1, time..<(time + 1))
        newH = try m * newH + (1 - m) * h
        newC = try m * newC + (1 - m) * c
        output = try zeroOutputForMask ? m * output : m * output + (1 - m) * previousOutput
      }
      (h, c, previousOutput) = (newH, newC, output)
      outputs.append(output)
    }
    let output = returnSequences ? try Tensor.stack(outputs, axis: 1) : outputs.last!
    return (output, cell.kind == .lstm ? [h, c] : [h])
  }

  /// A weighted sum of the outputs and the final states, so that every one gets a distinct gradient.
  func loss(_ result: (output: Tensor, states: [Tensor])) throws -> Tensor {
    var total = try (result.output * Tensor.randomUniform(result.output.shape, min: -1, max: 1, seed: 101)).sum()
    for (k, state) in result.states.enumerated() {
      total = try total + (state * Tensor.randomUniform(state.shape, min: -1, max: 1, seed: 102 + UInt64(k))).sum()
    }
    return total
  }

  /// The operands gradients are taken for, and the operands rebuilt from them.
  func differentiable(_ o: RecurrentOperands) -> [Tensor] {
    [o.input, o.kernel, o.recurrentKernel] + (o.bias.map { [$0] } ?? []) + o.initialStates
  }

  func replacing(_ o: RecurrentOperands, with values: [Tensor]) -> RecurrentOperands {
    var result = o
    (result.input, result.kernel, result.recurrentKernel) = (values[0], values[1], values[2])
    var next = 3
    if o.bias != nil {
      result.bias = values[next]
      next += 1
    }
    result.initialStates = Array(values[next...])
    return result
  }
}

@Suite("Fused recurrent kernel")
struct RecurrentKernelTests {
  @Test("forward equals a step-by-step reference built from tensor ops", arguments: RecurrentScenario.all)
  func forwardMatchesReference(_ scenario: RecurrentScenario) throws {
    let operands = scenario.operands()
    let fused = try scenario.fused(operands)
    let reference = try scenario.reference(operands)
    #expect(mismatch(fused.output, reference.output, absolute: scenario.forwardTolerance) == nil)
    #expect(fused.states.count == reference.states.count)
    for (state, expected) in zip(fused.states, reference.states) {
      #expect(mismatch(state, expected, absolute: scenario.forwardTolerance) == nil)
    }
  }

  @Test("gradients equal those of the tape-based reference", arguments: RecurrentScenario.all)
  func gradientsMatchReference(_ scenario: RecurrentScenario) throws {
    let operands = scenario.operands()
    let inputs = scenario.differentiable(operands)
    let (fusedLoss, fusedGradients) = try valueWithGradient(at: inputs) {
      try scenario.loss(scenario.fused(scenario.replacing(operands, with: $0)))
    }
    let (referenceLoss, referenceGradients) = try valueWithGradient(at: inputs) {
      try scenario.loss(scenario.reference(scenario.replacing(operands, with: $0)))
    }
    #expect(abs(fusedLoss.scalar - referenceLoss.scalar) < 1e-4)
    let names = ["input", "kernel", "recurrent kernel", "bias or initial state", "initial state", "initial state"]
    for (k, (fused, reference)) in zip(fusedGradients, referenceGradients).enumerated() {
      let difference = mismatch(fused, reference, absolute: 1e-4, relative: 1e-4)
      #expect(difference == nil, "gradient of \(names[k]): \(difference ?? "")")
    }
  }

  @Test(
    "gradients agree with central finite differences",
    arguments: [
      RecurrentScenario(
        name: "masked sequences", cell: .lstm(units: 3), initialStates: true, mask: true, returnSequences: true),
      RecurrentScenario(
        name: "backwards with dropout", cell: .gru(units: 3), initialStates: true, mask: true, dropout: .perGate,
        goBackwards: true),
      RecurrentScenario(
        name: "masked sequences", cell: .gru(units: 3, resetAfter: false), initialStates: true, mask: true,
        dropout: .shared, returnSequences: true),
      RecurrentScenario(
        name: "sequences", cell: .simpleRNN(units: 3), initialStates: true, mask: true, returnSequences: true),
    ])
  func finiteDifferences(_ scenario: RecurrentScenario) throws {
    let operands = scenario.operands()
    let inputs = scenario.differentiable(operands)
    let (_, gradients) = try valueWithGradient(at: inputs) {
      try scenario.loss(scenario.fused(scenario.replacing(operands, with: $0)))
    }
    let epsilon: Float = 1e-2
    for (k, input) in inputs.enumerated() {
      for i in stride(from: 0, to: input.count, by: 3) {
        func lossAt(_ delta: Float) throws -> Float {
          var moved = inputs
          moved[k].withUnsafeMutableBufferPointer { $0[i] += delta }
          return try scenario.loss(scenario.fused(scenario.replacing(operands, with: moved))).scalar
        }
        let numeric = (try lossAt(epsilon) - lossAt(-epsilon)) / (2 * epsilon)
        let analytic = gradients[k].scalars[i]
        #expect(abs(numeric - analytic) <= 2e-3 + 2e-2 * abs(analytic), "operand \(k), element \(i)")
      }
    }
  }

  @Test("outputs and states match real Keras layers", arguments: try KerasRecurrentFixture.load().cases)
  func matchesKeras(_ fixture: KerasRecurrentCase) throws {
    let x = try KerasRecurrentFixture.load().x.tensor
    let weights = fixture.weights.map(\.tensor)
    let mask = fixture.mask.map(\.tensor)
    let (output, states) = try recurrentSequence(
      x, cell: fixture.cell, kernel: weights[0], recurrentKernel: weights[1],
      bias: weights.count > 2 ? weights[2] : nil,
      initialStates: fixture.initialStates?.map(\.tensor), mask: mask, goBackwards: fixture.goBackwards,
      returnSequences: true)
    #expect(mismatch(output, fixture.output.tensor, absolute: 1e-5, relative: 0) == nil)
    for (state, expected) in zip(states, fixture.states) {
      #expect(mismatch(state, expected.tensor, absolute: 1e-5, relative: 0) == nil)
    }
    // Only the last output: Keras' output at the last step (zero for a row never updated).
    let (last, _) = try recurrentSequence(
      x, cell: fixture.cell, kernel: weights[0], recurrentKernel: weights[1],
      bias: weights.count > 2 ? weights[2] : nil,
      initialStates: fixture.initialStates?.map(\.tensor), mask: mask, goBackwards: fixture.goBackwards)
    let steps = x.shape[1]
    let expectedLast = try fixture.output.tensor.slice(axis: 1, (steps - 1)..<steps).reshaped(to: last.shape)
    #expect(mismatch(last, expectedLast, absolute: 1e-5, relative: 0) == nil)
  }

  @Test(
    "splitting the batch rows across threads gives the same results",
    arguments: RecurrentScenario.all.filter {
      $0.name.hasPrefix("per-gate") || $0.name.hasPrefix("masked sequences from")
    })
  func batchParts(_ scenario: RecurrentScenario) throws {
    let operands = scenario.operands()
    let whole = scenario.forwardAndBackward(operands, parts: 1)
    let split = scenario.forwardAndBackward(operands, parts: 3)
    for (a, b) in zip(whole, split) { #expect(mismatch(a, b, absolute: 1e-6) == nil) }
  }

  @Test("on the tape and off it, the forward results are the same")
  func recordingDoesNotChangeValues() throws {
    let scenario = RecurrentScenario(
      name: "", cell: .lstm(units: 3), initialStates: true, mask: true, returnSequences: true)
    let operands = scenario.operands()
    let plain = try scenario.fused(operands)
    var recorded: (output: Tensor, states: [Tensor])?
    _ = try valueWithGradient(at: operands.input) { x in
      var moved = operands
      moved.input = x
      recorded = try scenario.fused(moved)
      return try scenario.loss(recorded!)
    }
    #expect(recorded!.output.shape == [3, 5, 3])
    #expect(plain.output.scalars == recorded!.output.scalars)
    #expect(plain.states.map(\.scalars) == recorded!.states.map(\.scalars))
  }

  @Test("only the state gradient reaches the initial state when the output is unused")
  func gradientOfStatesOnly() throws {
    let scenario = RecurrentScenario(name: "", cell: .gru(units: 3), initialStates: true)
    let operands = scenario.operands()
    let h0 = operands.initialStates[0]
    let fused = try gradient(at: h0) { h in
      var moved = operands
      moved.initialStates = [h]
      return try scenario.fused(moved).states[0].sum()
    }
    let reference = try gradient(at: h0) { h in
      var moved = operands
      moved.initialStates = [h]
      return try scenario.reference(moved).states[0].sum()
    }
    #expect(mismatch(fused, reference, absolute: 1e-5) == nil)
  }

  @Test("shape errors name the cell and the shapes")
  func shapeErrors() {
    let cell = RecurrentCell.lstm(units: 3)
    let x = Tensor.zeros([2, 5, 4])
    let (w, u, b) = (Tensor.zeros([4, 12]), Tensor.zeros([3, 12]), Tensor.zeros([12]))
    func message(_ body: () throws -> Void) -> String {
      do {
        try body()
        return "no error"
      } catch { return "\(error)" }
    }
    #expect(
      message { _ = try recurrentSequence(Tensor.zeros([2, 4]), cell: cell, kernel: w, recurrentKernel: u, bias: b) }
        == "recurrentSequence: \(cell): input must have shape [B, T, F], got [2, 4]")
    #expect(
      message { _ = try recurrentSequence(x, cell: cell, kernel: Tensor.zeros([5, 12]), recurrentKernel: u, bias: b) }
        == "recurrentSequence: \(cell): kernel has shape [5, 12], expected [4, 12] for input of shape [2, 5, 4]")
    #expect(
      message { _ = try recurrentSequence(x, cell: cell, kernel: w, recurrentKernel: Tensor.zeros([3, 9]), bias: b) }
        == "recurrentSequence: \(cell): recurrent kernel has shape [3, 9], expected [3, 12] for input of shape [2, 5, 4]"
    )
    #expect(
      message {
        _ = try recurrentSequence(
          x, cell: .gru(units: 3), kernel: Tensor.zeros([4, 9]), recurrentKernel: Tensor.zeros([3, 9]),
          bias: Tensor.zeros([9]))
      }
        == "recurrentSequence: \(RecurrentCell.gru(units: 3)): bias has shape [9], expected [2, 9] for input of shape [2, 5, 4]"
    )
    #expect(
      message {
        _ = try recurrentSequence(x, cell: cell, kernel: w, recurrentKernel: u, bias: b, mask: Tensor.zeros([5, 2]))
      }
        == "recurrentSequence: \(cell): mask has shape [5, 2], expected [2, 5] for input of shape [2, 5, 4]")
    #expect(
      message {
        _ = try recurrentSequence(
          x, cell: cell, kernel: w, recurrentKernel: u, bias: b, initialStates: [Tensor.zeros([2, 3])])
      } == "recurrentSequence: \(cell): 1 initial states given, the cell has 2")
    #expect(
      message {
        _ = try recurrentSequence(
          x, cell: cell, kernel: w, recurrentKernel: u, bias: b,
          initialStates: [Tensor.zeros([2, 3]), Tensor.zeros([3, 3])])
      } == "recurrentSequence: \(cell): initial state 1 has shape [3, 3], expected [2, 3] for input of shape [2, 5, 4]")
    #expect(
      message {
        _ = try recurrentSequence(
          x, cell: cell, kernel: w, recurrentKernel: u, bias: b, recurrentDropoutMask: Tensor.zeros([3, 2, 3]))
      }
        == "recurrentSequence: \(cell): recurrent dropout mask has shape [3, 2, 3], expected [2, 3] or [4, 2, 3] for input of shape [2, 5, 4]"
    )
    #expect(throws: TensorError.self) {
      try recurrentSequence(Tensor.zeros([2, 0, 4]), cell: cell, kernel: w, recurrentKernel: u, bias: b)
    }
    #expect(throws: TensorError.self) {
      try recurrentSequence(
        x, cell: cell, kernel: w, recurrentKernel: u, bias: b, inputDropoutMask: Tensor.zeros([2, 3]))
    }
  }

  @Test("the vectorised activations agree with the tensor ops")
  func activationsMatchTensorOps() throws {
    let x = try Tensor.arange(-40, 40, step: 0.0625)
    for activation in RecurrentActivation.allCases {
      var fast = x
      fast.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: $0.count) }
      let expected: Tensor
      switch activation {
      case .tanh: expected = x.tanh()
      case .sigmoid: expected = x.sigmoid()
      case .hardSigmoid: expected = x.hardSigmoid()
      case .hardSigmoidKeras2: expected = (x * 0.2 + 0.5).clipped(min: 0, max: 1)
      case .relu: expected = x.relu()
      case .linear: expected = x
      }
      #expect(mismatch(fast, expected, absolute: 4e-7, relative: 0) == nil, "\(activation)")
    }
    #expect(abs(FastMath.exp(1) - Float(M_E)) < 3e-7)
    #expect(FastMath.exp(-200) >= 0 && FastMath.exp(200).isFinite)
  }
}

/// `Fixtures/keras_recurrent.json`, written by `Fixtures/make_recurrent_fixtures.py` with Keras.
struct KerasRecurrentFixture: Decodable {
  let x: ArrayFixture
  let cases: [KerasRecurrentCase]

  static func load() throws -> KerasRecurrentFixture {
    try Fixtures.load("keras_recurrent.json", as: KerasRecurrentFixture.self)
  }
}

/// One Keras layer run: its configuration, weights, inputs and results.
struct KerasRecurrentCase: Decodable, CustomTestStringConvertible, Sendable {
  let name: String
  let layer: String
  let units: Int
  let activation: String
  let recurrentActivation: String?
  let resetAfter: Bool?
  let goBackwards: Bool
  let weights: [ArrayFixture]
  let initialStates: [ArrayFixture]?
  let mask: ArrayFixture?
  let output: ArrayFixture
  let states: [ArrayFixture]

  enum CodingKeys: String, CodingKey {
    case name, layer, units, activation, weights, mask, output, states
    case recurrentActivation = "recurrent_activation"
    case resetAfter = "reset_after"
    case goBackwards = "go_backwards"
    case initialStates = "initial_states"
  }

  var testDescription: String { name }

  var cell: RecurrentCell {
    let activation = RecurrentActivation(rawValue: activation)!
    let recurrentActivation = recurrentActivation.flatMap(RecurrentActivation.init(rawValue:)) ?? .sigmoid
    switch layer {
    case "LSTM": return .lstm(units: units, activation: activation, recurrentActivation: recurrentActivation)
    case "GRU":
      return .gru(
        units: units, resetAfter: resetAfter ?? true, activation: activation, recurrentActivation: recurrentActivation)
    default: return .simpleRNN(units: units, activation: activation)
    }
  }
}
