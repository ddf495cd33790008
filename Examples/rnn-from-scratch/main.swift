// rnn-from-scratch: a recurrent net written by hand from tensor ops, as the NumPy program
//
//   class RNN:
//       def __init__(self, n_in, n_hidden, n_out): self.W_xh, self.W_hh, self.b_h, self.W_hy, self.b_y = ...
//       def forward(self, x):                     # h_t = tanh(W_xh x_t + W_hh h_(t-1) + b_h)
//           h = np.zeros(n_hidden)                # y   = W_hy h_T + b_y
//           for x_t in x: h = np.tanh(x_t @ self.W_xh + h @ self.W_hh + self.b_h)
//           return h @ self.W_hy + self.b_y
//       def backward(self, dy): ...               # backpropagation through time, by hand
//       def sgd_step(self, lr): for p, g in zip(self.params, self.grads): p -= lr * g
//
// Here `backward` is TensorCore's tape (`valueWithGradient`) instead of hand-written BPTT.
// The task: from 20 noisy samples of a sine wave (random amplitude, frequency and phase)
// predict the next sample. The program trains the hand-written net with plain SGD on mean
// squared error, predicts with it, then trains Keras' `SimpleRNN` + `Dense(1)` (same sizes,
// same initial weights, SGD, mse) on the same data and compares both test errors with the
// naive "the next value is the last one" baseline.
//
//   swift run -c release rnn-from-scratch [--epochs N] [--samples N] [--units N]
import Foundation
import Keras

/// Command-line options: `--epochs N`, `--samples N`, `--units N`.
func option(_ name: String, default value: Int) -> Int {
  let arguments = CommandLine.arguments
  guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]), v > 0 else {
    return value
  }
  return v
}

let epochs = option("--epochs", default: 20)
let samples = option("--samples", default: 2048)
let units = option("--units", default: 32)
let (steps, batchSize, learningRate, noise): (Int, Int, Float, Float) = (20, 32, 0.05, 0.05)

/// `count` windows of noisy sine waves `[count, steps, 1]` and the sample that follows each, `[count, 1]`.
func makeData(count: Int, seed: UInt64) -> (Tensor, Tensor) {
  var generator = RandomGenerator(seed: seed)
  var x: [Float] = []
  var y: [Float] = []
  for _ in 0..<count {
    let amplitude = 0.5 + 0.5 * generator.nextUniform()
    let frequency = 0.15 + 0.3 * generator.nextUniform()  // radians per step: a period of 14 to 42 steps
    let phase = 2 * Float.pi * generator.nextUniform()
    for t in 0...steps {
      let value = amplitude * sin(frequency * Float(t) + phase) + noise * generator.nextNormal()
      if t < steps { x.append(value) } else { y.append(value) }
    }
  }
  return (try! Tensor(shape: [count, steps, 1], scalars: x), try! Tensor(shape: [count, 1], scalars: y))
}

/// An Elman network, `[N, T, F]` → `[N, O]`: `h_t = tanh(x_t·W_xh + h_(t-1)·W_hh + b_h)`, `y = h_T·W_hy + b_y`.
///
/// Vectors are rows (`x_t·W`, as Keras stores kernels `[in, out]`), so `W_xh` is `[F, H]`.
final class ScratchRNN {
  let units: Int
  let inputKernel: Variable  // W_xh [F, H]
  let recurrentKernel: Variable  // W_hh [H, H]
  let hiddenBias: Variable  // b_h [H]
  let outputKernel: Variable  // W_hy [H, O]
  let outputBias: Variable  // b_y [O]

  /// The parameters in the order of Keras' `SimpleRNN` + `Dense` weights.
  var parameters: [Variable] { [inputKernel, recurrentKernel, hiddenBias, outputKernel, outputBias] }

  /// Initialized as Keras initializes `SimpleRNN` and `Dense`: Glorot-uniform kernels, an
  /// orthogonal recurrent kernel, zero biases.
  init(inputs: Int, units: Int, outputs: Int) throws {
    self.units = units
    inputKernel = Variable(try Initializer.glorotUniform()([inputs, units]), name: "W_xh")
    recurrentKernel = Variable(try Initializer.orthogonal()([units, units]), name: "W_hh")
    hiddenBias = Variable(.zeros([units]), name: "b_h")
    outputKernel = Variable(try Initializer.glorotUniform()([units, outputs]), name: "W_hy")
    outputBias = Variable(.zeros([outputs]), name: "b_y")
  }

  /// The output after the last step: the input projection of all steps first, then the loop over time.
  func forward(_ x: Tensor) throws -> Tensor {
    let (n, t, f) = (x.shape[0], x.shape[1], x.shape[2])
    let projected = try x.reshaped(to: [n * t, f]).matmul(inputKernel.value).reshaped(to: [n, t, units])
    var h = Tensor.zeros([n, units])
    for step in 0..<t {
      let xt = try projected.slice(axis: 1, step..<(step + 1)).reshaped(to: [n, units])
      h = try (xt + h.matmul(recurrentKernel.value) + hiddenBias.value).tanh()
    }
    return try h.matmul(outputKernel.value) + outputBias.value
  }

  /// The mean squared error on a batch and its gradient for each parameter: the tape replays
  /// `forward` backwards, which is backpropagation through time.
  func backward(_ x: Tensor, _ y: Tensor) throws -> (loss: Float, gradients: [Tensor]) {
    let (loss, gradients) = try valueWithGradient(for: parameters) { try (forward(x) - y).square().mean() }
    return (loss.scalar, gradients)
  }

  /// Plain gradient descent: `p -= learningRate · g`.
  func sgdStep(_ gradients: [Tensor], learningRate: Float) throws {
    for (parameter, gradient) in zip(parameters, gradients) {
      parameter.value = try parameter.value - learningRate * gradient
    }
  }
}

/// Mean squared error of `prediction` against `target`.
func meanSquaredError(_ prediction: Tensor, _ target: Tensor) throws -> Float {
  try (prediction - target).square().mean().scalar
}

setRandomSeed(3)
let (xTrain, yTrain) = makeData(count: samples, seed: 1)
let (xTest, yTest) = makeData(count: 512, seed: 2)
print("train \(xTrain.shape), test \(xTest.shape): predict the next sample of a noisy sine wave")

// 1. The hand-written net, trained batch by batch with the progress bar fit draws.
let rnn = try ScratchRNN(inputs: 1, units: units, outputs: 1)
let initialWeights = rnn.parameters.map(\.value)
let parameterCount = initialWeights.map(\.count).reduce(0, +)
print("\nhand-written RNN: \(units) units, \(parameterCount) parameters, SGD(\(learningRate))")
let batches = (samples + batchSize - 1) / batchSize
let bar = ProgressBar()
bar.setParams(TrainingParams(epochs: epochs, steps: batches, verbose: 1))
bar.onTrainBegin(Logs())
var shuffler = RandomGenerator(seed: 4)
for epoch in 0..<epochs {
  bar.onEpochBegin(epoch, Logs())
  let order = Array(0..<samples).shuffled(using: &shuffler)
  var lossSum: Float = 0
  for batch in 0..<batches {
    let rows = IntTensor(Array(order[(batch * batchSize)..<min((batch + 1) * batchSize, samples)]))
    let (loss, gradients) = try rnn.backward(xTrain.gathering(rows), yTrain.gathering(rows))
    try rnn.sgdStep(gradients, learningRate: learningRate)
    lossSum += loss
    bar.onTrainBatchEnd(batch, Logs([("loss", lossSum / Float(batch + 1))]))
  }
  bar.onEpochEnd(epoch, Logs([("loss", lossSum / Float(batches))]))
}
bar.onTrainEnd(Logs())
let scratchPredictions = try rnn.forward(xTest)

// 2. The same net from Keras layers, starting from the same weights.
print("\nKeras SimpleRNN(\(units)) + Dense(1), SGD(\(learningRate)), mse")
let model = Sequential {
  SimpleRNN(units, inputShape: [steps, 1])
  Dense(1)
}
try model.setWeights(initialWeights)
try model.compile(optimizer: SGD(learningRate: .constant(learningRate)), loss: "mse")
try model.fit(xTrain, yTrain, batchSize: batchSize, epochs: epochs)
let kerasPredictions = try model.predict(xTest, verbose: 0)

print("\nfirst test waves: last three inputs → true next | hand-written | SimpleRNN")
for n in 0..<4 {
  let inputs = (steps - 3..<steps).map { String(format: "%6.3f", xTest[n, $0, 0]) }.joined(separator: " ")
  let outputs = [yTest[n, 0], scratchPredictions[n, 0], kerasPredictions[n, 0]].map { String(format: "%6.3f", $0) }
  print("  \(inputs) → \(outputs.joined(separator: " | "))")
}

let lastValues = try xTest.slice(axis: 1, (steps - 1)..<steps).reshaped(to: [-1, 1])
print("\ntest mean squared error over \(xTest.shape[0]) waves:")
print(String(format: "  hand-written RNN     %.5f", try meanSquaredError(scratchPredictions, yTest)))
print(String(format: "  Keras SimpleRNN      %.5f", try meanSquaredError(kerasPredictions, yTest)))
print(String(format: "  last-value baseline  %.5f", try meanSquaredError(lastValues, yTest)))
print(String(format: "  noise floor (σ²)     %.5f", noise * noise))
