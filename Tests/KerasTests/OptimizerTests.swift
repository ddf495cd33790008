import Foundation
import Testing

@testable import Keras

/// Golden optimizer values written by `Fixtures/make_optimizer_fixtures.py` with real Keras.
struct OptimizerFixture: Decodable {
  struct Array: Decodable {
    let shape: [Int]
    let data: [Double]
    let name: String?
    var tensor: Tensor { try! Tensor(shape: shape, scalars: data.map { Float($0) }) }
  }

  /// One optimizer run: the variables after each of the five steps, the config and `optimizer.variables`.
  struct Case: Decodable {
    let class_name: String
    let config: JSONValue
    let steps: [[Array]]
    let variables: [Array]
  }

  /// A schedule's config and its rates at steps 0...20.
  struct Schedule: Decodable {
    let class_name: String
    let config: JSONValue
    let values: [Double]
  }

  let initial: [Array]
  let gradients: [[Array]]
  let cases: [String: Case]
  let schedules: [String: Schedule]
  let defaults: [String: JSONValue]

  static let shared: OptimizerFixture = {
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/optimizers.json")
    return try! JSONDecoder().decode(OptimizerFixture.self, from: Data(contentsOf: url))
  }()
}

@Suite("Optimizers and learning-rate schedules match Keras")
struct OptimizerTests {
  /// The fixture cases, built here with the same arguments the generator gave Keras.
  static let caseNames = [
    "sgd", "sgd_momentum", "sgd_nesterov", "sgd_weight_decay", "adam", "adam_amsgrad", "adamw", "rmsprop",
    "rmsprop_momentum", "rmsprop_centered", "rmsprop_centered_momentum", "adagrad", "adadelta", "adamax", "nadam",
    "sgd_momentum_clipnorm", "adagrad_clipvalue", "sgd_global_clipnorm", "sgd_exponential_decay",
    "sgd_piecewise_constant_decay", "sgd_cosine_decay", "sgd_inverse_time_decay",
  ]

  static func makeOptimizer(_ name: String) -> Optimizer {
    switch name {
    case "sgd": return SGD(learningRate: 0.1)
    case "sgd_momentum": return SGD(learningRate: 0.1, momentum: 0.9)
    case "sgd_nesterov": return SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
    case "sgd_weight_decay": return SGD(learningRate: 0.1, weightDecay: 0.3)
    case "adam": return Adam(learningRate: 0.1)
    case "adam_amsgrad": return Adam(learningRate: 0.1, beta2: 0.9, amsgrad: true)
    case "adamw": return AdamW(learningRate: 0.1, weightDecay: 0.05)
    case "rmsprop": return RMSprop(learningRate: 0.01)
    case "rmsprop_momentum": return RMSprop(learningRate: 0.01, momentum: 0.9)
    case "rmsprop_centered": return RMSprop(learningRate: 0.01, centered: true)
    case "rmsprop_centered_momentum": return RMSprop(learningRate: 0.01, momentum: 0.5, centered: true)
    case "adagrad": return Adagrad(learningRate: 0.1)
    case "adadelta": return Adadelta(learningRate: 1.0)
    case "adamax": return Adamax(learningRate: 0.1)
    case "nadam": return Nadam(learningRate: 0.1)
    case "sgd_momentum_clipnorm": return SGD(learningRate: 0.1, momentum: 0.5, clipnorm: 1.5)
    case "adagrad_clipvalue": return Adagrad(learningRate: 0.1, clipvalue: 0.8)
    case "sgd_global_clipnorm": return SGD(learningRate: 0.1, globalClipnorm: 2.0)
    case "sgd_exponential_decay":
      return SGD(learningRate: .schedule(ExponentialDecay(initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5)))
    case "sgd_piecewise_constant_decay":
      return SGD(learningRate: .schedule(PiecewiseConstantDecay(boundaries: [1, 3], values: [0.1, 0.05, 0.01])))
    case "sgd_cosine_decay":
      return SGD(
        learningRate: .schedule(
          CosineDecay(initialLearningRate: 0.05, decaySteps: 3, alpha: 0.1, warmupTarget: 0.2, warmupSteps: 2)))
    case "sgd_inverse_time_decay":
      return SGD(learningRate: .schedule(InverseTimeDecay(initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5)))
    default: fatalError("no optimizer case '\(name)'")
    }
  }

  static let scheduleNames = [
    "exponential_decay", "exponential_decay_staircase", "piecewise_constant_decay", "cosine_decay",
    "cosine_decay_alpha", "cosine_decay_warmup", "inverse_time_decay", "inverse_time_decay_staircase",
  ]

  static func makeSchedule(_ name: String) -> any LearningRateSchedule {
    switch name {
    case "exponential_decay": return ExponentialDecay(initialLearningRate: 0.1, decaySteps: 4, decayRate: 0.5)
    case "exponential_decay_staircase":
      return ExponentialDecay(initialLearningRate: 0.1, decaySteps: 4, decayRate: 0.5, staircase: true)
    case "piecewise_constant_decay":
      return PiecewiseConstantDecay(boundaries: [3, 7, 12], values: [1.0, 0.5, 0.25, 0.125])
    case "cosine_decay": return CosineDecay(initialLearningRate: 0.1, decaySteps: 12)
    case "cosine_decay_alpha": return CosineDecay(initialLearningRate: 0.1, decaySteps: 12, alpha: 0.2)
    case "cosine_decay_warmup":
      return CosineDecay(initialLearningRate: 0, decaySteps: 10, alpha: 0.1, warmupTarget: 0.3, warmupSteps: 5)
    case "inverse_time_decay": return InverseTimeDecay(initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.5)
    case "inverse_time_decay_staircase":
      return InverseTimeDecay(initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.5, staircase: true)
    default: fatalError("no schedule case '\(name)'")
    }
  }

  /// Whether `actual` is within 1e-6 absolute plus 1e-5 relative of Keras' `expected`.
  static func close(_ actual: Float, _ expected: Double) -> Bool {
    abs(Double(actual) - expected) <= 1e-6 + 1e-5 * abs(expected)
  }

  /// The fixture's two variables `a` [3, 2] and `b` [2] at their initial values.
  static func makeVariables() -> [Variable] {
    let fixture = OptimizerFixture.shared
    return zip(fixture.initial, ["a", "b"]).map { Variable($0.tensor, name: $1) }
  }

  /// Applies the fixture's gradients of `steps` to `variables`.
  static func applyGradients(_ steps: Range<Int>, with optimizer: Optimizer, to variables: [Variable]) throws {
    for step in steps {
      try optimizer.apply(OptimizerFixture.shared.gradients[step].map(\.tensor), to: variables)
    }
  }

  /// A Keras config without its auto-generated `name` (`adam_3`), for comparison.
  static func withoutName(_ config: JSONValue) -> JSONValue {
    guard case .object(var keys) = config else { return config }
    keys["name"] = nil
    return .object(keys)
  }

  @Test("each optimizer matches Keras' variables after every step", arguments: caseNames)
  func matchesKeras(_ name: String) throws {
    let golden = try #require(OptimizerFixture.shared.cases[name])
    let optimizer = Self.makeOptimizer(name)
    let variables = Self.makeVariables()
    for (step, expected) in golden.steps.enumerated() {
      try Self.applyGradients(step..<step + 1, with: optimizer, to: variables)
      for (variable, keras) in zip(variables, expected) {
        let actual = variable.value.scalars
        #expect(variable.shape == keras.shape)
        for (i, (a, e)) in zip(actual, keras.data).enumerated() {
          #expect(Self.close(a, e), "\(name) step \(step + 1) \(variable.name)[\(i)]: \(a), Keras \(e)")
        }
      }
    }
    #expect(optimizer.iterations == 5)
  }

  @Test("each optimizer's saved variables have Keras' names, order and values", arguments: caseNames)
  func savedVariablesMatchKeras(_ name: String) throws {
    let golden = try #require(OptimizerFixture.shared.cases[name])
    let optimizer = Self.makeOptimizer(name)
    try Self.applyGradients(0..<5, with: optimizer, to: Self.makeVariables())
    let saved = optimizer.variablesForSaving
    #expect(saved.map(\.name) == golden.variables.map { $0.name ?? "" })
    for (ours, keras) in zip(saved, golden.variables) {
      #expect(ours.value.shape == keras.shape, "\(name): \(ours.name)")
      for (a, e) in zip(ours.value.scalars, keras.data) {
        #expect(Self.close(a, e), "\(name): \(ours.name) is \(a), Keras \(e)")
      }
    }
  }

  @Test("each optimizer's config matches Keras' get_config()", arguments: caseNames)
  func configMatchesKeras(_ name: String) throws {
    let golden = try #require(OptimizerFixture.shared.cases[name])
    let optimizer = Self.makeOptimizer(name)
    #expect(type(of: optimizer).className == golden.class_name)
    #expect(Self.withoutName(JSONValue.from(optimizer.config)) == Self.withoutName(golden.config))
    #expect(optimizer.config.json.hasPrefix("{\"name\": \"\(optimizer.name)\", \"learning_rate\": "))
  }

  @Test("each schedule matches Keras at steps 0...20, with Keras' config", arguments: scheduleNames)
  func scheduleMatchesKeras(_ name: String) throws {
    let golden = try #require(OptimizerFixture.shared.schedules[name])
    let schedule = Self.makeSchedule(name)
    for (step, expected) in golden.values.enumerated() {
      let rate = schedule(step)
      #expect(Self.close(rate, expected), "\(name) at step \(step): \(rate), Keras \(expected)")
    }
    #expect(schedule.className == golden.class_name)
    #expect(JSONValue.from(schedule.config) == golden.config)
    #expect(schedule.serialized["module"] == "keras.optimizers.schedules")
  }

  /// The fixture file as a config value, for what saved models hold verbatim. (Parsed per test:
  /// a static would keep it for the whole run, where LeakSanitizer cannot follow the enum
  /// payload pointers Swift packs tag bits into, and would report it as leaked.)
  static func rawFixture() throws -> ConfigValue {
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/optimizers.json")
    return try ConfigValue.parse(json: String(contentsOf: url, encoding: .utf8))
  }

  @Test("a schedule serialized by Keras reads back with Keras' rates and config", arguments: scheduleNames)
  func scheduleFromKerasConfig(_ name: String) throws {
    let golden = try #require(OptimizerFixture.shared.schedules[name])
    let entry = try #require(try Self.rawFixture()["schedules"]?[name])
    // As keras.optimizers.schedules.serialize writes it into an optimizer's learning_rate.
    let serialized = ConfigValue.object([
      ("module", "keras.optimizers.schedules"), ("class_name", try #require(entry["class_name"])),
      ("config", try #require(entry["config"])), ("registered_name", nil),
    ])
    let schedule = try ScheduleReading.schedule(serialized)
    for (step, expected) in golden.values.enumerated() {
      #expect(Self.close(schedule(step), expected), "\(name) at step \(step): \(schedule(step)), Keras \(expected)")
    }
    #expect(JSONValue.from(schedule.config) == golden.config)
    // tf.keras 2 writes the same without module and registered_name.
    let legacy = ConfigValue.object([("class_name", entry["class_name"]!), ("config", entry["config"]!)])
    #expect(JSONValue.from(try ScheduleReading.schedule(legacy).config) == golden.config)
  }

  @Test("an optimizer config with a schedule, as Keras saves it, reads back to the same config",
    arguments: ["sgd_exponential_decay", "sgd_piecewise_constant_decay", "sgd_cosine_decay", "sgd_inverse_time_decay"])
  func optimizerWithScheduleFromKerasConfig(_ name: String) throws {
    let golden = try #require(OptimizerFixture.shared.cases[name])
    let entry = try #require(try Self.rawFixture()["cases"]?[name])
    let optimizer = try CompileConfigReading.optimizer(
      .object([("class_name", try #require(entry["class_name"])), ("config", try #require(entry["config"]))]))
    guard case .schedule = optimizer.learningRate else {
      Issue.record("\(name): the learning rate did not read back as a schedule")
      return
    }
    #expect(JSONValue.from(optimizer.config) == golden.config)
    // And it trains as Keras did from that config.
    let variables = Self.makeVariables()
    try Self.applyGradients(0..<5, with: optimizer, to: variables)
    for (variable, expected) in zip(variables, golden.steps[4]) {
      for (value, want) in zip(variable.value.scalars, expected.data) {
        #expect(Self.close(value, want), "\(name): \(value) vs Keras \(want)")
      }
    }
  }

  @Test("a bad or unknown saved schedule throws naming it")
  func badSavedSchedule() throws {
    let zeroSteps = try ConfigValue.parse(
      json: #"{"class_name": "SGD", "config": {"learning_rate": {"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1, "decay_steps": 0, "decay_rate": 0.5}}}}"#)
    #expect(throws: KerasError.self) { try CompileConfigReading.optimizer(zeroSteps) }
    do {
      _ = try CompileConfigReading.optimizer(zeroSteps)
    } catch {
      #expect("\(error)".contains("decay_steps"))
      #expect("\(error)".contains("learning_rate"))
    }
    let custom = try ConfigValue.parse(
      json: #"{"class_name": "Adam", "config": {"learning_rate": {"class_name": "MyWarmup", "config": {}}}}"#)
    do {
      _ = try CompileConfigReading.optimizer(custom)
      Issue.record("a custom schedule read without error")
    } catch {
      #expect("\(error)".contains("MyWarmup"))
    }
    let badBoundaries = try ConfigValue.parse(
      json: #"{"class_name": "SGD", "config": {"learning_rate": {"class_name": "PiecewiseConstantDecay", "config": {"boundaries": [1, 2], "values": [0.1, 0.01]}}}}"#)
    #expect(throws: KerasError.self) { try CompileConfigReading.optimizer(badBoundaries) }
  }

  @Test("optimizer(named:) gives each Keras optimizer with Keras' defaults", arguments: optimizerNames)
  func namedOptimizers(_ name: String) throws {
    let golden = try #require(OptimizerFixture.shared.defaults[name])
    let optimizer = try Keras.optimizer(named: name)
    #expect(type(of: optimizer).kerasName == name)
    #expect(Self.withoutName(JSONValue.from(optimizer.config)) == Self.withoutName(golden))
    #expect(type(of: try Keras.optimizer(named: name.uppercased())) == type(of: optimizer))
  }

  @Test("default names are Keras' unique snake_case class names")
  func defaultNames() {
    clearSession()
    #expect(RMSprop().name == "rm_sprop")
    #expect(RMSprop().name == "rm_sprop_1")
    #expect(AdamW().name == "adam_w")
    #expect(SGD(name: "mine").name == "mine")
    #expect(SGD().serialized["class_name"] == "SGD")
  }

  @Test("an unknown optimizer name throws listing the valid names")
  func unknownName() {
    #expect(throws: KerasError.unknownName(kind: "optimizer", name: "adamm", valid: optimizerNames)) {
      try Keras.optimizer(named: "adamm")
    }
    #expect(
      "\(KerasError.unknownName(kind: "optimizer", name: "adamm", valid: optimizerNames))"
        == "Unknown optimizer 'adamm'. Valid names: sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam")
  }

  @Test("at most one of clipnorm, clipvalue and global_clipnorm may be set")
  func clippingIsExclusive() throws {
    #expect(throws: KerasError.self) {
      try Optimizer.checkClipping(clipnorm: 1, clipvalue: 0.5, globalClipnorm: nil)
    }
    #expect {
      try Optimizer.checkClipping(clipnorm: nil, clipvalue: 0.5, globalClipnorm: 2)
    } throws: {
      "\($0)"
        == "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
        + "Received: clipnorm=None, clipvalue=0.5, global_clipnorm=2.0"
    }
    try Optimizer.checkClipping(clipnorm: 1, clipvalue: nil, globalClipnorm: nil)
    let adam = Adam(clipvalue: 0.5)
    #expect(adam.clipvalue == 0.5 && adam.clipnorm == nil && adam.globalClipnorm == nil)
  }

  @Test("an optimizer given two clipping arguments stops the program")
  func twoClippingArgumentsStop() async {
    await #expect(processExitsWith: .failure) {
      _ = SGD(clipnorm: 1, globalClipnorm: 1)
    }
  }

  @Test("mismatched gradient counts or shapes throw before anything changes")
  func mismatchesThrowFirst() throws {
    let optimizer = Adam(learningRate: 0.1)
    let variables = Self.makeVariables()
    let before = variables.map(\.value)
    let gradients = OptimizerFixture.shared.gradients[0].map(\.tensor)
    #expect(throws: KerasError.self) { try optimizer.apply([gradients[0]], to: variables) }
    #expect(throws: KerasError.self) { try optimizer.apply([gradients[0], Tensor.zeros([3])], to: variables) }
    #expect(throws: KerasError.self) { try optimizer.apply([gradients[1], gradients[0]], to: variables) }
    #expect(optimizer.iterations == 0 && !optimizer.isBuilt)
    #expect(variables.map(\.value) == before)

    try optimizer.apply(gradients, to: variables)
    let afterOne = variables.map(\.value)
    let state = optimizer.variablesForSaving.map(\.value)
    let stranger = Variable(Tensor.ones([2]), name: "c")
    #expect(throws: KerasError.self) {
      try optimizer.apply([gradients[0], gradients[1]], to: [variables[0], stranger])
    }
    #expect(throws: KerasError.self) { try optimizer.apply([gradients[0], Tensor.zeros([3])], to: variables) }
    #expect(optimizer.iterations == 1)
    #expect(variables.map(\.value) == afterOne)
    #expect(optimizer.variablesForSaving.map(\.value) == state)
    #expect(stranger.value == Tensor.ones([2]))
  }

  @Test("empty gradient lists change nothing")
  func emptyGradients() throws {
    let optimizer = SGD()
    try optimizer.apply([], to: [])
    #expect(optimizer.iterations == 0 && !optimizer.isBuilt)
  }

  @Test(
    "restoring saved state and continuing gives the same result as not stopping",
    arguments: [
      "sgd_momentum", "adam_amsgrad", "rmsprop_centered_momentum", "adagrad", "adadelta", "adamax", "nadam",
      "adamw", "sgd_cosine_decay",
    ])
  func restoreAndContinue(_ name: String) throws {
    let uninterrupted = Self.makeOptimizer(name)
    let reference = Self.makeVariables()
    try Self.applyGradients(0..<5, with: uninterrupted, to: reference)

    let first = Self.makeOptimizer(name)
    let variables = Self.makeVariables()
    try Self.applyGradients(0..<2, with: first, to: variables)
    let savedState = first.variablesForSaving.map(\.value)
    let savedWeights = variables.map(\.value)

    let second = Self.makeOptimizer(name)
    let restored = zip(savedWeights, ["a", "b"]).map { Variable($0, name: $1) }
    second.build(restored)
    try second.loadVariables(savedState)
    #expect(second.iterations == 2)
    try Self.applyGradients(2..<5, with: second, to: restored)

    #expect(restored.map(\.value) == reference.map(\.value))
    #expect(second.variablesForSaving.map(\.value) == uninterrupted.variablesForSaving.map(\.value))
  }

  @Test("loading state of the wrong count or shape throws naming the variables, before anything changes")
  func loadMismatchThrows() throws {
    let source = Adam(learningRate: 0.1)
    try Self.applyGradients(0..<2, with: source, to: Self.makeVariables())
    let state = source.variablesForSaving.map(\.value)

    let unbuilt = Adam(learningRate: 0.1)
    #expect {
      try unbuilt.loadVariables(state)
    } throws: {
      "\($0)".contains("expected 2 variables (iteration, learning_rate), got 6") && "\($0)".contains("build(_:)")
    }
    let target = Adam(learningRate: 0.1)
    target.build(Self.makeVariables())
    var wrongShape = state
    wrongShape[3] = Tensor.zeros([2, 3])
    #expect { try target.loadVariables(wrongShape) } throws: { "\($0)".contains("'a_velocity' has shape [3, 2]") }
    var badIteration = state
    badIteration[0] = Tensor(-1)
    #expect(throws: KerasError.self) { try target.loadVariables(badIteration) }
    #expect(target.iterations == 0)
    #expect(target.slots.allSatisfy { $0.allSatisfy { $0.scalars.allSatisfy { $0 == 0 } } })
  }

  @Test("Adagrad's accumulators start at initial_accumulator_value")
  func adagradInitialAccumulator() {
    let optimizer = Adagrad(initialAccumulatorValue: 0.25)
    optimizer.build(Self.makeVariables())
    #expect(optimizer.slotNames == ["accumulator"])
    #expect(optimizer.slots.map { $0[0] } == [Tensor.full([3, 2], 0.25), Tensor.full([2], 0.25)])
  }

  @Test("weight decay skips variables excluded by identity or by name pattern")
  func weightDecayExclusions() throws {
    let optimizer = SGD(learningRate: 0.5, weightDecay: 0.1)
    let kernel = Variable(Tensor.ones([2]), name: "kernel")
    let bias = Variable(Tensor.ones([2]), name: "bias")
    let gamma = Variable(Tensor.ones([2]), name: "gamma")
    try optimizer.excludeFromWeightDecay(variables: [gamma], names: ["bi.s"])
    try optimizer.apply(Swift.Array(repeating: Tensor.zeros([2]), count: 3), to: [kernel, bias, gamma])
    #expect(kernel.value == Tensor.full([2], 0.95))
    #expect(bias.value == Tensor.ones([2]))
    #expect(gamma.value == Tensor.ones([2]))
  }

  @Test("steps update variables and slots in place")
  func updatesInPlace() throws {
    let optimizer = Adam(learningRate: 0.1, clipnorm: 1)
    let variables = Self.makeVariables()
    try Self.applyGradients(0..<1, with: optimizer, to: variables)
    func address(_ variable: Variable) -> UnsafePointer<Float>? {
      variable.value.withUnsafeBufferPointer { $0.baseAddress }
    }
    let addresses = variables.map(address)
    try Self.applyGradients(1..<5, with: optimizer, to: variables)
    #expect(variables.map(address) == addresses)
  }

  @Test("a learning-rate schedule is read at the step count before the update")
  func scheduleReadBeforeIncrement() throws {
    let schedule = PiecewiseConstantDecay(boundaries: [0], values: [1, 0.5])
    let optimizer = SGD(learningRate: .schedule(schedule))
    #expect(optimizer.currentLearningRate == 1)
    let variable = Variable(Tensor.zeros([1]), name: "w")
    try optimizer.apply([Tensor.ones([1])], to: [variable])
    #expect(variable.value == Tensor([-1]))
    #expect(optimizer.currentLearningRate == 0.5)
    #expect(optimizer.variablesForSaving.map(\.name) == ["iteration"])
  }
}

@Suite("The typed optimizer spelling of compile")
struct OptimizerFactoryTests {
  @Test("compile(optimizer: .adam(learningRate:)) makes the Keras optimizer with those arguments")
  func typedSpelling() throws {
    let model = Sequential { Dense(1, inputShape: [2]) }
    try model.compile(optimizer: .adam(learningRate: 0.01), loss: .binaryCrossentropy, metrics: [.accuracy])
    let adam = try #require(model.optimizer as? Adam)
    #expect(adam.currentLearningRate == 0.01 && adam.beta1 == 0.9 && adam.epsilon == 1e-7)
    try model.compile(optimizer: .sgd(learningRate: 0.1, momentum: 0.9, nesterov: true), loss: "mse")
    let sgd = try #require(model.optimizer as? SGD)
    #expect(sgd.momentum == 0.9 && sgd.nesterov && sgd.currentLearningRate == 0.1)
    let all: [Optimizer] = [.adamW(), .rmsprop(centered: true), .adagrad(), .adadelta(), .adamax(), .nadam()]
    #expect(all.map { "\(type(of: $0))" } == ["AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam"])
  }
}
