import Testing

@testable import Keras

@Suite("Recurrent layers match Keras")
struct RecurrentLayerTests {
  /// Each case: fixture name and the Swift layer built with the same settings as the Keras one.
  static let cases: [(String, @Sendable () -> Layer)] = [
    ("lstm_last", { LSTM(3) }),
    ("lstm_sequences", { LSTM(3, returnSequences: true) }),
    ("lstm_go_backwards", { LSTM(3, returnSequences: true, goBackwards: true) }),
    ("lstm_masked", { LSTM(3, returnSequences: true) }),
    ("lstm_masked_last", { LSTM(3) }),
    ("lstm_hard_sigmoid_no_bias", { LSTM(3, recurrentActivation: .hardSigmoid, useBias: false) }),
    ("gru_reset_after", { GRU(3, returnSequences: true) }),
    ("gru_reset_before", { GRU(3, resetAfter: false) }),
    ("gru_masked", { GRU(3, returnSequences: true) }),
    ("gru_go_backwards", { GRU(3, goBackwards: true) }),
    ("simple_rnn_last", { SimpleRNN(3) }),
    ("simple_rnn_relu_sequences", { SimpleRNN(3, activation: .relu, returnSequences: true) }),
    ("simple_rnn_masked", { SimpleRNN(3, returnSequences: true) }),
    ("bidirectional_lstm_concat", { Bidirectional(LSTM(3)) }),
    ("bidirectional_lstm_sequences_sum", { Bidirectional(LSTM(3, returnSequences: true), mergeMode: .sum) }),
    ("bidirectional_gru_mul", { Bidirectional(GRU(2, returnSequences: true), mergeMode: .mul) }),
    ("bidirectional_simple_rnn_ave", { Bidirectional(SimpleRNN(2), mergeMode: .ave) }),
    ("bidirectional_lstm_masked", { Bidirectional(LSTM(3, returnSequences: true)) }),
    ("time_distributed_dense", { TimeDistributed(Dense(3, activation: .tanh)) }),
  ]

  @Test("output and gradients match Keras", arguments: cases.map(\.0))
  func matchesKeras(_ name: String) throws {
    let make = Self.cases.first { $0.0 == name }!.1
    try expectMatchesKeras(make(), fixture: name)
  }

  @Test("LSTM creates kernel, recurrent_kernel and bias with the forget-gate bias at 1")
  func lstmWeights() throws {
    let layer = LSTM(4)
    _ = try layer(Tensor.zeros([1, 2, 3]))
    #expect(layer.weights.map(\.name) == ["kernel", "recurrent_kernel", "bias"])
    #expect(layer.weights.map(\.shape) == [[3, 16], [4, 16], [16]])
    #expect(layer.bias!.value.scalars == [0, 0, 0, 0, 1, 1, 1, 1] + [Float](repeating: 0, count: 8))
    // Orthogonal recurrent kernel: U · Uᵀ = I for a square-column layout [4, 16] (rows orthonormal).
    let u = layer.recurrentKernel!.value
    #expect(try u.matmul(u, transposeB: true).isAlmostEqual(to: .eye(4), tolerance: 1e-5))
  }

  @Test("GRU bias is [2, 3u] with resetAfter and [3u] without")
  func gruBias() throws {
    let after = GRU(2)
    let before = GRU(2, resetAfter: false)
    _ = try after(Tensor.zeros([1, 2, 3]))
    _ = try before(Tensor.zeros([1, 2, 3]))
    #expect(after.bias!.shape == [2, 6])
    #expect(before.bias!.shape == [6])
  }

  @Test("callReturningStates gives the last output as h, and LSTM's c")
  func returnState() throws {
    let layer = LSTM(3, returnState: true)
    let x = Tensor.randomUniform([2, 4, 5], seed: 9)
    let (output, states) = try layer.callReturningStates(x)
    #expect(states.count == 2)
    #expect(output == states[0])
    // Starting from the final states of the first half equals running the whole sequence.
    let first = try layer.callReturningStates(x.slice(axis: 1, 0..<2))
    let second = try layer.callReturningStates(x.slice(axis: 1, 2..<4), initialStates: first.states)
    #expect(second.output.isAlmostEqual(to: output, tolerance: 1e-6))
  }

  @Test("recurrent dropout and dropout are active only in training")
  func dropoutOnlyInTraining() throws {
    let layer = LSTM(3, dropout: 0.5, recurrentDropout: 0.5, seed: 1)
    let x = Tensor.randomUniform([4, 5, 2], seed: 2)
    let a = try layer(x)
    #expect(try layer(x) == a)
    let trained = try layer(x, training: true)
    #expect(!trained.isAlmostEqual(to: a, tolerance: 1e-6))
  }

  @Test("wrong input rank or feature size names the layer and both shapes")
  func wrongInput() throws {
    let layer = LSTM(3, name: "encoder")
    #expect(throws: KerasError.incompatibleInput(layer: "encoder", expected: "(None, None, None)", got: [2, 5])) {
      try layer(Tensor.zeros([2, 5]))
    }
    _ = try layer(Tensor.zeros([2, 5, 4]))
    #expect(throws: KerasError.incompatibleInput(layer: "encoder", expected: "(None, None, 4)", got: [2, 5, 3])) {
      try layer(Tensor.zeros([2, 5, 3]))
    }
  }

  @Test("an activation the fused kernel lacks is refused at build, naming it")
  func unsupportedActivation() throws {
    let layer = LSTM(3, activation: .selu, name: "odd")
    #expect { try layer(Tensor.zeros([1, 2, 3])) } throws: { "\($0)".contains("'odd'") && "\($0)".contains("selu") }
  }
}
