// seq2seq-addition: an encoder-decoder learns to add numbers written as text ("535+61" -> "596"),
// as Keras' addition_rnn and lstm_seq2seq examples:
//
//   encoder_inputs = keras.Input(shape=(None, num_chars))
//   _, h, c = keras.layers.LSTM(latent, return_state=True)(encoder_inputs)
//   decoder_inputs = keras.Input(shape=(None, num_chars))
//   decoder_lstm = keras.layers.LSTM(latent, return_sequences=True, return_state=True)
//   decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=[h, c])
//   decoder_dense = keras.layers.Dense(num_chars, activation="softmax")
//   model = keras.Model([encoder_inputs, decoder_inputs], decoder_dense(decoder_outputs))
//   model.compile(optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(0.01, ...)),
//                 loss="categorical_crossentropy", metrics=["accuracy"])
//   model.fit([encoder_input_data, decoder_input_data], decoder_target_data, batch_size=64, epochs=7,
//             validation_split=0.1)
//
// Characters are one-hot encoded. The question is read backwards (addition_rnn's REVERSE),
// so each number is read from its lowest digit. In training the decoder reads the answer shifted by
// a start token `=` (teacher forcing) and learns the next character at every position. For
// inference, as lstm_seq2seq does, two more Functional models are built from the trained
// layers: an encoder model (question -> [h, c]) and a one-step decoder model (character, h, c
// -> next character, h, c). The answer is decoded greedily, one character at a time, and
// scored by exact match on held-out sums against trivial baselines.
//
//   swift run -c release seq2seq-addition [--epochs 7] [--samples 32000] [--latent 96] [--digits 3]
import Foundation
import Keras

/// The positive integer after `name` on the command line (`--epochs 5`), or `value`.
func option(_ name: String, default value: Int) -> Int {
  let arguments = CommandLine.arguments
  guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]), v > 0 else {
    return value
  }
  return v
}

let epochs = option("--epochs", default: 7)
let samples = option("--samples", default: 32000)
let latent = option("--latent", default: 96)
let digits = option("--digits", default: 3)

/// Every character: digits, `+`, the padding space and the decoder's start token `=`.
let characters = Array("0123456789+ =")
let index = Dictionary(uniqueKeysWithValues: characters.enumerated().map { ($1, $0) })
/// The longest question, `"999+999"`, and the longest answer, `"1998"`.
let (questionLength, answerLength) = (2 * digits + 1, digits + 1)

/// `[N, length, characters]` one-hot rows of `texts`, each padded with spaces to `length`.
func oneHot(_ texts: [String], length: Int) -> Tensor {
  var values = [Float](repeating: 0, count: texts.count * length * characters.count)
  for (n, text) in texts.enumerated() {
    let padded = Array(text.padding(toLength: length, withPad: " ", startingAt: 0))
    for (t, character) in padded.enumerated() { values[(n * length + t) * characters.count + index[character]!] = 1 }
  }
  return try! Tensor(shape: [texts.count, length, characters.count], scalars: values)
}

/// The text of each row of `[N, T, characters]` probabilities: the likeliest character at each step.
func decode(_ probabilities: Tensor) -> [String] {
  let (count, steps, classes) = (probabilities.shape[0], probabilities.shape[1], probabilities.shape[2])
  let values = probabilities.scalars
  return (0..<count).map { n in
    String(
      (0..<steps).map { t in
        let row = values[((n * steps + t) * classes)..<((n * steps + t + 1) * classes)]
        return characters[row.indices.max { row[$0] < row[$1] }! - (n * steps + t) * classes]
      })
  }
}

/// `count` distinct pairs `(a, b)` for questions `a+b`, each number of 1 to `digits` random digits
/// (as addition_rnn draws them), none of them in `excluded` (`[min, max]`, so either order counts).
func makeSums(count: Int, excluded: Set<[Int]> = [], using generator: inout RandomGenerator) -> [(Int, Int)] {
  var seen = excluded
  var pairs: [(Int, Int)] = []
  func number() -> Int {
    let length = Int(generator.next() % UInt64(digits)) + 1
    return (0..<length).reduce(0) { value, _ in value * 10 + Int(generator.next() % 10) }
  }
  while pairs.count < count {
    let (a, b) = (number(), number())
    guard seen.insert([min(a, b), max(a, b)]).inserted else { continue }
    pairs.append((a, b))
  }
  return pairs
}

setRandomSeed(1)
var generator = RandomGenerator(seed: 1)
let trainPairs = makeSums(count: samples, using: &generator)
let testPairs = makeSums(
  count: 1000, excluded: Set(trainPairs.map { [min($0.0, $0.1), max($0.0, $0.1)] }), using: &generator)

/// The encoder reads the question backwards; the decoder reads `=` then the answer, and learns
/// the answer (padded with spaces to `answerLength`).
func tensors(_ pairs: [(Int, Int)]) -> (questions: Tensor, decoderInputs: Tensor, targets: Tensor) {
  let questions = pairs.map {
    String("\($0.0)+\($0.1)".padding(toLength: questionLength, withPad: " ", startingAt: 0).reversed())
  }
  let answers = pairs.map { "\($0.0 + $0.1)".padding(toLength: answerLength, withPad: " ", startingAt: 0) }
  return (
    oneHot(questions, length: questionLength), oneHot(answers.map { "=" + $0.dropLast() }, length: answerLength),
    oneHot(answers, length: answerLength)
  )
}
let train = tensors(trainPairs)
let test = tensors(testPairs)
print("\(samples) training sums such as \(trainPairs.prefix(3).map { "\($0.0)+\($0.1)=\($0.0 + $0.1)" })")
print("questions \(train.questions.shape), decoder inputs \(train.decoderInputs.shape), targets \(train.targets.shape)")

// The training model: the encoder's final [h, c] start the decoder.
let questionInput = Input(shape: [questionLength, characters.count], name: "question")
let encoder = LSTM(latent, returnState: true, name: "encoder")
let encoded: [KerasTensor] = encoder(questionInput)  // [output, h, c]
let encoderStates = Array(encoded[1...])

let answerInput = Input(shape: [answerLength, characters.count], name: "answer_so_far")
let decoderLSTM = LSTM(latent, returnSequences: true, returnState: true, name: "decoder")
let decoded: [KerasTensor] = decoderLSTM(answerInput, initialState: encoderStates)
let decoderDense = Dense(characters.count, activation: .softmax, name: "next_character")
let model = try Model(inputs: [questionInput, answerInput], outputs: decoderDense(decoded[0]), name: "seq2seq")
model.summary()

// Adam from 0.01, the rate following half a cosine down to 0.0005 over the whole run.
let trainingSteps = epochs * ((samples - samples / 10 + 63) / 64)
let schedule = CosineDecay(initialLearningRate: 0.01, decaySteps: trainingSteps, alpha: 0.05)
try model.compile(
  optimizer: Adam(learningRate: .schedule(schedule)), loss: "categorical_crossentropy", metrics: ["accuracy"])
try model.fit(
  [train.questions, train.decoderInputs], [train.targets], batchSize: 64, epochs: epochs, validationSplit: 0.1)
let scores = try model.evaluate([test.questions, test.decoderInputs], [test.targets], verbose: 0)
print(
  String(
    format: "held-out per-character accuracy with the true previous characters (teacher forcing) %.4f",
    scores["accuracy"]!))

// Inference: an encoder model and a one-step decoder model, made of the trained layers.
// (The states pass through a linear Activation: a model whose outputs are the extra outputs of
// one layer call, `Model(inputs: questionInput, outputs: encoderStates)`, throws "layer 'encoder'
// returned fewer outputs than its call declared" when run.)
let encoderModel = try Model(
  inputs: questionInput, outputs: encoderStates.map { Activation(.linear)($0) }, name: "encoder_model")
let stepInput = Input(shape: [1, characters.count], name: "character")
let stateInputs = [Input(shape: [latent], name: "h"), Input(shape: [latent], name: "c")]
let step: [KerasTensor] = decoderLSTM(stepInput, initialState: stateInputs)
let decoderModel = try Model(
  inputs: [stepInput] + stateInputs, outputs: [decoderDense(step[0])] + step[1...], name: "decoder_model")

/// The answers to `questions` `[N, questionLength, characters]`, one character at a time: each
/// step feeds the character just predicted (starting from `=`) and the states back in.
func answer(_ questions: Tensor) throws -> [String] {
  let count = questions.shape[0]
  var states = try encoderModel.predict([questions], batchSize: count, verbose: 0)
  var previous = oneHot(Array(repeating: "=", count: count), length: 1)
  var texts = Array(repeating: "", count: count)
  for _ in 0..<answerLength {
    let outputs = try decoderModel.predict([previous] + states, batchSize: count, verbose: 0)
    let next = decode(outputs[0])
    for n in 0..<count { texts[n] += next[n] }
    previous = oneHot(next, length: 1)
    states = Array(outputs[1...])
  }
  return texts.map { $0.trimmingCharacters(in: .whitespaces) }
}

let predicted = try answer(test.questions)
let truth = testPairs.map { "\($0.0 + $0.1)" }
let correct = zip(predicted, truth).filter { $0 == $1 }.count
for (n, (a, b)) in testPairs.prefix(8).enumerated() {
  print(
    "  \("\(a)+\(b)".padding(toLength: questionLength, withPad: " ", startingAt: 0)) -> \(predicted[n])"
      + (predicted[n] == truth[n] ? "  ok" : "  (true \(truth[n]))"))
}

// Baselines: the most common training answer, and the larger operand (right when the other is 0).
let counts = Dictionary(trainPairs.map { ("\($0.0 + $0.1)", 1) }, uniquingKeysWith: +)
let mostCommon = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key
let mostCommonHits = truth.filter { $0 == mostCommon }.count
let largerHits = zip(testPairs, truth).filter { "\(max($0.0.0, $0.0.1))" == $0.1 }.count
print(
  String(
    format: "held-out exact match, greedy decoding: %d/%d = %.1f%%", correct, truth.count,
    100 * Double(correct) / Double(truth.count)))
print(
  String(
    format: "baselines: always \"%@\" %.1f%%, the larger operand %.1f%%", mostCommon,
    100 * Double(mostCommonHits) / Double(truth.count), 100 * Double(largerHits) / Double(truth.count)))
