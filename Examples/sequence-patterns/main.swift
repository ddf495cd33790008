// sequence-patterns: learning repeating 1/0 patterns with an LSTM and generating their
// continuation step by step, as the Keras program
//
//   model = Sequential()
//   model.add(LSTM(32, input_shape=(window, 1)))
//   model.add(Dropout(0.2))
//   model.add(Dense(1, activation='sigmoid'))
//   model.compile(loss='binary_crossentropy', optimizer=Adam(learning_rate=0.01), metrics=['accuracy'])
//   model.fit(x, y, epochs=10, batch_size=32)
//   sequence = list(seed)
//   for _ in range(n):
//       p = model.predict(np.array(sequence[-window:]).reshape(1, window, 1))
//       sequence.append(1 if p > 0.5 else 0)
//
// Four patterns ("110100", "1000", "11100", "10") are repeated into long sequences in which
// 3% of the bits are flipped, and cut into sliding windows of 16 bits labelled with the bit
// that follows. The net must tell from a window which pattern it is in and where, so it
// learns the patterns rather than memorizing windows. After training, each pattern's first
// 16 bits seed a generation in which the model's own predictions are fed back; the program
// prints the seed, the generated and the true continuation, and how many steps match.
//
//   swift run -c release sequence-patterns [--epochs N] [--samples N] [--generate N]
import Foundation
import Keras

/// Command-line options: `--epochs N`, `--samples N` (windows per pattern), `--generate N` (steps).
func option(_ name: String, default value: Int) -> Int {
  let arguments = CommandLine.arguments
  guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]), v > 0 else {
    return value
  }
  return v
}

let epochs = option("--epochs", default: 10)
let samplesPerPattern = option("--samples", default: 768)
let generateSteps = option("--generate", default: 36)
let window = 16
let flipRate: Float = 0.03
let patterns: [[Float]] = ["110100", "1000", "11100", "10"].map { $0.map { $0 == "1" ? 1 : 0 } }

/// `length` bits of `pattern` repeated from position `phase`, each flipped with probability `flipRate`.
func repeated(_ pattern: [Float], length: Int, phase: Int, flipRate: Float, using generator: inout RandomGenerator)
  -> [Float]
{
  (0..<length).map { t in
    let bit = pattern[(phase + t) % pattern.count]
    return flipRate > 0 && generator.nextUniform() < flipRate ? 1 - bit : bit
  }
}

/// Sliding windows `[count, window, 1]` over a noisy repetition of every pattern, with the bit
/// after each `[count, 1]`, in random order (so that a validation split holds every pattern).
func makeWindows(perPattern: Int, flipRate: Float, seed: UInt64) -> (Tensor, Tensor) {
  var generator = RandomGenerator(seed: seed)
  var windows: [(bits: ArraySlice<Float>, next: Float)] = []
  for pattern in patterns {
    let phase = Int(generator.next() % UInt64(pattern.count))
    let bits = repeated(pattern, length: perPattern + window, phase: phase, flipRate: flipRate, using: &generator)
    for start in 0..<perPattern { windows.append((bits[start..<(start + window)], bits[start + window])) }
  }
  windows.shuffle(using: &generator)
  let x = try! Tensor(shape: [windows.count, window, 1], scalars: windows.flatMap(\.bits))
  return (x, try! Tensor(shape: [windows.count, 1], scalars: windows.map(\.next)))
}

/// Bits as a string of 0 and 1.
func text(_ bits: some Sequence<Float>) -> String { String(bits.map { $0 > 0.5 ? "1" : "0" }) }

setRandomSeed(5)
let (xTrain, yTrain) = makeWindows(perPattern: samplesPerPattern, flipRate: flipRate, seed: 1)
let (xTest, yTest) = makeWindows(perPattern: 128, flipRate: 0, seed: 2)
print("train \(xTrain.shape) (\(Int(flipRate * 100))% of bits flipped), clean test \(xTest.shape)")

let model = Sequential {
  LSTM(32, inputShape: [window, 1])
  Dropout(0.2)
  Dense(1, activation: .sigmoid)
}
model.summary()
try model.compile(optimizer: Adam(learningRate: 0.01), loss: "binary_crossentropy", metrics: ["accuracy"])
try model.fit(xTrain, yTrain, batchSize: 32, epochs: epochs, validationSplit: 0.1)
let scores = try model.evaluate(xTest, yTest, verbose: 0)
print(String(format: "next-bit accuracy on clean windows %.4f, loss %.4f", scores["accuracy"]!, scores["loss"]!))

// Generation: all patterns at once, one step per call, feeding back the rounded predictions.
var noFlips = RandomGenerator(seed: 0)
let truth = patterns.map { repeated($0, length: window + generateSteps, phase: 0, flipRate: 0, using: &noFlips) }
var sequences = truth.map { Array($0[..<window]) }
for _ in 0..<generateSteps {
  let context = try Tensor(shape: [patterns.count, window, 1], scalars: sequences.flatMap { $0.suffix(window) })
  let next = try model.predictOnBatch(context)
  for p in patterns.indices { sequences[p].append(next[p, 0] > 0.5 ? 1 : 0) }
}

print("\ngenerated \(generateSteps) steps from a \(window)-bit seed, the model's own output fed back:")
var matched = 0
for p in patterns.indices {
  let generated = sequences[p][window...]
  let expected = truth[p][window...]
  let hits = zip(generated, expected).filter { $0 == $1 }.count
  matched += hits
  print("pattern \(text(patterns[p]))")
  print("  seed       \(text(truth[p][..<window]))")
  print("  generated  \(text(generated))")
  print("  true       \(text(expected))   \(hits)/\(generateSteps) match")
}
let total = patterns.count * generateSteps
print(String(format: "generated steps matching the true continuation: %d/%d (%.1f%%)", matched, total,
             100 * Double(matched) / Double(total)))
