import Foundation
import Keras
import Testing

// The code of Docs/Keras.docc/CustomLayers.md, verbatim: if this file stops compiling or its
// tests fail, the article is wrong and must change with it.

// MARK: - Article code (keep in step with CustomLayers.md)

/// A gated linear unit: `(x·W + b) ⊙ sigmoid(x·V + c)` over the last axis.
///
/// Input `[N, ..., D]`, output `[N, ..., units]`.
final class GatedDense: Layer, @unchecked Sendable {
  let units: Int
  private(set) var kernel: Variable?
  private(set) var gateKernel: Variable?
  private(set) var bias: Variable?
  private(set) var gateBias: Variable?

  init(_ units: Int, inputShape: [Int]? = nil, name: String? = nil) {
    self.units = units
    super.init(name: name, inputShape: inputShape)
  }

  override class var className: String { "GatedDense" }

  override func build(inputShape: [Int?]) throws {
    guard let features = inputShape.last ?? nil else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "(None, ..., features)", got: inputShape.map { $0 ?? -1 })
    }
    kernel = try addWeight("kernel", shape: [features, units], initializer: .glorotUniform())
    gateKernel = try addWeight("gate_kernel", shape: [features, units], initializer: .glorotUniform())
    bias = try addWeight("bias", shape: [units], initializer: .zeros)
    gateBias = try addWeight("gate_bias", shape: [units], initializer: .zeros)
    inputSpec = InputSpec(minimumRank: 2, axes: [-1: features])
  }

  override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    let value = try input.matmul(kernel!.value) + bias!.value
    let gate = try (input.matmul(gateKernel!.value) + gateBias!.value).sigmoid()
    return try value * gate
  }

  override func outputShape(for inputShape: [Int?]) throws -> [Int?] {
    inputShape.dropLast() + [units]
  }

  override var layerConfig: [(String, ConfigValue)] { [("units", .int(units))] }
}

struct MeanFourthPowerError: Loss {
  var name: String { "mean_fourth_power_error" }
  var config: ConfigValue { .object([("name", .string(name))]) }

  func call(_ yTrue: Tensor, _ yPred: Tensor) throws -> Tensor {
    try (yPred - yTrue).square().square().mean(axes: [-1])  // one value per sample
  }
}

/// The logs-adding callback of TrainingAndCallbacks.md.
final class CountBatches: Callback {
  private var batches = 0
  func onTrainBatchEnd(_ batch: Int, _ logs: Logs) { batches += 1 }
  func onEpochEnd(_ epoch: Int, updating logs: inout Logs) {
    logs["batches"] = Float(batches)
    batches = 0
  }
}

/// The callback of TrainingAndCallbacks.md.
final class PrintValidationLoss: Callback {
  var printed: [String] = []
  func onEpochEnd(_ epoch: Int, _ logs: Logs) {
    if let loss = logs["val_loss"] { printed.append("epoch \(epoch + 1): val_loss \(loss)") }
  }
}

// MARK: - Tests

@Suite("The examples of the documentation")
struct DocumentationExampleTests {
  /// The article's data: label a sequence of 4 numbers 1 when their sum is positive.
  func sumIsPositiveData() throws -> (x: Tensor, y: Tensor) {
    setRandomSeed(3)
    let x = Tensor.randomNormal([256, 4])
    let y = try x.sum(axes: [1], keepDims: true).greater(Tensor(0))
    return (x, y)
  }

  @Test("CustomLayers.md shows the GatedDense class of this file, character for character")
  func customLayerArticleMatchesThisFile() throws {
    let here = URL(fileURLWithPath: #filePath)
    let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let article = try String(
      contentsOf: root.appendingPathComponent("Docs/Keras.docc/CustomLayers.md"), encoding: .utf8)
    let source = try String(contentsOf: here, encoding: .utf8)
    func gatedDense(in text: String) -> Substring? {
      guard let start = text.range(of: "/// A gated linear unit"),
        let end = text.range(of: "\n}\n", range: start.upperBound..<text.endIndex)
      else { return nil }
      return text[start.lowerBound..<end.upperBound]
    }
    #expect(gatedDense(in: source) != nil)
    #expect(gatedDense(in: article) == gatedDense(in: source))
  }

  @Test(
    "Examples.md holds each example's README",
    arguments: [
      "lstm-classifier", "rnn-from-scratch", "text-generation", "text-transformer", "sequence-patterns",
      "time-series-forecast", "keras-interop",
    ])
  func examplesArticleHoldsReadme(example: String) throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let article = try String(contentsOf: root.appendingPathComponent("Docs/Keras.docc/Examples.md"), encoding: .utf8)
    let readme = try String(contentsOf: root.appendingPathComponent("Examples/\(example)/README.md"), encoding: .utf8)
    #expect(article.contains("### \(example)\n"))
    // The README's heading becomes the bold start of the section; every other line is copied as it is.
    for line in readme.split(separator: "\n") where !line.hasPrefix("#") {
      #expect(
        article.contains(line),
        "Docs/Keras.docc/Examples.md lacks this line of Examples/\(example)/README.md (run Scripts/update-examples-article.py): \(line)"
      )
    }
  }

  @Test("A custom layer builds its weights from the first input shape")
  func customLayerBuilds() throws {
    let layer = GatedDense(3)
    let output = try layer(Tensor.ones([2, 5]))
    #expect(output.shape == [2, 3])
    #expect(layer.weights.map(\.name) == ["kernel", "gate_kernel", "bias", "gate_bias"])
    #expect(layer.countParams() == 2 * (5 * 3 + 3))
    #expect(layer.name.hasPrefix("gated_dense"))
  }

  @Test("The tape differentiates a custom layer's forward pass")
  func customLayerGradients() throws {
    let layer = GatedDense(2)
    let x = Tensor([[1, 2, 3], [-1, 0.5, 2]])
    _ = try layer(x)  // builds the weights
    let (loss, gradients) = try valueWithGradient(for: layer.trainableWeights) {
      try layer(x).square().mean()
    }
    #expect(gradients.count == 4)
    #expect(zip(gradients, layer.trainableWeights).allSatisfy { $0.shape == $1.shape })
    // Finite differences on one kernel entry agree with the tape.
    let kernel = layer.kernel!
    let original = kernel.value
    let epsilon: Float = 1e-3
    var scalars = original.scalars
    scalars[0] += epsilon
    kernel.value = try Tensor(shape: original.shape, scalars: scalars)
    let shifted = try layer(x).square().mean()
    kernel.value = original
    let numeric = (shifted.scalars[0] - loss.scalars[0]) / epsilon
    #expect(abs(numeric - gradients[0].scalars[0]) < 1e-2)
  }

  @Test("A Sequential model with a custom layer trains with fit")
  func customLayerTrains() throws {
    let (x, y) = try sumIsPositiveData()
    let model = Sequential {
      GatedDense(16, inputShape: [4])
      Dense(1, activation: .sigmoid)
    }
    try model.compile(optimizer: Adam(learningRate: 0.01), loss: "binary_crossentropy", metrics: ["accuracy"])
    let history = try model.fit(x, y, batchSize: 32, epochs: 20, verbose: 0)
    let losses = history.history["loss"]!
    #expect(losses.last! < losses.first! * 0.5)
    let scores = try model.evaluate(x, y, verbose: 0)
    #expect(scores["accuracy"]! > 0.9)
  }

  @Test("A custom loss trains a model")
  func customLossTrains() throws {
    let (x, _) = try sumIsPositiveData()
    let y = try x.sum(axes: [1], keepDims: true)
    let model = Sequential {
      Dense(1, inputShape: [4])
    }
    try model.compile(optimizer: "adam", loss: MeanFourthPowerError())
    let history = try model.fit(x, y, epochs: 5, verbose: 0)
    #expect(history.history["loss"]!.last! < history.history["loss"]!.first!)
  }

  @Test("The Getting Started and Training articles' code runs")
  func gettingStartedAndTraining() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("docs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    setRandomSeed(7)
    let x = Tensor.randomNormal([200, 10, 1])
    let y = try x.sum(axes: [1]).greater(Tensor(0))
    #expect(y.shape == [200, 1])

    let model = Sequential()
    try model.add(Input(shape: [10, 1]))
    try model.add(LSTM(8))
    try model.add(Dropout(0.2))
    try model.add(Dense(1, activation: .sigmoid))
    try model.compile(
      optimizer: Adam(learningRate: 1e-3, clipnorm: 1), loss: .binaryCrossentropy,
      metrics: [.accuracy, .auc()])
    let progress = PrintValidationLoss()
    let callbacks: [any Callback] = [
      EarlyStopping(monitor: "val_loss", patience: 5, restoreBestWeights: true),
      try ModelCheckpoint(directory.appendingPathComponent("best.keras").path, monitor: "val_loss", saveBestOnly: true),
      ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 2),
      CSVLogger(directory.appendingPathComponent("training.csv").path),
      LambdaCallback(onEpochEnd: { _, logs in _ = logs["loss"]! }),
      progress,
      CountBatches(),
    ]
    let history = try model.fit(x, y, batchSize: 32, epochs: 2, verbose: 0, callbacks: callbacks, validationSplit: 0.2)
    #expect(history.history["val_loss"]!.count == 2)
    let trainingRows = Int((Float(x.shape[0]) * 0.8).rounded(.down))
    let batchesPerEpoch = Float((trainingRows + 31) / 32)
    #expect(history.history["batches"] == [batchesPerEpoch, batchesPerEpoch])
    #expect(history.history["learning_rate"] == [1e-3, 1e-3])
    #expect(progress.printed.count == 2)
    let scores = try model.evaluate(x, y, verbose: 0)
    // AUC() is named "auc", "auc_1", ... per process, as in Keras; tests running in parallel make others.
    #expect(scores.count == 3 && scores["accuracy"] != nil && scores["loss"] != nil)
    #expect(scores.keys.contains { $0.hasPrefix("auc") })
    #expect(try model.predict(x[0..<3], verbose: 0).shape == [3, 1])

    // A custom training loop.
    for _ in 0..<2 {
      for start in stride(from: 0, to: x.shape[0], by: 32) {
        let rows = start..<min(start + 32, x.shape[0])
        let (_, gradients) = try model.computeGradients(x[rows], y[rows])
        try model.applyGradients(gradients)
      }
    }

    // Schedules.
    let schedule = ExponentialDecay(initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.96)
    try model.compile(optimizer: SGD(learningRate: .schedule(schedule), momentum: 0.9), loss: "mse")
    try model.compile(
      optimizer: Adam(learningRate: 1e-3, clipnorm: 1), loss: .categoricalCrossentropy(labelSmoothing: 0.1),
      metrics: [.accuracy, .topKCategoricalAccuracy(k: 3), .auc()])
  }

  @Test("The Recurrent Layers article's models build with the shapes it states")
  func recurrentLayers() throws {
    let stacked = Sequential {
      LSTM(50, returnSequences: true, inputShape: [60, 1])
      Dropout(0.2)
      LSTM(50, returnSequences: true)
      Dropout(0.2)
      LSTM(50)
      Dropout(0.2)
      Dense(1)
    }
    #expect(
      try stacked.outputShapes()!.map { $0.map { $0 ?? -1 } } == [
        [-1, 60, 50], [-1, 60, 50], [-1, 60, 50], [-1, 60, 50], [-1, 50], [-1, 50], [-1, 1],
      ])
    let bidirectional = Sequential {
      Bidirectional(LSTM(32, returnSequences: true), inputShape: [40, 8])
      Bidirectional(GRU(16), mergeMode: .sum)
      Dense(3, activation: .softmax)
    }
    #expect(try bidirectional.outputShapes()!.map { $0.map { $0 ?? -1 } } == [[-1, 40, 64], [-1, 16], [-1, 3]])
    let masked = Sequential {
      Embedding(10_000, 64, maskZero: true, inputShape: [100])
      LSTM(64)
      Dense(1, activation: .sigmoid)
    }
    #expect(try masked.outputShapes()!.last! == [nil, 1])

    let x = Tensor.randomNormal([4, 7, 3])
    let xDecoder = Tensor.randomNormal([4, 5, 3])
    let encoder = LSTM(64, returnState: true)
    let (_, states) = try encoder.callReturningStates(x)
    #expect(states.map(\.shape) == [[4, 64], [4, 64]])
    let decoder = LSTM(64, returnSequences: true)
    let y = try decoder.callReturningStates(xDecoder, initialStates: states).output
    #expect(y.shape == [4, 5, 64])
    #expect(GRU(4, resetAfter: false).resetAfter == false)
    _ = SimpleRNN(4, kernelRegularizer: .l2(0.01))
  }

  @Test("A weights file for another shape fails with the message the Saving article shows")
  func savingErrorMessage() throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("model-\(UUID().uuidString).weights.h5").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let three = Sequential {
      Dense(3, inputShape: [32])
    }
    try three.saveWeights(path)
    let one = Sequential {
      Dense(1, inputShape: [32])
    }
    #expect {
      try one.loadWeights(path)
    } throws: { error in
      // The layer is named `dense` in a fresh program; here other tests have made Dense layers before.
      "\(error)".contains(
        "variable 0 ('kernel') has shape [32, 1] in the model but [32, 3] in the file at '/layers/dense/vars/0'")
    }
  }

  @Test("Every file of the Docs/ catalogs is linked into its target", arguments: ["Keras", "TensorCore", "HDF5"])
  func catalogIsLinked(module: String) throws {
    // Docs/<Module>.docc holds the articles; Sources/<Module>/<Module>.docc links to each file
    // (Scripts/docs.sh makes the links), because SwiftPM builds only a catalog inside the target.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let catalog = root.appendingPathComponent("Docs/\(module).docc")
    let linked = root.appendingPathComponent("Sources/\(module)/\(module).docc")
    let files = try FileManager.default.subpathsOfDirectory(atPath: catalog.path).filter { path in
      var isDirectory: ObjCBool = false
      let exists = FileManager.default.fileExists(
        atPath: catalog.appendingPathComponent(path).path, isDirectory: &isDirectory)
      return exists && !isDirectory.boolValue && !path.hasPrefix(".")
    }
    #expect(files.contains("\(module).md"))
    for file in files {
      let original = try Data(contentsOf: catalog.appendingPathComponent(file))
      let link = try? Data(contentsOf: linked.appendingPathComponent(file))
      #expect(link == original, "Docs/\(module).docc/\(file) is not linked into Sources/\(module): run Scripts/docs.sh")
    }
  }

  @Test("The summary table of the Getting Started article is the one summary() prints")
  func gettingStartedSummary() throws {
    // Named as a fresh program names them (the test process has made other layers before).
    let model = Sequential(name: "sequential") {
      LSTM(32, inputShape: [10, 1], name: "lstm")
      Dropout(0.2, name: "dropout")
      Dense(1, activation: .sigmoid, name: "dense")
    }
    let text = model.summaryText(lineLength: 76)
    let article = try String(
      contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Docs/Keras.docc/GettingStarted.md"), encoding: .utf8)
    #expect(article.contains(text), "GettingStarted.md should show:\n\(text)")
  }

  @Test("The Command-Line Tool article shows what summary and inspect print for the fixture model")
  func commandLineToolArticle() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let article = try String(
      contentsOf: root.appendingPathComponent("Docs/Keras.docc/CommandLineTool.md"), encoding: .utf8)
    let fixture = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/model_files/lstm_classifier.keras")
    // `swift-keras summary` prints the loaded model's summary (COLUMNS=80 in the article).
    #expect(article.contains(try loadModel(fixture.path).summaryText(lineLength: 76)))
    // `swift-keras inspect`, run in the fixture's directory: the article elides optimizer slots 3-9.
    let inspected = try inspectModelFile(fixture.path).replacingOccurrences(
      of: fixture.path, with: "lstm_classifier.keras")
    let lines = inspected.split(separator: "\n", omittingEmptySubsequences: false)
    let elided = lines.firstIndex { $0 == "      2  [3, 16]  float32" }!
    let shown =
      lines[...elided].joined(separator: "\n") + "\n      ...\n" + lines[(elided + 8)...].joined(separator: "\n")
    #expect(article.contains(shown), "CommandLineTool.md should show:\n\(shown)")
  }

  @Test("A custom layer's weights round-trip through a .weights.h5 file")
  func customLayerSavesWeights() throws {
    let model = Sequential {
      GatedDense(4, inputShape: [3])
      Dense(1)
    }
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("gated-\(UUID().uuidString).weights.h5").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.saveWeights(path)
    let again = Sequential {
      GatedDense(4, inputShape: [3])
      Dense(1)
    }
    try again.loadWeights(path)
    let x = Tensor([[1, 2, 3]])
    #expect(try again.predict(x, verbose: 0) == model.predict(x, verbose: 0))
  }
}
