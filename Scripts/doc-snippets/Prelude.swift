// The names a documentation snippet may use without defining them. Scripts/check-doc-snippets.sh
// compiles this file beside the snippets; each snippet runs in a process of its own (in a fresh
// empty directory), so a snippet that trains `model` or writes files does not affect another.
//
// The data fit the README's headline model: a sequence of 32 steps with 8 features per sample,
// a binary label per sample. A snippet that needs other shapes defines its own in a hidden setup
// (see the header of check-doc-snippets.sh).
import Keras

/// Training inputs `[64, 32, 8]`, standard normal.
let x = Tensor.randomNormal([64, 32, 8], seed: 1)
/// Training labels `[64, 1]`: 1 when the first feature's mean over the steps is positive.
let y = try! x.slice(axis: 2, 0..<1).mean(axes: [1]).greater(Tensor(0))
/// Test inputs `[16, 32, 8]`.
let xTest = Tensor.randomNormal([16, 32, 8], seed: 2)
/// Test labels `[16, 1]`.
let yTest = try! xTest.slice(axis: 2, 0..<1).mean(axes: [1]).greater(Tensor(0))
/// A compiled model for `x` and `y`: LSTM(8) → Dense(1, sigmoid), adam, binary cross-entropy, accuracy.
let model: Sequential = {
  let model = Sequential {
    LSTM(8, inputShape: [32, 8])
    Dense(1, activation: .sigmoid)
  }
  try! model.compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"])
  return model
}()
/// More training inputs `[32, 32, 8]` (fine-tuning examples).
let xMore = Tensor.randomNormal([32, 32, 8], seed: 3)
/// Labels of `xMore`.
let yMore = try! xMore.slice(axis: 2, 0..<1).mean(axes: [1]).greater(Tensor(0))

/// Writes the files a snippet about loading reads, in the current directory: `model.keras`,
/// `model.h5` and `model.weights.h5` of `model`, and `x.npy` and `y.npy` of `x` and `y`.
func saveExampleFiles() throws {
  try model.save("model.keras")
  try model.save("model.h5")
  try model.saveWeights("model.weights.h5")
  try NPY.write(x, to: "x.npy")
  try NPY.write(y, to: "y.npy")
}
