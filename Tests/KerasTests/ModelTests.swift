import Foundation
import Testing

@testable import Keras

/// A small Sequential model's weights, input and Keras' predictions (make_model_fixtures.py).
struct ModelFixture: Decodable {
  let name: String
  let weights: [LayerFixture.Array]
  let input: LayerFixture.Array
  let output: LayerFixture.Array

  static func load(_ name: String) throws -> ModelFixture {
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/models/\(name).json")
    return try JSONDecoder().decode(ModelFixture.self, from: Data(contentsOf: url))
  }
}

@Suite("Whole models match Keras")
struct ModelTests {
  func expectPredictions(_ model: Sequential, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let fixture = try ModelFixture.load(name)
    try model.setWeights(fixture.weights.map(\.tensor))
    let y = try model.predict(fixture.input.tensor)
    let difference = maxDifference(y, fixture.output.tensor)
    #expect(difference <= 1e-5, "\(name): predictions differ from Keras by \(difference)", sourceLocation: sourceLocation)
  }

  @Test("a stacked LSTM with dropout predicts as Keras")
  func stackedLSTM() throws {
    let model = Sequential {
      Input(shape: [6, 2])
      LSTM(4, returnSequences: true)
      Dropout(0.2)
      LSTM(3)
      Dense(1)
    }
    try expectPredictions(model, "stacked_lstm")
  }

  @Test("Embedding(maskZero) masks padded steps through Bidirectional(LSTM), as Keras")
  func embeddingBidirectional() throws {
    let model = Sequential {
      Input(shape: [7])
      Embedding(12, 4, maskZero: true)
      Bidirectional(LSTM(3))
      Dense(1, activation: .sigmoid)
    }
    try expectPredictions(model, "embedding_bidirectional")
  }

  @Test("Embedding(maskZero) masks a GRU sequence feeding TimeDistributed(Dense), as Keras")
  func embeddingGRU() throws {
    let model = Sequential {
      Input(shape: [7])
      Embedding(12, 4, maskZero: true)
      GRU(3, returnSequences: true)
      TimeDistributed(Dense(2, activation: .softmax))
    }
    try expectPredictions(model, "embedding_gru_time_distributed")
  }

  @Test("summary() of the stacked-LSTM model prints Keras' table line by line", arguments: [(88, 100), (76, 80)])
  func stackedSummary(_ width: Int, _ columns: Int) throws {
    let model = Sequential(name: "sequential") {
      Input(shape: [60, 1])
      LSTM(50, returnSequences: true, name: "lstm")
      Dropout(0.2, name: "dropout")
      LSTM(50, returnSequences: true, name: "lstm_1")
      Dropout(0.2, name: "dropout_1")
      LSTM(50, name: "lstm_2")
      Dropout(0.2, name: "dropout_2")
      Dense(1, name: "dense")
    }
    expectSameLines(model.summaryText(lineLength: width), try kerasSummary("stacked_lstm_\(columns)"))
  }

  @Test("summary() of an Embedding + Bidirectional model prints Keras' table line by line", arguments: [(88, 100), (76, 80)])
  func bidirectionalSummary(_ width: Int, _ columns: Int) throws {
    let model = Sequential(name: "sequential") {
      Input(shape: [10])
      Embedding(1000, 64, maskZero: true, name: "embedding")
      Bidirectional(LSTM(32), name: "bidirectional")
      Dense(1, activation: .sigmoid, name: "dense")
    }
    expectSameLines(model.summaryText(lineLength: width), try kerasSummary("embedding_bidirectional_\(columns)"))
  }
}
