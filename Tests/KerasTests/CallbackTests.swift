import Foundation
import Testing

@testable import Keras

/// A tiny regression problem: y = 2·x₀ - x₁ over 32 samples.
func regressionData() -> (Tensor, Tensor) {
  let x = Tensor.randomUniform([32, 2], min: -1, max: 1, seed: 42)
  let y = try! (x.slice(axis: 1, 0..<1) * 2 - x.slice(axis: 1, 1..<2))
  return (x, y)
}

func linearModel() -> Sequential {
  Sequential {
    Input(shape: [2])
    Dense(1, kernelInitializer: .zeros)
  }
}

@Suite("Callbacks behave as in Keras")
struct CallbackTests {
  @Test("EarlyStopping stops when val_loss stops improving and restores the best weights")
  func earlyStopping() throws {
    let (x, y) = regressionData()
    let model = linearModel()
    // A learning rate this large makes SGD diverge after the first epochs, so val_loss worsens.
    try model.compile(optimizer: SGD(learningRate: 1.2), loss: "mse")
    var weightsByEpoch: [[Tensor]] = []
    let record = LambdaCallback(onEpochEnd: { _, _ in weightsByEpoch.append(model.getWeights()) })
    let stopper = EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true)
    let history = try model.fit(
      x, y, batchSize: 8, epochs: 50, verbose: 0, callbacks: [record, stopper], validationData: (x, y), shuffle: false)
    let losses = history.history["val_loss"]!
    #expect(losses.count < 50)
    let best = losses.enumerated().min { $0.element < $1.element }!.offset
    // Stopped `patience` epochs after the best one, as Keras' wait counter does.
    #expect(losses.count == best + 1 + 2)
    #expect(stopper.stoppedEpoch == losses.count - 1)
    #expect(model.getWeights() == weightsByEpoch[best])
  }

  @Test("ReduceLROnPlateau multiplies the learning rate by factor after patience epochs without improvement")
  func reduceLROnPlateau() throws {
    let (x, y) = regressionData()
    let model = linearModel()
    try model.compile(optimizer: SGD(learningRate: 0.1), loss: "mse")
    // min_delta larger than any improvement: every epoch after the first counts as a plateau.
    let reducer = ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 2, minDelta: 100)
    var rates: [Float] = []
    let record = LambdaCallback(onEpochEnd: { _, _ in
      if case .constant(let r) = model.optimizer!.learningRate { rates.append(r) }
    })
    var before: [[String]] = []
    var after: [[String]] = []
    var trainEnd = Logs()
    let earlier = LambdaCallback(onEpochEnd: { _, logs in before.append(logs.names) })
    let later = LambdaCallback(onEpochEnd: { _, logs in after.append(logs.names) }, onTrainEnd: { trainEnd = $0 })
    let history = try model.fit(
      x, y, epochs: 5, verbose: 0, callbacks: [earlier, reducer, record, later], shuffle: false)
    // epoch 1 sets best; epochs 2, 3 wait → reduce at epoch 3; epochs 4, 5 wait → reduce at epoch 5.
    #expect(rates == [0.1, 0.1, 0.05, 0.05, 0.025])
    // Keras writes the rate each epoch ran with into the logs before deciding: callbacks after
    // it and History see `learning_rate` after the metrics, callbacks before it do not.
    #expect(history.history["learning_rate"] == [0.1, 0.1, 0.1, 0.05, 0.05])
    #expect(before.allSatisfy { $0 == ["loss"] })
    #expect(after.allSatisfy { $0 == ["loss", "learning_rate"] })
    // on_train_end gets the last epoch's logs, as Keras' fit passes them.
    #expect(trainEnd["learning_rate"] == 0.05)
    #expect(trainEnd["loss"] == history.history["loss"]!.last)
  }

  @Test("TerminateOnNaN stops training at the first batch whose loss is NaN")
  func terminateOnNaN() throws {
    let (x, _) = regressionData()
    var y = Tensor.zeros([32, 1])
    // The third batch of 8 holds a label whose squared error overflows to infinity (a NaN label
    // would be rejected before training).
    y[20, 0] = 1e30
    let model = linearModel()
    try model.compile(optimizer: "sgd", loss: "mse")
    let terminator = TerminateOnNaN()
    var batches = 0
    let counter = LambdaCallback(onBatchEnd: { _, _ in batches += 1 })
    let history = try model.fit(
      x, y, batchSize: 8, epochs: 3, verbose: 0, callbacks: [terminator, counter], shuffle: false)
    #expect(terminator.invalidBatch == 2)
    #expect(history.epochs == [0])  // the epoch ends at that batch, then training stops (as Keras)
    #expect(batches == 3)
  }

  @Test("LearningRateScheduler sets the rate from the epoch before each epoch")
  func learningRateScheduler() throws {
    let (x, y) = regressionData()
    let model = linearModel()
    try model.compile(optimizer: SGD(learningRate: 0.1), loss: "mse")
    var seen: [Float] = []
    let scheduler = LearningRateScheduler { epoch, rate in epoch == 0 ? rate : rate / 2 }
    let record = LambdaCallback(onEpochBegin: { _, _ in
      if case .constant(let r) = model.optimizer!.learningRate { seen.append(r) }
    })
    let history = try model.fit(x, y, epochs: 3, verbose: 0, callbacks: [scheduler, record])
    #expect(seen == [0.1, 0.05, 0.025])
    #expect(history.history["learning_rate"] == [0.1, 0.05, 0.025])
  }

  @Test("CSVLogger writes a header and one row per epoch with the logged values")
  func csvLogger() throws {
    let (x, y) = regressionData()
    let model = linearModel()
    try model.compile(optimizer: "adam", loss: "mse", metrics: ["mae"])
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("log-\(UUID().uuidString).csv").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let history = try model.fit(x, y, epochs: 2, verbose: 0, callbacks: [CSVLogger(path)])
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 3)
    #expect(lines[0] == "epoch,loss,mae")
    #expect(lines[2].hasPrefix("1,\(history.history["loss"]![1]),"))
  }

  @Test("LambdaCallback and History see the hooks in Keras' order")
  func hookOrder() throws {
    let (x, y) = regressionData()
    let model = linearModel()
    try model.compile(optimizer: "sgd", loss: "mse")
    var events: [String] = []
    let spy = LambdaCallback(
      onEpochBegin: { e, _ in events.append("epoch \(e) begin") }, onEpochEnd: { e, _ in events.append("epoch \(e) end") },
      onBatchBegin: { b, _ in events.append("batch \(b)") }, onTrainBegin: { _ in events.append("train begin") },
      onTrainEnd: { _ in events.append("train end") })
    let history = try model.fit(x, y, batchSize: 16, epochs: 2, verbose: 0, callbacks: [spy])
    #expect(
      events == [
        "train begin", "epoch 0 begin", "batch 0", "batch 1", "epoch 0 end", "epoch 1 begin", "batch 0", "batch 1",
        "epoch 1 end", "train end",
      ])
    #expect(history.epochs == [0, 1])
    #expect(history.names == ["loss"])
  }

  @Test("initialEpoch resumes the epoch count")
  func initialEpoch() throws {
    let (x, y) = regressionData()
    let model = linearModel()
    try model.compile(optimizer: "sgd", loss: "mse")
    let history = try model.fit(x, y, epochs: 5, verbose: 0, initialEpoch: 3)
    #expect(history.epochs == [3, 4])
  }
}

@Suite("The progress bar prints as Keras 3")
struct ProgressBarTests {
  @Test("not on a terminal, verbose 1 prints the epoch header and one finished line per epoch")
  func nonTerminal() throws {
    let (x, y) = regressionData()
    let model = linearModel()
    try model.compile(optimizer: "sgd", loss: "mse", metrics: ["mae"])
    var output = ""
    let bar = ProgressBar(isTerminal: false) { output += $0 }
    let history = try model.fit(x, y, batchSize: 8, epochs: 2, verbose: 0, callbacks: [bar])
    _ = history
    // verbose: 0 silences fit's own bar; ours is given params through the list, so set them as fit would.
    #expect(output.isEmpty)
    var printed = ""
    let visible = ProgressBar(isTerminal: false) { printed += $0 }
    visible.setParams(TrainingParams(epochs: 2, steps: 4, verbose: 1))
    visible.onEpochBegin(0, Logs())
    for b in 0..<4 { visible.onTrainBatchEnd(b, Logs([("mae", 0.5), ("loss", 0.25)])) }
    visible.onEpochEnd(0, Logs([("mae", 0.5), ("loss", 0.000123)]))
    let lines = printed.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines[0] == "Epoch 1/2")
    #expect(lines.count == 3 && lines[2] == "")
    let line = String(lines[1])
    #expect(line.hasPrefix("4/4 ━━━━━━━━━━━━━━━━━━━━ 0s "))
    #expect(line.hasSuffix("/step - mae: 0.5000 - loss: 1.2300e-04"))
  }

  @Test("verbose 2 prints one summary line per epoch")
  func verboseTwo() {
    var printed = ""
    let bar = ProgressBar(isTerminal: true) { printed += $0 }
    bar.setParams(TrainingParams(epochs: 1, steps: 125, verbose: 2))
    bar.onEpochBegin(0, Logs())
    bar.onTrainBatchEnd(0, Logs([("loss", 0.7)]))
    bar.onEpochEnd(0, Logs([("accuracy", 0.8123), ("loss", 0.4112)]))
    #expect(printed.hasPrefix("125/125 - 0s - "))
    #expect(printed.hasSuffix("/step - accuracy: 0.8123 - loss: 0.4112\n"))
  }

  @Test("Keras' number and time formats")
  func formats() {
    #expect(ProgressBar.format(0.81234) == "0.8123")
    #expect(ProgressBar.format(0.0005) == "5.0000e-04")
    #expect(ProgressBar.formatStepTime(0.014) == "14ms/step")
    #expect(ProgressBar.formatStepTime(2.4) == "2s/step")
    #expect(ProgressBar.formatStepTime(0.00085) == "850us/step")
    #expect(ProgressBar.formatETA(45.7) == "45s")
    #expect(ProgressBar.formatETA(125) == "2:05")
    #expect(ProgressBar.formatETA(3723) == "1:02:03")
  }
}

@Suite("fit, evaluate and predict reject bad input before changing weights")
struct TrainingErrorTests {
  func compiledModel() throws -> Sequential {
    let model = linearModel()
    try model.compile(optimizer: "adam", loss: "mse")
    return model
  }

  @Test("mismatched x and y lengths name both shapes and leave the weights unchanged")
  func mismatchedLengths() throws {
    let model = try compiledModel()
    let before = model.getWeights()
    #expect { try model.fit(Tensor.ones([10, 2]), Tensor.ones([9, 1]), verbose: 0) } throws: {
      "\($0)" == "fit: x and y hold different numbers of samples: x has shape [10, 2], y has shape [9, 1]"
    }
    #expect(model.getWeights() == before)
  }

  @Test("labels whose shape does not fit the loss throw before training")
  func wrongLabelShape() throws {
    let model = try compiledModel()
    let before = model.getWeights()
    #expect { try model.fit(Tensor.ones([10, 2]), Tensor.ones([10, 3]), verbose: 0) } throws: {
      "\($0)".contains("labels of shape [10, 3]") && "\($0)".contains("mean_squared_error")
    }
    #expect(model.getWeights() == before)
    let classifier = Sequential {
      Input(shape: [2])
      Dense(3, activation: .softmax)
    }
    try classifier.compile(optimizer: "adam", loss: "sparse_categorical_crossentropy")
    #expect(throws: KerasError.self) { try classifier.fit(Tensor.ones([4, 2]), Tensor([[0], [1], [5], [2]]), verbose: 0) }
  }

  @Test("an empty dataset and a batch size of 0 throw")
  func emptyAndZeroBatch() throws {
    let model = try compiledModel()
    #expect { try model.fit(Tensor.zeros([0, 2]), Tensor.zeros([0, 1]), verbose: 0) } throws: {
      "\($0)".contains("empty")
    }
    #expect { try model.fit(Tensor.ones([4, 2]), Tensor.ones([4, 1]), batchSize: 0, verbose: 0) } throws: {
      "\($0)" == "fit: batchSize must be positive, got 0"
    }
    #expect(throws: KerasError.self) { try model.evaluate(Tensor.ones([4, 2]), Tensor.ones([4, 1]), batchSize: 0, verbose: 0) }
  }

  @Test("fit before compile says compile is needed; unknown names list the valid ones")
  func notCompiled() throws {
    let model = linearModel()
    #expect { try model.fit(Tensor.ones([4, 2]), Tensor.ones([4, 1]), verbose: 0) } throws: {
      "\($0)".contains("call compile(")
    }
    #expect { try model.compile(optimizer: "adamm", loss: "mse") } throws: { "\($0)".contains("Unknown optimizer 'adamm'") }
    #expect { try model.compile(optimizer: "adam", loss: "mse2") } throws: { "\($0)".contains("Unknown loss 'mse2'") }
    #expect { try model.compile(optimizer: "adam", loss: "mse", metrics: ["acuracy"]) } throws: {
      "\($0)".contains("acuracy")
    }
  }

  @Test("evaluate returns loss and metrics by name; trainOnBatch, testOnBatch and predictOnBatch work on one batch")
  func evaluateAndOnBatch() throws {
    let (x, y) = regressionData()
    let model = linearModel()
    try model.compile(optimizer: "sgd", loss: "mse", metrics: ["mae"])
    let scores = try model.evaluate(x, y, verbose: 0)
    // Zero weights predict 0: mse = mean(y²), mae = mean(|y|).
    #expect(abs(scores["loss"]! - y.square().mean().scalar) < 1e-6)
    #expect(abs(scores["mae"]! - y.abs().mean().scalar) < 1e-6)
    let before = try model.testOnBatch(x, y)["loss"]!
    _ = try model.trainOnBatch(x, y)
    #expect(try model.testOnBatch(x, y)["loss"]! < before)
    #expect(try model.predictOnBatch(x).shape == [32, 1])
  }

  @Test("computeGradients and applyGradients together equal trainOnBatch")
  func separateGradientSteps() throws {
    let (x, y) = regressionData()
    let a = linearModel()
    let b = linearModel()
    try a.compile(optimizer: "adam", loss: "mse")
    try b.compile(optimizer: "adam", loss: "mse")
    _ = try a.trainOnBatch(x, y)
    let (_, gradients) = try b.computeGradients(x, y)
    try b.applyGradients(gradients)
    #expect(a.getWeights() == b.getWeights())
  }
}

@Suite("ModelCheckpoint writes checkpoints as Keras")
struct ModelCheckpointTests {
  func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  @Test("saveBestOnly keeps the weights of the best epoch in the file, which loads back")
  func bestOnly() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (x, y) = regressionData()
    let model = linearModel()
    try model.compile(optimizer: SGD(learningRate: 1.2), loss: "mse")  // diverges after a few epochs
    let path = directory.appendingPathComponent("best.weights.h5").path
    let checkpoint = try ModelCheckpoint(path, monitor: "val_loss", saveBestOnly: true, saveWeightsOnly: true)
    var weightsByEpoch: [[Tensor]] = []
    let record = LambdaCallback(onEpochEnd: { _, _ in weightsByEpoch.append(model.getWeights()) })
    let history = try model.fit(
      x, y, batchSize: 8, epochs: 8, verbose: 0, callbacks: [record, checkpoint], validationData: (x, y), shuffle: false)
    let losses = history.history["val_loss"]!
    let best = losses.enumerated().min { $0.element < $1.element }!.offset
    #expect(checkpoint.best == losses[best])
    // Saved only on improvements: one save per new minimum.
    let improvements = losses.indices.filter { i in losses[..<i].allSatisfy { $0 > losses[i] } }
    #expect(checkpoint.savedPaths.count == improvements.count)
    let restored = linearModel()
    try restored.loadWeights(path)
    #expect(restored.getWeights() == weightsByEpoch[best])
  }

  @Test("filename templates fill in the epoch and logged values with Python formats")
  func templates() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (x, y) = regressionData()
    let model = linearModel()
    try model.compile(optimizer: "adam", loss: "mse")
    let template = directory.appendingPathComponent("ckpt-{epoch:02d}-{loss:.2f}.weights.h5").path
    let checkpoint = try ModelCheckpoint(template, monitor: "loss", saveWeightsOnly: true)
    let history = try model.fit(x, y, epochs: 2, verbose: 0, callbacks: [checkpoint])
    let expected = history.history["loss"]!.enumerated().map { epoch, loss in
      directory.appendingPathComponent(String(format: "ckpt-%02d-%.2f.weights.h5", epoch + 1, Double(loss))).path
    }
    #expect(checkpoint.savedPaths == expected)
    #expect(expected.allSatisfy { FileManager.default.fileExists(atPath: $0) })
    #expect(throws: KerasError.self) { try ModelCheckpoint.expand("{val_acc}.weights.h5", epoch: 1, logs: Logs()) }
  }

  @Test("a whole-model checkpoint saves a .keras file that loads ready to keep training")
  func wholeModel() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (x, y) = regressionData()
    let model = linearModel()
    try model.compile(optimizer: "adam", loss: "mse")
    let path = directory.appendingPathComponent("model.keras").path
    try model.fit(x, y, epochs: 2, verbose: 0, callbacks: [try ModelCheckpoint(path, monitor: "loss")])
    let restored = try loadModel(path)
    #expect(restored.getWeights() == model.getWeights())
    #expect(restored.optimizer?.iterations == model.optimizer?.iterations)
  }

  @Test("checkpoint file names must fit the mode, and a failed save stops fit with the error")
  func errors() throws {
    #expect(throws: KerasError.self) { try ModelCheckpoint("model.h5", saveWeightsOnly: true) }
    #expect(throws: KerasError.self) { try ModelCheckpoint("model.weights.h5") }
    #expect(throws: KerasError.self) { try ModelCheckpoint("model.ckpt") }
    let (x, y) = regressionData()
    let model = linearModel()
    try model.compile(optimizer: "adam", loss: "mse")
    let checkpoint = try ModelCheckpoint("/nonexistent-directory/model.weights.h5", monitor: "loss", saveWeightsOnly: true)
    #expect { try model.fit(x, y, epochs: 3, verbose: 0, callbacks: [checkpoint]) } throws: {
      "\($0)".contains("/nonexistent-directory/model.weights.h5")
    }
  }
}
