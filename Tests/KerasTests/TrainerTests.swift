import Testing

@testable import Keras

@Suite("A model's training state lives in its trainer")
struct TrainerTests {
  func model() throws -> Sequential {
    let model = Sequential { Dense(2, activation: .softmax) }
    try model.build(inputShape: [nil, 3])
    return model
  }

  @Test("an uncompiled model has no trainer; stopTraining is false there and setting it does nothing")
  func uncompiled() throws {
    let model = try model()
    #expect(model.trainer == nil)
    model.stopTraining = true
    #expect(model.stopTraining == false)
    model.failTraining(with: KerasError.invalidArgument("ignored"))
    #expect(model.trainer == nil)
    _ = try model.predict(Tensor(repeating: 0.5, shape: [4, 3]))
    #expect(model.trainer == nil)
  }

  @Test("compile makes a trainer; a second compile replaces its optimizer; fit clears the stop flag")
  func compiled() throws {
    let model = try model()
    try model.compile(optimizer: SGD(learningRate: 0.1), loss: "sparse_categorical_crossentropy")
    let trainer = try #require(model.trainer)
    #expect(trainer.optimizer is SGD)
    model.stopTraining = true
    #expect(trainer.stopTraining)
    let x = Tensor(repeating: 0.5, shape: [4, 3])
    let y = try Tensor(shape: [4], scalars: [0, 1, 0, 1])
    let history = try model.fit(x, y, batchSize: 2, epochs: 2, verbose: 0)
    #expect(history.history["loss"]?.count == 2)
    #expect(!trainer.stopTraining)
    try model.compile(optimizer: Adam(), loss: "sparse_categorical_crossentropy")
    #expect(model.trainer?.optimizer is Adam)
  }

  @Test("a callback's failure reaches fit through the trainer, and the next fit starts clean")
  func failure() throws {
    struct Broken: Error {}
    let model = try model()
    try model.compile(optimizer: SGD(), loss: "sparse_categorical_crossentropy")
    let x = Tensor(repeating: 0.5, shape: [4, 3])
    let y = try Tensor(shape: [4], scalars: [0, 1, 0, 1])
    let failing = LambdaCallback(onBatchEnd: { [unowned model] _, _ in model.failTraining(with: Broken()) })
    #expect(throws: Broken.self) { try model.fit(x, y, batchSize: 2, epochs: 3, verbose: 0, callbacks: [failing]) }
    let history = try model.fit(x, y, batchSize: 2, epochs: 1, verbose: 0)
    #expect(history.history["loss"]?.count == 1)
  }
}
