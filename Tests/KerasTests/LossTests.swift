import Foundation
import Testing

@testable import Keras

/// The Keras computations written by `Fixtures/make_loss_fixtures.py` into `Fixtures/losses.json`.
struct LossFixtures: Decodable {
  /// A tensor as the generator writes it.
  struct FixtureTensor: Decodable, Sendable {
    let shape: [Int]
    let data: [Double]
    var tensor: Tensor { try! Tensor(shape: shape, scalars: data.map { Float($0) }) }
  }

  /// The logits of a model output that ended in a sigmoid or softmax.
  struct FixtureLogits: Decodable, Sendable {
    let activation: String
    let values: FixtureTensor
  }

  /// One loss computation: the reduced value and its gradient with respect to the predictions
  /// (or to the logits, when the predictions came out of a sigmoid/softmax model output).
  struct Case: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let class_name: String
    let args: [String: JSONValue]
    let y_true: FixtureTensor
    let y_pred: FixtureTensor?
    let logits: FixtureLogits?
    let sample_weight: FixtureTensor?
    let value: Double
    let gradient: FixtureTensor
    var testDescription: String { name }
  }

  /// Keras' serialized config of a loss class built with `args`.
  struct Config: Decodable, Sendable, CustomTestStringConvertible {
    let class_name: String
    let args: [String: JSONValue]
    let serialized: JSONValue
    var testDescription: String { "\(class_name)(\(args.keys.sorted().joined(separator: ", ")))" }
  }

  let configs: [Config]
  let cases: [Case]

  static let all: LossFixtures = {
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/losses.json")
    return try! JSONDecoder().decode(LossFixtures.self, from: Data(contentsOf: url))
  }()
}

/// The Swift loss for a Keras class name and its constructor arguments as the fixtures record them.
private func makeLoss(_ className: String, _ args: [String: JSONValue]) throws -> any Loss {
  func number(_ key: String) -> Double? {
    if case .number(let value) = args[key] { return value }
    return nil
  }
  let fromLogits = args["from_logits"] == .bool(true)
  let labelSmoothing = Float(number("label_smoothing") ?? 0)
  let axis = Int(number("axis") ?? -1)
  switch className {
  case "BinaryCrossentropy":
    return Losses.BinaryCrossentropy(fromLogits: fromLogits, labelSmoothing: labelSmoothing, axis: axis)
  case "CategoricalCrossentropy":
    return Losses.CategoricalCrossentropy(fromLogits: fromLogits, labelSmoothing: labelSmoothing, axis: axis)
  case "SparseCategoricalCrossentropy":
    return Losses.SparseCategoricalCrossentropy(
      fromLogits: fromLogits, ignoreClass: number("ignore_class").map { Int($0) })
  case "Huber": return Losses.Huber(delta: Float(number("delta") ?? 1))
  case "CosineSimilarity": return Losses.CosineSimilarity(axis: axis)
  default: return try loss(named: className)
  }
}

/// Whether `actual` is within `relative` of `expected`, or within `absolute` (for values near 0).
private func isClose(_ actual: Float, _ expected: Double, relative: Double, absolute: Double = 0) -> Bool {
  Swift.abs(Double(actual) - expected) <= Swift.max(relative * Swift.abs(expected), absolute)
}

/// The error `body` throws, as text, or nil when it does not throw a `KerasError`.
private func kerasErrorText(_ body: () throws -> Void) -> String? {
  do {
    try body()
  } catch let error as KerasError {
    return error.description
  } catch {
    return nil
  }
  return nil
}

@Suite("Losses")
struct LossTests {
  @Test("Loss value and gradient match Keras", arguments: LossFixtures.all.cases)
  func matchesKeras(_ fixture: LossFixtures.Case) throws {
    let lossFunction = try makeLoss(fixture.class_name, fixture.args)
    let labels = fixture.y_true.tensor
    let weights = fixture.sample_weight?.tensor
    let (value, gradient): (Tensor, Tensor)
    if let logits = fixture.logits {
      let activation = try ActivationFunction(named: logits.activation)
      (value, gradient) = try valueWithGradient(at: logits.values.tensor) { x in
        try lossFunction(
          labels, activation(x), sampleWeight: weights, logits: OutputLogits(activation: activation, values: x))
      }
    } else {
      (value, gradient) = try valueWithGradient(at: try #require(fixture.y_pred).tensor) { yPred in
        try lossFunction(labels, yPred, sampleWeight: weights)
      }
    }
    #expect(value.shape == [])
    #expect(isClose(value.scalar, fixture.value, relative: 1e-6), "value \(value.scalar), Keras \(fixture.value)")
    try #require(gradient.shape == fixture.gradient.shape)
    let largest = fixture.gradient.data.map(Swift.abs).max() ?? 0
    for (index, (actual, expected)) in zip(gradient.scalars, fixture.gradient.data).enumerated() {
      #expect(
        isClose(actual, expected, relative: 1e-5, absolute: 1e-9 * largest),
        "gradient[\(index)] \(actual), Keras \(expected)")
    }
  }

  @Test("Loss config matches Keras' serialized config", arguments: LossFixtures.all.configs)
  func configMatchesKeras(_ fixture: LossFixtures.Config) throws {
    let lossFunction = try makeLoss(fixture.class_name, fixture.args)
    #expect(JSONValue.from(lossFunction.config) == fixture.serialized)
  }

  @Test("Every Keras loss name and alias resolves to its class with Keras' defaults")
  func resolvesNames() throws {
    let expected: [(names: [String], className: String, name: String)] = [
      (["mse", "MSE", "mean_squared_error", "MeanSquaredError"], "MeanSquaredError", "mean_squared_error"),
      (["mae", "MAE", "mean_absolute_error", "MeanAbsoluteError"], "MeanAbsoluteError", "mean_absolute_error"),
      (
        ["mape", "MAPE", "mean_absolute_percentage_error", "MeanAbsolutePercentageError"],
        "MeanAbsolutePercentageError", "mean_absolute_percentage_error"
      ),
      (
        ["msle", "MSLE", "mean_squared_logarithmic_error", "MeanSquaredLogarithmicError"],
        "MeanSquaredLogarithmicError", "mean_squared_logarithmic_error"
      ),
      (["huber", "Huber"], "Huber", "huber_loss"),
      (["log_cosh", "logcosh", "LogCosh"], "LogCosh", "log_cosh"),
      (["binary_crossentropy", "bce", "BCE", "BinaryCrossentropy"], "BinaryCrossentropy", "binary_crossentropy"),
      (["categorical_crossentropy", "CategoricalCrossentropy"], "CategoricalCrossentropy", "categorical_crossentropy"),
      (
        ["sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"], "SparseCategoricalCrossentropy",
        "sparse_categorical_crossentropy"
      ),
      (
        ["kl_divergence", "kld", "KLD", "kullback_leibler_divergence", "KLDivergence"], "KLDivergence", "kl_divergence"
      ),
      (["poisson", "Poisson"], "Poisson", "poisson"),
      (["hinge", "Hinge"], "Hinge", "hinge"),
      (["squared_hinge", "SquaredHinge"], "SquaredHinge", "squared_hinge"),
      (["cosine_similarity", "CosineSimilarity"], "CosineSimilarity", "cosine_similarity"),
    ]
    for (names, className, name) in expected {
      for alias in names {
        let resolved = try loss(named: alias)
        #expect(resolved.config["class_name"] == .string(className), "\(alias)")
        #expect(resolved.name == name, "\(alias)")
      }
    }
  }

  @Test("An unknown loss name throws, listing every valid name")
  func unknownName() {
    do {
      _ = try loss(named: "binary_crossentropyy")
      Issue.record("no error thrown")
    } catch KerasError.unknownName(let kind, let name, let valid) {
      #expect(kind == "loss")
      #expect(name == "binary_crossentropyy")
      for expected in ["mse", "mae", "mape", "msle", "huber", "log_cosh", "binary_crossentropy", "kld", "hinge"] {
        #expect(valid.contains(expected))
      }
      for listed in valid { #expect((try? loss(named: listed)) != nil, "\(listed)") }
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test("Static members give the typed form of each loss")
  func staticMembers() {
    func name(_ lossFunction: some Loss) -> String { lossFunction.name }
    #expect(name(.meanSquaredError) == "mean_squared_error")
    #expect(name(.meanAbsoluteError) == "mean_absolute_error")
    #expect(name(.meanAbsolutePercentageError) == "mean_absolute_percentage_error")
    #expect(name(.meanSquaredLogarithmicError) == "mean_squared_logarithmic_error")
    #expect(name(.huber) == "huber_loss")
    #expect(name(.logCosh) == "log_cosh")
    #expect(name(.binaryCrossentropy) == "binary_crossentropy")
    #expect(name(.categoricalCrossentropy) == "categorical_crossentropy")
    #expect(name(.sparseCategoricalCrossentropy) == "sparse_categorical_crossentropy")
    #expect(name(.klDivergence) == "kl_divergence")
    #expect(name(.poisson) == "poisson")
    #expect(name(.hinge) == "hinge")
    #expect(name(.squaredHinge) == "squared_hinge")
    #expect(name(.cosineSimilarity) == "cosine_similarity")

    func options<L: Loss>(_ lossFunction: L) -> L { lossFunction }
    let binary = options(.binaryCrossentropy(fromLogits: true, labelSmoothing: 0.1))
    #expect(binary.fromLogits && binary.labelSmoothing == 0.1 && binary.axis == -1)
    let categorical = options(.categoricalCrossentropy(labelSmoothing: 0.2, axis: 1))
    #expect(!categorical.fromLogits && categorical.labelSmoothing == 0.2 && categorical.axis == 1)
    let sparse = options(.sparseCategoricalCrossentropy(fromLogits: true, ignoreClass: -1))
    #expect(sparse.fromLogits && sparse.ignoreClass == -1)
    let huber = options(.huber(delta: 0.5))
    #expect(huber.delta == 0.5)
    let cosine = options(.cosineSimilarity(axis: 0))
    #expect(cosine.axis == 0)
  }

  @Test("Per-sample losses drop the last axis: [N, D] gives [N], [N, T, D] gives [N, T]")
  func perSampleShapes() throws {
    let names = [
      "mse", "mae", "mape", "msle", "huber", "log_cosh", "binary_crossentropy", "categorical_crossentropy", "kld",
      "poisson", "hinge", "squared_hinge", "cosine_similarity",
    ]
    let labels2 = Tensor([[0, 1, 0], [1, 0, 0]])
    let predictions2 = Tensor([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]])
    let labels3 = try labels2.reshaped(to: [1, 2, 3])
    let predictions3 = try predictions2.reshaped(to: [1, 2, 3])
    for name in names {
      let lossFunction = try loss(named: name)
      #expect(try lossFunction.call(labels2, predictions2).shape == [2], "\(name)")
      #expect(try lossFunction.call(labels3, predictions3).shape == [1, 2], "\(name)")
    }
    let sparse = Losses.SparseCategoricalCrossentropy()
    #expect(try sparse.call(Tensor([1, 0]), predictions2).shape == [2])
    #expect(try sparse.call(Tensor([[1], [0]]), predictions2).shape == [2])
    #expect(try sparse.call(Tensor([[1, 0]]), predictions3).shape == [1, 2])
  }

  @Test("Mismatched labels and predictions throw naming the loss and both shapes")
  func shapeMismatch() {
    let cases: [(any Loss, Tensor, Tensor, String)] = [
      (Losses.MeanSquaredError(), Tensor([[1, 2], [3, 4]]), Tensor([[1, 2, 3], [4, 5, 6]]), "mean_squared_error"),
      (Losses.BinaryCrossentropy(), Tensor([1, 0, 1]), Tensor([[0.5, 0.5], [0.5, 0.5]]), "binary_crossentropy"),
      (
        Losses.CategoricalCrossentropy(), Tensor([[1, 0], [0, 1]]), Tensor([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]]),
        "categorical_crossentropy"
      ),
      (
        Losses.SparseCategoricalCrossentropy(), Tensor([[1, 0], [0, 1]]), Tensor([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]]),
        "sparse_categorical_crossentropy"
      ),
      (Losses.KLDivergence(), Tensor([0.5, 0.5]), Tensor([[0.5, 0.5]]), "kl_divergence"),
    ]
    for (lossFunction, labels, predictions, name) in cases {
      let text = kerasErrorText { _ = try lossFunction.call(labels, predictions) }
      #expect(text?.contains("'\(name)'") == true, "\(text ?? "no KerasError")")
      #expect(text?.contains(kerasShapeText(labels.shape.map { $0 })) == true, "\(text ?? "")")
      #expect(text?.contains(kerasShapeText(predictions.shape.map { $0 })) == true, "\(text ?? "")")
    }
  }

  @Test("Sparse labels outside 0..<C throw naming the loss, the label and C")
  func sparseLabelOutOfRange() {
    let predictions = Tensor([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    for (labels, shown) in [(Tensor([0, 3]), "label 3"), (Tensor([-1, 1]), "label -1")] {
      let text = kerasErrorText { _ = try Losses.SparseCategoricalCrossentropy().call(labels, predictions) }
      #expect(text?.contains("'sparse_categorical_crossentropy'") == true, "\(text ?? "no KerasError")")
      #expect(text?.contains(shown) == true, "\(text ?? "")")
      #expect(text?.contains("0..<3") == true, "\(text ?? "")")
    }
  }

  @Test("Sparse labels equal to ignoreClass are left out, even outside 0..<C")
  func sparseIgnoreClass() throws {
    let predictions = Tensor([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    let lossFunction = Losses.SparseCategoricalCrossentropy(ignoreClass: -1)
    let one = try Losses.SparseCategoricalCrossentropy()(Tensor([2]), Tensor([[0.1, 0.1, 0.8]]))
    #expect(try lossFunction(Tensor([-1, 2]), predictions).isAlmostEqual(to: one, tolerance: 1e-6))
    #expect(try lossFunction(Tensor([-1, -1]), predictions).scalar == 0)
  }

  @Test("Cross-entropies use only the logits of their own activation")
  func logitsOfOtherActivation() throws {
    let labels = Tensor([[0, 1, 0], [1, 0, 0]])
    let x = Tensor([[20, -20, 0.5], [-20, 20, 1]])
    let softmax = OutputLogits(activation: .softmax, values: x)
    let sigmoid = OutputLogits(activation: .sigmoid, values: x)
    let binary = Losses.BinaryCrossentropy()
    let probabilities = try x.softmax()
    #expect(try binary(labels, probabilities, logits: softmax) == binary(labels, probabilities))
    let categorical = Losses.CategoricalCrossentropy()
    #expect(try categorical(labels, x.sigmoid(), logits: sigmoid) == categorical(labels, x.sigmoid()))
    #expect(try categorical(labels, probabilities, logits: softmax) != categorical(labels, probabilities))
  }

  @Test("Logits shaped unlike the predictions throw")
  func logitsShapeMismatch() {
    let text = kerasErrorText {
      _ = try Losses.BinaryCrossentropy().call(
        Tensor([[1], [0]]), Tensor([[0.5], [0.5]]), logits: OutputLogits(activation: .sigmoid, values: Tensor([1, 2])))
    }
    #expect(text?.contains("'binary_crossentropy'") == true, "\(text ?? "no KerasError")")
  }
}
