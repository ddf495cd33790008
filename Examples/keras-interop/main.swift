// keras-interop: a model trained and saved by Python Keras, loaded, checked, fine-tuned and saved
// back by SwiftKeras, as the Keras program
//
//   model = keras.models.load_model("waveform_classifier.keras")   # also .h5; load_weights(.weights.h5)
//   np.abs(model.predict(x_test) - np.load("keras_predictions.npy")).max()
//   model.fit(x_new, y_new, epochs=10, batch_size=32)               # resumes Keras' Adam state
//   model.save("fine_tuned.keras"); model.save_weights("fine_tuned.weights.h5")
//
// The model (Data/make_models.py) is `LSTM(16) → Dense(3, softmax)` telling sine, square and
// sawtooth waves apart; Keras trained it on slow waves with little noise. The program loads the
// three files Keras wrote and compares their predictions with Keras' own, then fine-tunes on
// faster, noisier waves the model has not seen, and writes the result where Python Keras opens
// it: `python Examples/keras-interop/check_in_keras.py OUTPUT_DIR` reloads and compares.
//
//   swift run -c release keras-interop [--epochs N] [--output DIR (default: $TMPDIR/keras-interop-output)]
import Foundation
import Keras

/// The value after `name` on the command line, or `value`.
func option<T: LosslessStringConvertible>(_ name: String, default value: T) -> T {
  let arguments = CommandLine.arguments
  guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = T(arguments[i + 1]) else {
    return value
  }
  return v
}

let epochs = option("--epochs", default: 10)
let outputDirectory = URL(
  fileURLWithPath: option(
    "--output", default: FileManager.default.temporaryDirectory.appendingPathComponent("keras-interop-output").path))

/// The path of `name` in the bundled Data directory.
func dataPath(_ name: String) -> String {
  guard let url = Bundle.module.resourceURL?.appendingPathComponent("Data").appendingPathComponent(name),
    FileManager.default.fileExists(atPath: url.path)
  else { fatalError("Data/\(name) is missing from the bundle") }
  return url.path
}

/// The fraction of rows of `predictions` `[N, 3]` whose argmax is the label in `labels` `[N]`.
func accuracy(_ predictions: Tensor, _ labels: Tensor) throws -> Float {
  let predicted = try predictions.argmax(axis: -1).scalars
  return Float(zip(predicted, labels.scalars).filter { Float($0) == $1 }.count) / Float(labels.count)
}

let xTest = try NPY.read(dataPath("x_test.npy"))
let yTest = try NPY.read(dataPath("y_test.npy"))
let kerasPredictions = try NPY.read(dataPath("keras_predictions.npy"))
let xNew = try NPY.read(dataPath("x_shifted_train.npy"))
let yNew = try NPY.read(dataPath("y_shifted_train.npy"))
let xNewTest = try NPY.read(dataPath("x_shifted_test.npy"))
let yNewTest = try NPY.read(dataPath("y_shifted_test.npy"))

// 1. The same Keras model in three files: each must predict what Keras predicted.
print("Keras' predictions on \(xTest.shape[0]) test waves, reproduced from each file Keras wrote:")
let model = try loadModel(dataPath("waveform_classifier.keras"))
let fromH5 = try loadModel(dataPath("waveform_classifier.h5"))
let fromWeights = Sequential {
  LSTM(16, inputShape: [48, 1])
  Dense(3, activation: .softmax)
}
try fromWeights.loadWeights(dataPath("waveform_classifier.weights.h5"))
for (file, loaded) in [
  ("waveform_classifier.keras", model), ("waveform_classifier.h5", fromH5),
  ("waveform_classifier.weights.h5", fromWeights),
] {
  let predictions = try loaded.predict(xTest, verbose: 0)
  let difference = try (predictions - kerasPredictions).abs().max().scalar
  let name = file.padding(toLength: 32, withPad: " ", startingAt: 0)
  print(
    String(format: "  \(name) max |Swift - Keras| = %.2e, accuracy %.4f", difference, try accuracy(predictions, yTest)))
}
model.summary()

// 2. Fine-tune the .keras model, whose Adam state came with it, on waves it has not seen.
let before = try accuracy(model.predict(xNewTest, verbose: 0), yNewTest)
print(String(format: "faster, noisier waves: accuracy %.4f before fine-tuning", before))
setRandomSeed(3)
try model.fit(xNew, yNew, batchSize: 32, epochs: epochs, validationData: (xNewTest, yNewTest))
let newPredictions = try model.predict(xNewTest, verbose: 0)
print(
  String(
    format: "after %d epochs: faster, noisier waves accuracy %.4f (was %.4f); original test waves %.4f",
    epochs, try accuracy(newPredictions, yNewTest), before,
    try accuracy(model.predict(xTest, verbose: 0), yTest)))

// 3. Save in the forms Python Keras loads, with the predictions to compare against.
try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
for file in ["fine_tuned.keras", "fine_tuned.h5"] {
  try model.save(outputDirectory.appendingPathComponent(file).path)
}
try model.saveWeights(outputDirectory.appendingPathComponent("fine_tuned.weights.h5").path)
try NPY.write(newPredictions, to: outputDirectory.appendingPathComponent("swift_predictions.npy").path)
let written = try FileManager.default.contentsOfDirectory(atPath: outputDirectory.path).sorted()
print("wrote \(written.joined(separator: ", ")) to \(outputDirectory.path)")
print("check in Python Keras: python Examples/keras-interop/check_in_keras.py \(outputDirectory.path)")
