import CDNNL
import Testing

@testable import TensorCore

/// The AVX-512 gate kernels are the AVX2 ones' body compiled for sixteen lanes (gate_kernels.h):
/// on a CPU with both, every kernel must give the same bits, for every width (full vectors and
/// masked tails) and for arguments in each branch of the formulas (exp's clamps, tanh's small
/// argument and its clamp).
@Suite("AVX-512 gate kernels", .enabled(if: FastMath.hasAVX512, "the CPU has no AVX-512"))
struct GateKernelTests {
  /// `count` values from -60 to 60 with tiny ones (|x| < 0.0004) mixed in, deterministic.
  static func values(_ count: Int, seed: Int) -> [Float] {
    (0..<count).map { k in
      let mixed = (k * 7919 + seed * 104_729) % 1000
      return mixed % 11 == 0 ? Float(mixed % 7 - 3) * 1e-4 : Float(mixed - 500) * 0.12
    }
  }

  /// Runs `body` on fresh copies of `inputs`, once with the AVX2 kernels and once with the
  /// AVX-512 ones (`body`'s flag), and returns what each run left in the buffers.
  static func bothWidths(
    _ inputs: [[Float]], _ body: (Bool, [UnsafeMutablePointer<Float>]) -> Void
  ) -> (avx2: [[Float]], avx512: [[Float]]) {
    func run(_ avx512: Bool) -> [[Float]] {
      let buffers = inputs.map { input in
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: input.count)
        buffer.initialize(from: input, count: input.count)
        return buffer
      }
      defer { buffers.forEach { $0.deallocate() } }
      body(avx512, buffers)
      return zip(buffers, inputs).map { Array(UnsafeBufferPointer(start: $0, count: $1.count)) }
    }
    return (run(false), run(true))
  }

  @Test("LSTM rows forward and backward give the AVX2 bits", arguments: [1, 7, 8, 15, 16, 17, 33, 50, 64])
  func lstmRows(units u: Int) {
    let width = 4 * u
    let inputs = [
      Self.values(width, seed: 1), Self.values(width, seed: 2), Self.values(width, seed: 3), [Float](repeating: 0, count: width),
      Self.values(u, seed: 4), [Float](repeating: 0, count: u), [Float](repeating: 0, count: u), [Float](repeating: 0, count: u),
    ]
    for fused in [false, true] {
      let (narrow, wide) = Self.bothWidths(inputs) { avx512, p in
        let h = fused ? nil : UnsafePointer(p[1])
        if avx512 {
          skgate512_lstm_forward_row(p[0], h, p[2], p[3], p[4], p[5], p[6], p[7], u)
        } else {
          skgate_lstm_forward_row(p[0], h, p[2], p[3], p[4], p[5], p[6], p[7], u)
        }
      }
      #expect(narrow == wide, "forward, h·U \(fused ? "in x" : "apart"), \(u) units")
    }
    // Backward from forward-like activations: gates in (0, 1), tanh values in (-1, 1).
    let squashed = { (v: [Float]) in v.map { 1 / (1 + FastMath.exp(-$0)) } }
    let backward = [
      squashed(Self.values(width, seed: 5)), Self.values(u, seed: 6), squashed(Self.values(u, seed: 7)),
      Self.values(u, seed: 8), Self.values(u, seed: 9), [Float](repeating: 0, count: width), Self.values(width, seed: 10),
    ]
    let (narrow, wide) = Self.bothWidths(backward) { avx512, p in
      if avx512 {
        skgate512_lstm_backward_row(p[0], p[1], p[2], p[3], p[4], p[5], p[6], u)
      } else {
        skgate_lstm_backward_row(p[0], p[1], p[2], p[3], p[4], p[5], p[6], u)
      }
    }
    #expect(narrow == wide, "backward, \(u) units")
  }

  @Test("SimpleRNN rows and the activations give the AVX2 bits", arguments: [1, 9, 16, 31, 32, 100])
  func simpleRows(count n: Int) {
    let inputs = [
      Self.values(n, seed: 11), Self.values(n, seed: 12), Self.values(n, seed: 13), [Float](repeating: 0, count: n),
      [Float](repeating: 0, count: n),
    ]
    let (narrow, wide) = Self.bothWidths(inputs) { avx512, p in
      if avx512 {
        skgate512_rnn_tanh_forward_row(p[0], p[1], p[2], p[3], p[4], n)
        skgate512_rnn_tanh_backward_row(p[3], p[1], p[4], p[2], n)
        skgate512_sigmoid_inplace(p[0], n)
        skgate512_tanh_derivative(p[1], p[0], n)
        skgate512_sigmoid_derivative(p[2], p[0], n)
        skgate512_tanh_inplace(p[3], n)
      } else {
        skgate_rnn_tanh_forward_row(p[0], p[1], p[2], p[3], p[4], n)
        skgate_rnn_tanh_backward_row(p[3], p[1], p[4], p[2], n)
        skgate_sigmoid_inplace(p[0], n)
        skgate_tanh_derivative(p[1], p[0], n)
        skgate_sigmoid_derivative(p[2], p[0], n)
        skgate_tanh_inplace(p[3], n)
      }
    }
    #expect(narrow == wide, "\(n) values")
  }
}
