// text-transformer: a small causal Transformer language model on the Book of Genesis, the text,
// character vocabulary, windows and held-out tenth of text-generation, so that its held-out
// perplexity compares with that example's LSTM. It mirrors the Keras program (Keras' "miniature
// GPT" example, at the scale of characters):
//
//   tokens = keras.Input((L,), dtype="int32")
//   x = layers.Embedding(vocab, 64)(tokens)
//   x = layers.Add()([x, keras_hub.layers.PositionEmbedding(L)(x)])
//   for _ in range(2):
//       a = layers.MultiHeadAttention(num_heads=2, key_dim=32)(x, x, use_causal_mask=True)
//       x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, a]))
//       f = layers.Dense(64)(layers.Dense(256, activation="relu")(x))
//       x = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([x, f]))
//   model = keras.Model(tokens, layers.Dense(vocab, activation="softmax")(x))
//   model.compile(loss="sparse_categorical_crossentropy",
//                 optimizer=Adam(CosineDecay(0.0, steps - 100, alpha=0.1, warmup_target=0.02,
//                                            warmup_steps=100), clipnorm=1),
//                 metrics=["accuracy"])
//   model.fit(x, y, batch_size=64, epochs=8, validation_data=(x_val, y_val))
//
// The causal mask lets position i attend only to positions 0...i, so one window of L characters
// trains L next-character predictions at once. Generation runs the model on the last L characters
// (the prompt padded at the end while it is shorter) and draws the character after the last real
// one from the softmax sharpened or flattened by a temperature. The program ends with the
// held-out loss, accuracy and per-character perplexity beside the LSTM's published figure.
//
//   swift run -c release text-transformer [--epochs 8] [--windows 4000] [--blocks 2] [--rate 0.02]
//                                         [--length 240] [--temperature T] [--seed "And God said"] [--text FILE]
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
let blocks = option("--blocks", default: 2)
let peakRate = option("--rate", default: Float(0.02))
let generatedLength = option("--length", default: 240)
let seedText = option("--seed", default: "And God said")
let temperatures =
  CommandLine.arguments.contains("--temperature")
  ? [option("--temperature", default: Float(0.5))] : [0.2, 0.5, 1.0]
/// text-generation's window, so that both models are scored on the same held-out windows.
let windowLength = 40
let (modelWidth, heads, feedForwardWidth) = (64, 2, 256)
/// The LSTM's held-out perplexity, from Examples/text-generation/README.md (8 epochs).
let lstmPerplexity = 4.08

/// A learned embedding of each position of a sequence (`keras_hub.layers.PositionEmbedding`):
/// input `[N, L, D]`, output the `[L, D]` table broadcast to `[N, L, D]`, to be added to the
/// token embeddings.
final class PositionEmbedding: Layer, @unchecked Sendable {
  let sequenceLength: Int
  private(set) var embeddings: Variable?

  init(sequenceLength: Int, name: String? = nil) {
    self.sequenceLength = sequenceLength
    super.init(name: name)
  }

  override class var className: String { "PositionEmbedding" }

  override func build(inputShape: [Int?]) throws {
    guard inputShape.count == 3, let features = inputShape[2], (inputShape[1] ?? sequenceLength) <= sequenceLength
    else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "(None, at most \(sequenceLength), features)", got: inputShape.map { $0 ?? -1 })
    }
    embeddings = try addWeight(
      "embeddings", shape: [sequenceLength, features], initializer: .glorotUniform())
  }

  override func call(_ input: Tensor, training: Bool) throws -> Tensor {
    guard input.rank == 3, input.shape[1] <= sequenceLength, input.shape[2] == embeddings!.value.shape[1] else {
      throw KerasError.incompatibleInput(
        layer: name, expected: "(None, at most \(sequenceLength), \(embeddings!.value.shape[1]))", got: input.shape)
    }
    let steps = input.shape[1]
    let table = steps == sequenceLength ? embeddings!.value : try embeddings!.value.slice(axis: 0, 0..<steps)
    return try table.broadcast(to: input.shape)
  }

  override func outputShape(for inputShape: [Int?]) throws -> [Int?] { inputShape }

  override var layerConfig: [(String, ConfigValue)] { [("sequence_length", .int(sequenceLength))] }
}

// The text and its alphabet exactly as text-generation makes them: a
// `TextVectorization(standardize: nil, split: .character)` adapted to the text gives each
// distinct character an id, the most frequent first, after the padding ("", 0) and unknown
// ("[UNK]", 1) tokens. The text is text-generation's bundled file, read from the source tree.
let defaultText = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("../text-generation/Data/genesis.txt").standardized.path
let textPath = option("--text", default: defaultText)
guard let text = try? String(contentsOf: URL(fileURLWithPath: textPath), encoding: .utf8) else {
  FileHandle.standardError.write(
    Data("text-transformer: cannot read the text \(textPath); pass --text FILE (a UTF-8 text file)\n".utf8))
  exit(1)
}
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
guard xTrain.shape[0] > 0, xTest.shape[0] > 0 else {
  FileHandle.standardError.write(
    Data("text-transformer: \(textPath) is too short for windows of \(windowLength) characters\n".utf8))
  exit(1)
}
print("train \(xTrain.shape), held out \(xTest.shape)")

// The model: token and position embeddings, then `blocks` post-norm Transformer blocks of causal
// self-attention and a feed-forward network, each with a residual connection and
// LayerNormalization, then one softmax over the vocabulary at every position.
setRandomSeed(7)
let tokens = Input(shape: [windowLength], name: "tokens", dtype: "int32")
let tokenVectors = Embedding(vocabulary.count, modelWidth, name: "token_embedding")(tokens)
var x = Add(name: "embeddings")([tokenVectors, PositionEmbedding(sequenceLength: windowLength)(tokenVectors)])
for block in 1...max(blocks, 1) {
  let attention = MultiHeadAttention(numHeads: heads, keyDim: modelWidth / heads, name: "attention_\(block)")
  let attended = attention(x, x, useCausalMask: true)
  x = LayerNormalization(epsilon: 1e-6, name: "norm_\(block)a")(Add()([x, attended]))
  let hidden = Dense(feedForwardWidth, activation: .relu, name: "feed_forward_\(block)")(x)
  let fed = Dense(modelWidth, name: "feed_forward_\(block)_out")(hidden)
  x = LayerNormalization(epsilon: 1e-6, name: "norm_\(block)b")(Add()([x, fed]))
}
let nextCharacter = Dense(vocabulary.count, activation: .softmax, name: "next_character")(x)
let model = try Model(inputs: tokens, outputs: nextCharacter, name: "text_transformer")
model.summary()

// Adam with the learning rate warmed up over the first 100 steps to `--rate` (0.02), then
// following half a cosine down to a tenth of it at the end of the run (with clipnorm 1).
let trainingSteps = epochs * ((xTrain.shape[0] + 63) / 64)
let warmup = min(100, trainingSteps / 4)
let schedule = CosineDecay(
  initialLearningRate: 0, decaySteps: max(trainingSteps - warmup, 1), alpha: 0.1, warmupTarget: peakRate,
  warmupSteps: warmup)
try model.compile(
  optimizer: Adam(learningRate: .schedule(schedule), clipnorm: 1), loss: "sparse_categorical_crossentropy",
  metrics: ["accuracy"])
let started = Date()
try model.fit(xTrain, yTrain, batchSize: 64, epochs: epochs, validationData: (xTest, yTest))
print(String(format: "trained in %.1f s", Date().timeIntervalSince(started)))

/// `count` characters drawn one at a time after `prompt`, each from the softmax at `temperature`.
/// Each step runs the model on the last `windowLength` characters; while the text is shorter,
/// it is padded at the end, which the causal mask keeps from influencing the positions before.
func generate(after prompt: String, count: Int, temperature: Float, using generator: inout RandomGenerator) throws
  -> String
{
  var context = (prompt.isEmpty ? "\n" : prompt).map { idOf[String($0)] ?? 1 }
  var result = ""
  for _ in 0..<count {
    let window = Array(context.suffix(windowLength))
    let padded = window + [Int](repeating: 0, count: windowLength - window.count)
    let probabilities = try model(Tensor(shape: [1, windowLength], scalars: padded.map(Float.init)))
      .slice(axis: 1, window.count - 1..<window.count).scalars
    // p_i^(1/T), renormalised: T < 1 favours likely characters, T > 1 flattens the distribution.
    let weights = probabilities.map { pow(max($0, 1e-12), 1 / temperature) }
    var draw = Float(Double(generator.next() >> 11) / Double(1 << 53)) * weights.reduce(0, +)
    var id = weights.count - 1
    for (i, weight) in weights.enumerated() {
      draw -= weight
      if draw < 0 { id = i; break }
    }
    if id > 1 { result += vocabulary[id] }  // never the padding or unknown token once trained
    context.append(id)
  }
  return result
}

var generator = RandomGenerator(seed: 42)
for temperature in temperatures {
  let sample = try generate(after: seedText, count: generatedLength, temperature: temperature, using: &generator)
  print("\n--- temperature \(temperature) ---\n\(seedText)\(sample)")
}

// Perplexity exp(loss) is the number of equally likely characters the model hesitates between.
let scores = try model.evaluate(xTest, yTest, verbose: 0)
print(
  String(
    format: "\nheld-out loss %.4f, accuracy %.4f, perplexity %.2f per character", scores["loss"]!, scores["accuracy"]!,
    exp(scores["loss"]!)))
print(
  String(
    format: "text-generation's LSTM(128) on the same held-out windows: perplexity %.2f (8 epochs); "
      + "uniform over %d characters: %d", lstmPerplexity, vocabulary.count - 2, vocabulary.count - 2))
