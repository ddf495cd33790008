import Foundation
import Testing

@testable import Keras

/// Keras' summary text from `Fixtures/summaries/` (written by make_summary_fixtures.py).
func kerasSummary(_ name: String) throws -> String {
  try String(contentsOf: Bundle.module.resourceURL!.appendingPathComponent("Fixtures/summaries/\(name).txt"), encoding: .utf8)
}

/// Compares two summaries line by line, recording the first differing line.
func expectSameLines(_ ours: String, _ keras: String, sourceLocation: SourceLocation = #_sourceLocation) {
  let a = ours.split(separator: "\n", omittingEmptySubsequences: false)
  let b = keras.split(separator: "\n", omittingEmptySubsequences: false)
  for (i, (x, y)) in zip(a, b).enumerated() where x != y {
    Issue.record("line \(i + 1) differs:\n ours:  \(x)\n keras: \(y)", sourceLocation: sourceLocation)
    return
  }
  #expect(a.count == b.count, "line counts differ: \(a.count) vs \(b.count)", sourceLocation: sourceLocation)
}

@Suite("Sequential models")
struct SequentialTests {
  func mlp() -> Sequential {
    Sequential(name: "sequential") {
      Input(shape: [784])
      Dense(512, activation: .relu, name: "dense")
      Dropout(0.2, name: "dropout")
      Dense(10, activation: .softmax, name: "dense_1")
    }
  }

  @Test("summary() of a Dense model prints Keras' table, line by line, at both widths", arguments: [(88, 100), (76, 80)])
  func mlpSummary(_ width: Int, _ columns: Int) throws {
    #expect(Sequential.summaryLineLength(columns: columns) == width)
    expectSameLines(mlp().summaryText(lineLength: width), try kerasSummary("dense_mlp_\(columns)"))
  }

  @Test("summary() wraps a long name cell onto two lines and, once the optimizer is built, adds its params as Keras", arguments: [(88, 100), (76, 80)])
  func longNamesAndOptimizerParams(_ width: Int, _ columns: Int) throws {
    let model = Sequential(name: "sequential") {
      Input(shape: [12, 4])
      Conv1D(8, kernelSize: 3, activation: .relu, name: "conv1d")
      GlobalAveragePooling1D(name: "global_average_pooling1d")
      Dense(1, activation: .sigmoid, name: "dense")
    }
    try model.compile(optimizer: "adam", loss: "binary_crossentropy")
    try model.trainOnBatch(Tensor.zeros([2, 12, 4]), Tensor.zeros([2, 1]))
    expectSameLines(model.summaryText(lineLength: width), try kerasSummary("long_names_trained_\(columns)"))
  }

  @Test("summary() of an unbuilt model shows '?' and '0 (unbuilt)' as Keras")
  func unbuiltSummary() throws {
    let model = Sequential(name: "sequential") {
      Dense(3, name: "dense")
      Dense(1, name: "dense_1")
    }
    #expect(!model.isBuilt)
    expectSameLines(model.summaryText(lineLength: 88), try kerasSummary("unbuilt_100"))
  }

  @Test("result-builder and add(_:) forms build the same model; countParams and weights follow Keras order")
  func buildForms() throws {
    let built = mlp()
    let added = Sequential()
    try added.add(Input(shape: [784]))
    try added.add(Dense(512, activation: .relu))
    try added.add(Dropout(0.2))
    try added.add(Dense(10, activation: .softmax))
    #expect(built.countParams() == 407_050)  // 784·512 + 512 + 512·10 + 10
    #expect(added.countParams() == built.countParams())
    #expect(built.getWeights().map(\.shape) == [[784, 512], [512], [512, 10], [10]])
    #expect(built.layers.count == 3)
  }

  @Test("inputShape on the first layer builds the model like an Input")
  func inputShapeOnFirstLayer() throws {
    let model = Sequential {
      Dense(4, inputShape: [3])
      Dense(2)
    }
    #expect(model.isBuilt)
    #expect(try model.outputShapes()! == [[nil, 4], [nil, 2]])
  }

  @Test("a model without an input shape builds on its first call")
  func lazyBuild() throws {
    let model = Sequential {
      Dense(4)
      Dense(1)
    }
    #expect(!model.isBuilt)
    let y = try model(Tensor.ones([5, 3]))
    #expect(y.shape == [5, 1])
    #expect(model.isBuilt)
    #expect(model.countParams() == 3 * 4 + 4 + 4 + 1)
  }

  @Test("predict runs in batches and equals one call on all samples")
  func predictBatches() throws {
    let model = Sequential {
      Input(shape: [3])
      Dense(4, activation: .tanh)
      Dropout(0.5)
      Dense(2)
    }
    let x = Tensor.randomUniform([10, 3], seed: 4)
    let all = try model(x)
    #expect(try model.predict(x, batchSize: 3).isAlmostEqual(to: all, tolerance: 1e-6))
    #expect(throws: KerasError.self) { try model.predict(x, batchSize: 0) }
  }

  @Test("setWeights then getWeights round-trips; a wrong shape names the layer and changes nothing")
  func setWeights() throws {
    let model = Sequential {
      Input(shape: [2])
      Dense(2, name: "first")
      Dense(1, name: "second")
    }
    let values = [Tensor([[1, 2], [3, 4]]), Tensor([0.5, -0.5]), Tensor([[1], [-1]]), Tensor([2])]
    try model.setWeights(values)
    #expect(model.getWeights() == values)
    // x = [1, 1]: hidden = [1+3+0.5, 2+4-0.5] = [4.5, 5.5]; out = 4.5 - 5.5 + 2 = 1.
    #expect(try model(Tensor([[1, 1]])) == Tensor([[1]]))
    var wrong = values
    wrong[2] = Tensor([[1, 2], [3, 4]])
    #expect { try model.setWeights(wrong) } throws: {
      "\($0)" == "Layer 'second': weight 'kernel' has shape [2, 1], got [2, 2]"
    }
    #expect(model.getWeights() == values)
    #expect(throws: KerasError.self) { try model.setWeights(Array(values.prefix(3))) }
  }

  @Test("an input of the wrong shape names the model and both shapes")
  func wrongInput() throws {
    let model = Sequential(name: "classifier") {
      Input(shape: [3])
      Dense(1)
    }
    #expect(throws: KerasError.incompatibleInput(layer: "classifier", expected: "(None, 3)", got: [2, 4])) {
      try model(Tensor.ones([2, 4]))
    }
  }

  @Test("adding a layer that cannot take the previous output throws and leaves the model as it was")
  func incompatibleAdd() throws {
    let model = Sequential()
    try model.add(Input(shape: [4]))
    try model.add(RepeatVector(2, name: "repeat"))
    #expect(throws: KerasError.incompatibleInput(layer: "again", expected: "(None, None)", got: [-1, 2, 4])) {
      try model.add(RepeatVector(2, name: "again"))
    }
    #expect(model.layers.map(\.name) == ["repeat"])
    try model.add(Flatten())
    #expect(try model.outputShapes()!.last! == [nil, 8])
  }

  @Test("default layer names count up per class, as Keras")
  func uniqueNames() {
    #expect(LayerNames.unique("probe_layer") == "probe_layer")
    #expect(LayerNames.unique("probe_layer") == "probe_layer_1")
    #expect(LayerNames.snakeCase("GlobalAveragePooling1D") == "global_average_pooling1d")
    #expect(LayerNames.snakeCase("SimpleRNN") == "simple_rnn")
    #expect(LayerNames.snakeCase("LSTM") == "lstm")
  }
}
