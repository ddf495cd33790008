import Synchronization
import Testing

@testable import Keras

/// Multiplies its input by the number of rows in its batch: an output that depends on the whole
/// batch, as a layer written outside SwiftKeras may.
final class BatchSizeScaling: Layer, @unchecked Sendable {
  override func call(_ input: Tensor, training: Bool) throws -> Tensor { input * Float(input.shape[0]) }
}

/// Doubles its input and notes the largest batch it was called with; says its rows are
/// independent when built with `independent`.
final class RowCounting: Layer, @unchecked Sendable {
  let independent: Bool
  private let largest = Mutex(0)
  var largestBatch: Int { largest.withLock { $0 } }
  init(independent: Bool) {
    self.independent = independent
    super.init(name: nil)
  }
  override var computesRowsIndependentlyInInference: Bool { independent }
  override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    largest.withLock { $0 = Swift.max($0, input.shape[0]) }
    return input * 2
  }
}

/// Inference divides a batch's rows among the threads for the whole pass through the layers
/// (`Sequential.forwardWithLogits`); these pin down when it may and what it must give.
@Suite("Inference divided among threads")
struct ParallelInferenceTests {
  static func largestDifference(_ a: Tensor, _ b: Tensor) -> Float {
    zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
  }

  @Test("a stacked recurrent model predicts each row of a batch as it predicts that row alone")
  func rowsAsAlone() throws {
    setRandomSeed(3)
    let model = Sequential {
      LSTM(12, returnSequences: true, inputShape: [7, 3])
      Dropout(0.2)
      GRU(6)
      Dense(2, activation: .softmax)
    }
    let x = Tensor.randomUniform([40, 7, 3], min: -1, max: 1, seed: 4)
    let batch = try model.predict(x, batchSize: 40, verbose: 0)
    let alone = try model.predict(x, batchSize: 1, verbose: 0)
    #expect(batch.shape == [40, 2])
    // Only the matrix products' blocking differs between 40 rows and 1: the last bits.
    #expect(Self.largestDifference(batch, alone) < 1e-6)
  }

  @Test("a layer defined outside SwiftKeras sees its whole batch")
  func outsideLayerSeesWholeBatch() throws {
    setRandomSeed(5)
    let model = Sequential {
      Dense(4, inputShape: [3])
      BatchSizeScaling()
    }
    #expect(!model.layers[1].computesRowsIndependentlyInInference)
    let x = Tensor.randomUniform([32, 3], min: -1, max: 1, seed: 6)
    let scaled = try model.predict(x, batchSize: 32, verbose: 0)
    let dense = try model.layers[0](x, training: false)
    #expect(Self.largestDifference(scaled, dense * 32) < 1e-5)
  }

  @Test("a layer defined outside SwiftKeras that says its rows are independent lets the batch be divided")
  func outsideLayerOptsIn() throws {
    setRandomSeed(9)
    let x = Tensor.randomUniform([32, 3], min: -1, max: 1, seed: 10)
    let parts = ParallelParts.count(rows: 32, minimumRows: 8)
    for independent in [false, true] {
      let counting = RowCounting(independent: independent)
      let model = Sequential {
        Dense(4, inputShape: [3])
        counting
      }
      let y = try model.predict(x, batchSize: 32, verbose: 0)
      #expect(Self.largestDifference(y, try model.layers[0](x, training: false) * 2) < 1e-6)
      // Divided into `parts` (1 on a one-core machine) only when the layer says so.
      #expect(counting.largestBatch == (independent ? 32 / parts : 32), "independent: \(independent)")
    }
  }

  @Test("inside a gradient the pass is recorded on one thread, so the input gets its gradient")
  func recordedWhole() throws {
    setRandomSeed(7)
    let model = Sequential {
      LSTM(8, inputShape: [5, 2])
      Dense(1)
    }
    let x = Tensor.randomUniform([32, 5, 2], min: -1, max: 1, seed: 8)
    _ = try model.predict(x, batchSize: 32, verbose: 0)  // built
    let (_, dx) = try valueWithGradient(at: x) { x in try model(x, training: false).sum() }
    #expect(dx.shape == [32, 5, 2])
    // Every row's gradient is there, the second half's too.
    for row in [0, 31] {
      let rowGradient = try dx.slice(axis: 0, row..<(row + 1)).scalars
      #expect(rowGradient.contains { $0 != 0 }, "row \(row)")
    }
  }
}
