// lstm-classifier: binary classification of sequences with an LSTM, as the Keras program
//
//   model = Sequential(); model.add(LSTM(50, input_shape=(T, F)))
//   model.add(Dense(1, activation='sigmoid'))
//   model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
//   model.fit(x, y, epochs=10, batch_size=32)
//
// The data is generated (seeded): each sequence is noise, and in half of them a slow
// rising trend is hidden in one channel; the LSTM must tell which. The program trains,
// evaluates on held-out sequences and compares with a trivial baseline, then saves the
// weights (`model.save_weights`), loads them into a freshly built model (`load_weights`) and
// checks that its predictions are the same.
//
//   swift run -c release lstm-classifier [--epochs N] [--samples N] [--weights PATH.weights.h5]
import Foundation
import Keras

/// Command-line options: `--epochs N`, `--samples N`.
func option(_ name: String, default value: Int) -> Int {
  let arguments = CommandLine.arguments
  guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]), v > 0 else {
    return value
  }
  return v
}

/// The value after `name` on the command line (`--weights PATH`), if given.
func option(_ name: String) -> String? {
  let arguments = CommandLine.arguments
  guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
  return arguments[i + 1]
}

let epochs = option("--epochs", default: 10)
let samples = option("--samples", default: 2560)
let (steps, features) = (32, 8)

/// `count` sequences `[count, steps, features]` and labels `[count, 1]`.
func makeData(count: Int, seed: UInt64) -> (Tensor, Tensor) {
  var generator = RandomGenerator(seed: seed)
  var x = Tensor.randomNormal([count, steps, features], standardDeviation: 1, using: &generator)
  var labels = [Float](repeating: 0, count: count)
  x.withUnsafeMutableBufferPointer { values in
    for n in 0..<count where generator.next() % 2 == 0 {
      labels[n] = 1
      let channel = Int(generator.next() % UInt64(features))
      for t in 0..<steps { values[(n * steps + t) * features + channel] += 1.5 * Float(t) / Float(steps) }
    }
  }
  return (x, try! Tensor(shape: [count, 1], scalars: labels))
}

setRandomSeed(1)
let (xTrain, yTrain) = makeData(count: samples, seed: 1)
let (xTest, yTest) = makeData(count: samples / 5, seed: 2)
print("train \(xTrain.shape), test \(xTest.shape)")

/// The classifier: an LSTM over the sequence, one sigmoid unit on its last output.
func makeModel() -> Sequential {
  Sequential {
    LSTM(50, inputShape: [steps, features])
    Dense(1, activation: .sigmoid)
  }
}

let model = makeModel()
model.summary()
try model.compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"])
try model.fit(xTrain, yTrain, batchSize: 32, epochs: epochs, validationSplit: 0.1)

let scores = try model.evaluate(xTest, yTest, verbose: 0)
let positives = yTest.mean().scalar
print(String(format: "test accuracy %.4f, test loss %.4f (majority-class baseline %.4f)",
             scores["accuracy"]!, scores["loss"]!, max(positives, 1 - positives)))

// Save the weights, load them into a new model of the same layers, and compare predictions.
let temporaryPath = FileManager.default.temporaryDirectory
  .appendingPathComponent("lstm-classifier-\(ProcessInfo.processInfo.processIdentifier).weights.h5").path
let weightsPath = option("--weights") ?? temporaryPath
try model.saveWeights(weightsPath)
let reloaded = makeModel()
try reloaded.loadWeights(weightsPath)
let predictions = try model.predict(xTest, verbose: 0)
let reloadedPredictions = try reloaded.predict(xTest, verbose: 0)
let difference = try (predictions - reloadedPredictions).abs().max().scalar
if weightsPath == temporaryPath { try? FileManager.default.removeItem(atPath: weightsPath) }
print("weights saved to \(weightsPath) and loaded into a new model:")
print("max |difference| of the \(xTest.shape[0]) test predictions \(difference) (0 means identical)")
