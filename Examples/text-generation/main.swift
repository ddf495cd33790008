// text-generation: a character-level language model trained on the Book of Genesis (King James
// Version, public domain; Data/README.md names the source), then sampled at several temperatures.
// It mirrors the Keras/TensorFlow "text generation with an RNN" program:
//
//   model = Sequential([Input((L,)), Embedding(vocab, 32),
//                       LSTM(128, return_sequences=True), Dense(vocab, activation='softmax')])
//   model.compile(loss='sparse_categorical_crossentropy', optimizer=Adam(0.01, clipnorm=1),
//                 metrics=['accuracy'])
//   model.fit(x, y, batch_size=64, epochs=8, validation_data=(x_val, y_val))
//
// Each window of L characters is trained to predict the next character at every position (one
// softmax over the whole vocabulary, not one sigmoid unit). Generation feeds one character at a
// time through the trained layers, carrying the LSTM state, and draws the next character from the
// softmax sharpened or flattened by a temperature. The program ends with the held-out loss,
// accuracy and per-character perplexity beside the perplexity of guessing by letter frequency.
//
//   swift run -c release text-generation [--epochs N] [--windows N] [--length N]
//                                        [--temperature T] [--seed "And God said"]
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

let epochs = option("--epochs", default: 8)
let windowLimit = option("--windows", default: 4000)
let generatedLength = option("--length", default: 240)
let seedText = option("--seed", default: "And God said")
let temperatures =
  CommandLine.arguments.contains("--temperature")
  ? [option("--temperature", default: Float(0.5))] : [0.2, 0.5, 1.0]
let windowLength = 40

// The text and its alphabet, as Keras' text generation tutorial makes them with a
// `TextVectorization(standardize=None, split="character")` adapted to the text: each distinct
// character gets an id, the most frequent first, after Keras' padding ("", id 0) and unknown
// ("[UNK]", id 1) tokens.
guard let textURL = Bundle.module.url(forResource: "genesis", withExtension: "txt", subdirectory: "Data") else {
  fatalError("Data/genesis.txt is missing from the bundle")
}
let text = try String(contentsOf: textURL, encoding: .utf8)
let vectorizer = try TextVectorization(standardize: nil, split: .character)
try vectorizer.adapt([text])
let vocabulary = vectorizer.getVocabulary()
let idOf = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
let ids = try vectorizer([text]).scalars.map { Int($0) }
print("\(ids.count) characters, \(vocabulary.count - 2) distinct")

/// Windows of `windowLength` ids starting every `windowLength` characters in `range`, as `x`
/// `[N, L]`, and the same windows shifted by one character as `y` `[N, L]`.
func windows(in range: Range<Int>, limit: Int) throws -> (Tensor, Tensor) {
  let starts = Array(
    stride(from: range.lowerBound, to: range.upperBound - windowLength - 1, by: windowLength).prefix(limit))
  var inputs = [Float](), targets = [Float]()
  for start in starts {
    inputs += ids[start..<start + windowLength].map(Float.init)
    targets += ids[start + 1..<start + windowLength + 1].map(Float.init)
  }
  return (
    try Tensor(shape: [starts.count, windowLength], scalars: inputs),
    try Tensor(shape: [starts.count, windowLength], scalars: targets)
  )
}

// The last tenth of the book is held out: the model never trains on it.
let heldOutStart = ids.count * 9 / 10
let (xTrain, yTrain) = try windows(in: 0..<heldOutStart, limit: windowLimit)
let (xTest, yTest) = try windows(in: heldOutStart..<ids.count, limit: .max)
print("train \(xTrain.shape), held out \(xTest.shape)")

setRandomSeed(7)
let embedding = Embedding(vocabulary.count, 32, inputShape: [windowLength])
let lstm = LSTM(128, returnSequences: true)
let output = Dense(vocabulary.count, activation: .softmax)
let model = Sequential {
  embedding
  lstm
  output
}
model.summary()
try model.compile(
  optimizer: Adam(learningRate: 0.01, clipnorm: 1), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])
try model.fit(xTrain, yTrain, batchSize: 64, epochs: epochs, validationData: (xTest, yTest))

/// `count` characters drawn one at a time after `prompt`, each from the softmax at `temperature`.
func generate(after prompt: String, count: Int, temperature: Float, using generator: inout RandomGenerator) throws
  -> String
{
  var states: [Tensor]? = nil
  var probabilities = Tensor.zeros([vocabulary.count])
  /// Feeds one character, keeping the LSTM state, and returns the next-character distribution.
  func step(_ id: Int) throws -> Tensor {
    let vectors = try embedding(Tensor(shape: [1, 1], scalars: [Float(id)]))
    let (hidden, next) = try lstm.callReturningStates(vectors, initialStates: states)
    states = next
    return try output(hidden).reshaped(to: [vocabulary.count])
  }
  for character in prompt.isEmpty ? "\n" : prompt { probabilities = try step(idOf[String(character)] ?? 1) }
  var result = ""
  for _ in 0..<count {
    // p_i^(1/T), renormalised: T < 1 favours likely characters, T > 1 flattens the distribution.
    let weights = probabilities.scalars.map { pow(max($0, 1e-12), 1 / temperature) }
    var draw = Float(Double(generator.next() >> 11) / Double(1 << 53)) * weights.reduce(0, +)
    var id = weights.count - 1
    for (i, weight) in weights.enumerated() {
      draw -= weight
      if draw < 0 { id = i; break }
    }
    if id > 1 { result += vocabulary[id] }  // never the padding or unknown token once trained
    probabilities = try step(id)
  }
  return result
}

var generator = RandomGenerator(seed: 42)
for temperature in temperatures {
  let sample = try generate(after: seedText, count: generatedLength, temperature: temperature, using: &generator)
  print("\n--- temperature \(temperature) ---\n\(seedText)\(sample)")
}

// Perplexity exp(loss) is the number of equally likely characters the model hesitates between;
// the unigram baseline guesses every character by its frequency in the training text.
let scores = try model.evaluate(xTest, yTest, verbose: 0)
var counts = [Int](repeating: 0, count: vocabulary.count)
for id in ids[..<heldOutStart] { counts[id] += 1 }
let heldOut = ids[heldOutStart...]
let unigramLoss =
  -heldOut.reduce(0.0) { $0 + log(Double(max(counts[$1], 1)) / Double(heldOutStart)) } / Double(heldOut.count)
print(
  String(
    format: "\nheld-out loss %.4f, accuracy %.4f, perplexity %.2f per character", scores["loss"]!, scores["accuracy"]!,
    exp(scores["loss"]!)))
print(
  String(
    format: "baselines: uniform over %d characters perplexity %.0f, letter frequencies perplexity %.2f",
    vocabulary.count - 2, Double(vocabulary.count - 2), exp(unigramLoss)))
