import Foundation
import Keras

/// One of the six training workloads of Benchmarks/README.md, mirroring
/// `Benchmarks/reference/keras_workloads.py`: the same shapes, models, batch sizes, epochs,
/// losses and optimizers.
///
/// Shape letters: `N` samples, `T` time steps, `F` features; `H`, `W`, `C` image rows, columns, channels.
enum Workload: String, CaseIterable, Codable, Sendable {
  /// `[4096, 32, 8]`, LSTM(50) → Dense(1, sigmoid), binary cross-entropy / Adam, accuracy.
  case classify
  /// `[2048, 60, 1]` noisy sine windows, three stacked LSTM(50) with Dropout(0.2) → Dense(1), MSE / Adam.
  case forecast
  /// The forecast data, SimpleRNN(32) → Dense(1), MSE / SGD(0.01).
  case rnn
  /// `[1024, 100, 128]` noise, LSTM(512) → Dense(1), MSE / Adam.
  case large
  /// `[4096, 28, 28, 1]` images of noise with a bright band whose row is the class, Keras' "Simple
  /// MNIST convnet": Conv2D(32, 3, relu) → MaxPooling2D → Conv2D(64, 3, relu) → MaxPooling2D →
  /// Flatten → Dropout(0.5) → Dense(10, softmax), categorical cross-entropy / Adam, accuracy.
  case convnet
  /// `[2048, 128]` token ids of a 5,000-word vocabulary with a marker token placed more often in
  /// one half; the label says which. Keras' "Text classification with Transformer" with two
  /// post-norm blocks: token and position Embedding(64) → 2 × [MultiHeadAttention(4 heads,
  /// keyDim 16), Dropout(0.1), Add, LayerNormalization; Dense(128, relu) → Dense(64),
  /// Dropout(0.1), Add, LayerNormalization] → GlobalAveragePooling1D → Dropout(0.1) →
  /// Dense(2, softmax), sparse categorical cross-entropy / Adam, accuracy.
  case transformer

  /// The batch size of `fit`, `evaluate` and `predict`.
  var batchSize: Int { self == .large || self == .convnet ? 128 : 32 }

  /// The epochs the Python references run when not told otherwise.
  var defaultEpochs: Int {
    switch self {
    case .classify: 4
    case .forecast, .rnn, .convnet, .transformer: 3
    case .large: 2
    }
  }

  /// The inputs `[N, T, F]` (convnet: `[N, H, W, C]`; transformer: token ids `[N, T]`) and targets
  /// `[N, 1]` (convnet: one-hot `[N, 10]`; transformer: class ids), drawn from a generator seeded with 0.
  ///
  /// The recipe is the reference's; the numbers differ because NumPy's generator is not ours.
  func makeData() throws -> (x: Tensor, y: Tensor) {
    var generator = RandomGenerator(seed: 0)
    switch self {
    case .classify: return try Self.classifyData(using: &generator)
    case .forecast, .rnn: return try Self.forecastData(using: &generator)
    case .large:
      let x = Tensor.randomNormal([1024, 100, 128], using: &generator)
      return (x, Tensor.randomNormal([1024, 1], using: &generator))
    case .convnet: return try Self.convnetData(using: &generator)
    case .transformer: return try Self.transformerData(using: &generator)
    }
  }

  /// The compiled model, its weights drawn after `setRandomSeed(seed)` (as `keras.utils.set_random_seed(0)`).
  func makeModel(seed: UInt64 = 0) throws -> Model {
    setRandomSeed(seed)
    if self == .transformer { return try Self.transformerModel() }
    let model = Sequential()
    switch self {
    case .classify:
      try model.add(Input(shape: [32, 8]))
      try model.add(LSTM(50))
      try model.add(Dense(1, activation: .sigmoid))
      try model.compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"])
    case .forecast:
      try model.add(Input(shape: [60, 1]))
      for returnSequences in [true, true, false] {
        try model.add(LSTM(50, returnSequences: returnSequences))
        try model.add(Dropout(0.2))
      }
      try model.add(Dense(1))
      try model.compile(optimizer: "adam", loss: "mean_squared_error")
    case .rnn:
      try model.add(Input(shape: [60, 1]))
      try model.add(SimpleRNN(32))
      try model.add(Dense(1))
      try model.compile(optimizer: SGD(learningRate: 0.01), loss: "mean_squared_error")
    case .large:
      try model.add(Input(shape: [100, 128]))
      try model.add(LSTM(512))
      try model.add(Dense(1))
      try model.compile(optimizer: "adam", loss: "mean_squared_error")
    case .convnet:
      try model.add(Input(shape: [28, 28, 1]))
      try model.add(Conv2D(32, kernelSize: 3, activation: .relu))
      try model.add(MaxPooling2D(poolSize: 2))
      try model.add(Conv2D(64, kernelSize: 3, activation: .relu))
      try model.add(MaxPooling2D(poolSize: 2))
      try model.add(Flatten())
      try model.add(Dropout(0.5))
      try model.add(Dense(10, activation: .softmax))
      try model.compile(optimizer: "adam", loss: "categorical_crossentropy", metrics: ["accuracy"])
    case .transformer: break
    }
    return model
  }

  /// `model_transformer` of the Keras reference, in the Functional API: token ids `[N, 128]` →
  /// ``TokenAndPositionEmbedding`` (5,000 ids, 128 positions, 64) → two post-norm Transformer
  /// blocks (the example's `TransformerBlock`, LayerNormalization epsilon 1e-6) →
  /// GlobalAveragePooling1D → Dropout(0.1) → Dense(2, softmax). 395,266 weights, as Keras'.
  private static func transformerModel() throws -> Model {
    let tokens = Input(shape: [128])
    var x = TokenAndPositionEmbedding(maxLength: 128, vocabularySize: 5000, embedDim: 64)(tokens)
    for _ in 0..<2 {
      let attended = Dropout(0.1)(MultiHeadAttention(numHeads: 4, keyDim: 16)(x, x))
      x = LayerNormalization(epsilon: 1e-6)(Add()([x, attended]))
      let fed = Dropout(0.1)(Dense(64)(Dense(128, activation: .relu)(x)))
      x = LayerNormalization(epsilon: 1e-6)(Add()([x, fed]))
    }
    let pooled = Dropout(0.1)(GlobalAveragePooling1D()(x))
    let model = try Model(inputs: tokens, outputs: Dense(2, activation: .softmax)(pooled))
    try model.compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])
    return model
  }

  /// Standard normal `x` `[4096, 32, 8]`; `y` is 1 where the mean of channel 0 over time is positive.
  private static func classifyData(using generator: inout RandomGenerator) throws -> (x: Tensor, y: Tensor) {
    let (count, steps, features) = (4096, 32, 8)
    let x = Tensor.randomNormal([count, steps, features], using: &generator)
    let values = x.scalars
    let labels = (0..<count).map { n -> Float in
      let sum = (0..<steps).reduce(Float(0)) { $0 + values[(n * steps + $1) * features] }
      return sum / Float(steps) > 0 ? 1 : 0
    }
    return (x, try Tensor(shape: [count, 1], scalars: labels))
  }

  /// Windows `x` `[2048, 60, 1]` of `sin(0.07 s) + 0.5 sin(0.011 s) + 0.1 noise` and the next value as `y`.
  private static func forecastData(using generator: inout RandomGenerator) throws -> (x: Tensor, y: Tensor) {
    let (count, steps) = (2048, 60)
    let series = (0..<(count + steps + 1)).map { s -> Float in
      let step = Float(s)
      return sin(step * 0.07) + 0.5 * sin(step * 0.011) + 0.1 * generator.nextNormal()
    }
    let windows = (0..<count).flatMap { series[$0..<($0 + steps)] }
    return (
      try Tensor(shape: [count, steps, 1], scalars: windows),
      try Tensor(shape: [count, 1], scalars: Array(series[steps..<(steps + count)]))
    )
  }

  /// Images `x` `[4096, 28, 28, 1]` of uniform noise in [0, 0.5) plus 0.5 on rows `4 + 2c ..< 7 + 2c`,
  /// where `c` (uniform over 0...9) is the class; `y` the one-hot classes `[4096, 10]`.
  private static func convnetData(using generator: inout RandomGenerator) throws -> (x: Tensor, y: Tensor) {
    let (count, size, classes) = (4096, 28, 10)
    let labels = (0..<count).map { _ in Int(generator.next() % UInt64(classes)) }
    var pixels = (0..<(count * size * size)).map { _ in 0.5 * generator.nextUniform() }
    var oneHot = [Float](repeating: 0, count: count * classes)
    for (n, c) in labels.enumerated() {
      oneHot[n * classes + c] = 1
      for row in (4 + 2 * c)..<(7 + 2 * c) {
        for column in 0..<size { pixels[(n * size + row) * size + column] += 0.5 }
      }
    }
    return (
      try Tensor(shape: [count, size, size, 1], scalars: pixels),
      try Tensor(shape: [count, classes], scalars: oneHot)
    )
  }

  /// Token ids `x` `[2048, 128]` uniform in 2..<5000 with the marker id 1 written at 3 to 6
  /// distinct steps of one half and at 0 to 2 of the other; `y` `[2048, 1]` is 1 when the first
  /// half (steps 0..<64) holds more markers, else 0.
  private static func transformerData(using generator: inout RandomGenerator) throws -> (x: Tensor, y: Tensor) {
    let (count, steps, vocabulary) = (2048, 128, 5000)
    let half = steps / 2
    var ids = (0..<(count * steps)).map { _ in Float(2 + generator.next() % UInt64(vocabulary - 2)) }
    var labels = [Float](repeating: 0, count: count)
    for n in 0..<count {
      let label = Int(generator.next() % 2)
      let many = 3 + Int(generator.next() % 4)
      let few = Int(generator.next() % 3)
      let (first, second) = label == 1 ? (many, few) : (few, many)
      for step in generator.permutation(half).prefix(first) { ids[n * steps + step] = 1 }
      for step in generator.permutation(half).prefix(second) { ids[n * steps + half + step] = 1 }
      labels[n] = Float(label)
    }
    return (try Tensor(shape: [count, steps], scalars: ids), try Tensor(shape: [count, 1], scalars: labels))
  }
}
