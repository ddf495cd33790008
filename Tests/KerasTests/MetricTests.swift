import Foundation
import Testing

@testable import Keras

/// Keras' metric values, name resolution and logs (`Fixtures/make_metric_fixtures.py`).
struct MetricFixtures: Decodable {
  struct Values: Decodable, Sendable {
    let shape: [Int]
    let data: [Double]
    var tensor: Tensor { try! Tensor(shape: shape, scalars: data.map { Float($0) }) }
  }

  struct Batch: Decodable, Sendable {
    let y_true: Values?
    let y_pred: Values
    let sample_weight: Values?
  }

  /// One metric fed three batches; `results` after each (a list per threshold for several).
  struct Case: Decodable, Sendable, CustomTestStringConvertible {
    let id: String
    let class_name: String
    let args: JSONValue
    let batches: [Batch]
    let results: [JSONValue]
    let config: JSONValue
    var testDescription: String { id }
  }

  /// Which class and name Keras' `compile` gives a metric name for these shapes.
  struct Resolution: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let y_true_shape: [Int]
    let y_pred_shape: [Int]
    let class_name: String
    let metric_name: String
    var testDescription: String { "\(name) for \(y_true_shape) → \(y_pred_shape)" }
  }

  struct Unknown: Decodable, Sendable {
    let name: String
  }

  struct LongMean: Decodable, Sendable {
    let batches: Int
    let result: Double
    let total: Double
    let count: Double
  }

  let cases: [Case]
  let resolution: [Resolution]
  let unknown: [Unknown]
  let fit_log_keys: [String]
  let long_mean: [LongMean]

  static let shared: MetricFixtures = {
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/metrics.json")
    return try! JSONDecoder().decode(MetricFixtures.self, from: Data(contentsOf: url))
  }()
}

/// The metric a fixture case describes, made from Keras' class name and constructor arguments.
func makeMetric(_ className: String, _ args: JSONValue) -> any Metric {
  func number(_ key: String) -> Double? {
    if case .number(let value) = args[key] { return value }
    return nil
  }
  func numbers(_ key: String) -> [Float]? {
    if case .array(let items) = args[key] {
      return items.map { if case .number(let value) = $0 { Float(value) } else { .nan } }
    }
    return nil
  }
  func string(_ key: String) -> String? {
    if case .string(let value) = args[key] { return value }
    return nil
  }
  func flag(_ key: String) -> Bool {
    if case .bool(let value) = args[key] { return value }
    return false
  }
  switch className {
  case "Mean": return Mean(name: string("name") ?? "mean")
  case "BinaryAccuracy": return BinaryAccuracy(threshold: Float(number("threshold") ?? 0.5))
  case "CategoricalAccuracy": return CategoricalAccuracy()
  case "SparseCategoricalAccuracy": return SparseCategoricalAccuracy()
  case "TopKCategoricalAccuracy": return TopKCategoricalAccuracy(k: Int(number("k") ?? 5))
  case "MeanAbsoluteError": return MeanAbsoluteError()
  case "MeanSquaredError": return MeanSquaredError()
  case "RootMeanSquaredError": return RootMeanSquaredError()
  case "MeanAbsolutePercentageError": return MeanAbsolutePercentageError()
  case "Precision", "Recall":
    let given =
      number("thresholds").map { MetricThresholds(Float($0)) } ?? numbers("thresholds").map(MetricThresholds.init)
    let topK = number("top_k").map { Int($0) }
    let classId = number("class_id").map { Int($0) }
    if className == "Precision" { return Precision(thresholds: given, topK: topK, classId: classId) }
    return Recall(thresholds: given, topK: topK, classId: classId)
  case "AUC":
    return AUC(
      numThresholds: Int(number("num_thresholds") ?? 200), curve: AUC.Curve(rawValue: string("curve") ?? "ROC")!,
      summationMethod: AUC.SummationMethod(rawValue: string("summation_method") ?? "interpolation")!,
      thresholds: numbers("thresholds"), multiLabel: flag("multi_label"),
      numLabels: number("num_labels").map { Int($0) },
      labelWeights: numbers("label_weights"), fromLogits: flag("from_logits"))
  default: fatalError("no Swift metric for Keras class \(className)")
  }
}

/// The per-threshold results of a Precision or Recall, or the single result of any metric.
func results(of metric: any Metric) -> [Float] {
  (metric as? ConfusionMatrixMetric)?.resultPerThreshold() ?? [metric.result()]
}

@Suite("Metrics match Keras")
struct MetricTests {
  static let fixtures = MetricFixtures.shared

  @Test("each metric's result after each batch matches Keras", arguments: fixtures.cases)
  func matchesKeras(_ fixture: MetricFixtures.Case) throws {
    let metric = makeMetric(fixture.class_name, fixture.args)
    let tolerance = fixture.class_name == "AUC" ? 1e-5 : 1e-6
    for (index, (batch, expected)) in zip(fixture.batches, fixture.results).enumerated() {
      let yTrue = batch.y_true?.tensor ?? Tensor.zeros(batch.y_pred.shape)
      try metric.update(yTrue, batch.y_pred.tensor, sampleWeight: batch.sample_weight?.tensor)
      let keras: [Double]
      switch expected {
      case .number(let value): keras = [value]
      case .array(let items): keras = items.map { if case .number(let value) = $0 { value } else { .nan } }
      default: keras = []
      }
      let ours = results(of: metric)
      #expect(ours.count == keras.count, "\(fixture.id): \(ours.count) results, Keras has \(keras.count)")
      for (mine, theirs) in zip(ours, keras) {
        #expect(
          Swift.abs(Double(mine) - theirs) <= tolerance * Swift.max(1, Swift.abs(theirs)),
          "\(fixture.id) after batch \(index + 1): \(mine), Keras \(theirs)")
      }
    }
  }

  @Test("each metric's config matches Keras' (the unique name aside)", arguments: fixtures.cases)
  func configMatchesKeras(_ fixture: MetricFixtures.Case) {
    let config = JSONValue.from(makeMetric(fixture.class_name, fixture.args).config)
    for key in ["module", "class_name", "registered_name"] {
      #expect(config[key] == fixture.config[key], "\(fixture.id): '\(key)' is \(String(describing: config[key]))")
    }
    guard case .object(let ours) = config["config"], case .object(let keras) = fixture.config["config"] else {
      Issue.record("\(fixture.id): no config object")
      return
    }
    #expect(Set(ours.keys) == Set(keras.keys), "\(fixture.id): keys \(ours.keys.sorted()) vs \(keras.keys.sorted())")
    for (key, value) in ours where key != "name" {
      #expect(value == keras[key], "\(fixture.id): '\(key)' is \(value), Keras has \(String(describing: keras[key]))")
    }
  }

  @Test("a metric starts afresh after reset()", arguments: fixtures.cases)
  func resetForgetsState(_ fixture: MetricFixtures.Case) throws {
    let metric = makeMetric(fixture.class_name, fixture.args)
    let before = results(of: metric)
    func feed(_ batch: MetricFixtures.Batch) throws {
      let yTrue = batch.y_true?.tensor ?? Tensor.zeros(batch.y_pred.shape)
      try metric.update(yTrue, batch.y_pred.tensor, sampleWeight: batch.sample_weight?.tensor)
    }
    #expect(before.allSatisfy { $0 == 0 }, "\(fixture.id): \(before) before any batch")
    try feed(fixture.batches[0])
    let first = results(of: metric)
    try feed(fixture.batches[1])
    metric.reset()
    #expect(results(of: metric) == before, "\(fixture.id): \(results(of: metric)) after reset")
    try feed(fixture.batches[0])
    #expect(results(of: metric) == first, "\(fixture.id): the first batch gives \(results(of: metric)) after reset")
  }

  @Test("a name resolves to Keras' class and logged name", arguments: fixtures.resolution)
  func resolvesAsKeras(_ fixture: MetricFixtures.Resolution) throws {
    let metric = try Keras.metric(
      named: fixture.name, yTrueShape: fixture.y_true_shape, yPredShape: fixture.y_pred_shape)
    #expect(String(describing: type(of: metric)) == fixture.class_name)
    #expect(metric.name == fixture.metric_name)
    let specified = try MetricSpecifier(fixture.name).resolve(
      yTrueShape: fixture.y_true_shape, yPredShape: fixture.y_pred_shape)
    #expect(String(describing: type(of: specified)) == fixture.class_name)
  }

  @Test("an unknown metric name throws listing the valid names", arguments: fixtures.unknown.map(\.name))
  func unknownName(_ name: String) {
    #expect(throws: KerasError.unknownName(kind: "metric", name: name, valid: MetricSpecifier.names)) {
      try Keras.metric(named: name, yTrueShape: [8, 1], yPredShape: [8, 1])
    }
    #expect(throws: KerasError.unknownName(kind: "metric", name: name, valid: MetricSpecifier.names)) {
      try MetricSpecifier(name).validate()
    }
  }

  @Test("every listed name resolves")
  func listedNamesResolve() throws {
    for name in MetricSpecifier.names {
      try MetricSpecifier(name).validate()
      #expect(try Keras.metric(named: name, yTrueShape: [4, 1], yPredShape: [4, 1]).name == name)
    }
  }

  @Test("repeated metric names are logged with _1, _2 as in Keras' fit")
  func logNames() throws {
    let metrics = try MetricSpecifier.resolve(
      ["accuracy", "acc", "accuracy", "mae"], yTrueShape: [16, 1], yPredShape: [16, 1])
    let names = MetricSpecifier.logNames(for: metrics)
    #expect(names == ["accuracy", "acc", "accuracy_1", "mae"])
    #expect(Set(names + ["loss"]) == Set(Self.fixtures.fit_log_keys))
  }

  @Test("typed specifiers make the metric they name")
  func typedSpecifiers() throws {
    let specifiers: [MetricSpecifier] = [
      .accuracy, .mae, .mse, .mape, .rootMeanSquaredError, .binaryAccuracy(threshold: 0.7),
      .topKCategoricalAccuracy(k: 2), .precision(name: "p"), .recall(thresholds: 0.3, name: "r"),
      .auc(curve: .pr, name: "pr_auc"),
    ]
    let metrics = try MetricSpecifier.resolve(specifiers, yTrueShape: [4, 1], yPredShape: [4, 1])
    #expect(
      metrics.map(\.name) == [
        "accuracy", "mae", "mse", "mape", "root_mean_squared_error", "binary_accuracy", "top_k_categorical_accuracy",
        "p", "r", "pr_auc",
      ])
    #expect((metrics[5] as? BinaryAccuracy)?.threshold == 0.7)
    #expect((metrics[9] as? AUC)?.curve == .pr)
    #expect(specifiers.map(\.config)[0] == "accuracy")
  }

  @Test("default Precision, Recall and AUC names are unique as Keras' auto names")
  func uniqueDefaultNames() throws {
    // Other tests make these concurrently, so only the form and the uniqueness are certain.
    func isAutoName(_ name: String, _ prefix: String) -> Bool {
      name == prefix || (name.hasPrefix(prefix + "_") && Int(name.dropFirst(prefix.count + 1)) != nil)
    }
    for (prefix, make) in [("precision", { Precision().name }), ("recall", { Recall().name }), ("auc", { AUC().name })]
    {
      let names = (0..<3).map { _ in make() }
      #expect(names.allSatisfy { isAutoName($0, prefix) }, "\(names)")
      #expect(Set(names).count == 3, "\(names)")
    }
    // Made from a string, the metric is named by the string.
    #expect(try Keras.metric(named: "auc", yTrueShape: [2, 1], yPredShape: [2, 1]).name == "auc")
  }

  @Test("a long epoch accumulates in float32 exactly as Keras' Mean")
  func longEpochFloat32() throws {
    let mean = Mean()
    var checkpoints = Self.fixtures.long_mean.makeIterator()
    var next = checkpoints.next()
    for b in 0..<3000 {
      let values = (0..<32).map { j in Float(Double((b * 31 + j * 17) % 101) / 101 * 3.3) }
      try mean.update(Tensor(values))
      if let checkpoint = next, checkpoint.batches == b + 1 {
        #expect(Double(mean.total) == checkpoint.total, "total after \(b + 1) batches")
        #expect(Double(mean.count) == checkpoint.count)
        #expect(Double(mean.result()) == checkpoint.result, "result after \(b + 1) batches")
        next = checkpoints.next()
      }
    }
  }

  @Test("the loss tracker weighs each batch's mean loss by its size")
  func lossTracker() {
    let loss = Mean(name: "loss")
    loss.update(0.7, weight: 32)
    loss.update(0.4, weight: 8)
    #expect(Swift.abs(loss.result() - 0.64) < 1e-6)
  }

  @Test("labels and predictions that do not fit throw naming the metric and both shapes")
  func shapeErrors() {
    let cases: [(any Metric, [Int], [Int])] = [
      (BinaryAccuracy(name: "accuracy"), [4, 3], [4, 2]),
      (MeanAbsoluteError(name: "mae"), [4, 3], [4, 2]),
      (RootMeanSquaredError(), [4, 3], [5, 3]),
      (CategoricalAccuracy(), [4, 3], [5, 3]),
      (SparseCategoricalAccuracy(), [4, 2], [4, 3]),
      (TopKCategoricalAccuracy(k: 2), [4, 3], [5, 3]),
      (Precision(name: "precision"), [4, 2], [4, 3]),
      (Recall(name: "recall"), [4], [4, 3]),
      (AUC(name: "auc"), [4, 1], [6, 1]),
    ]
    for (metric, trueShape, predShape) in cases {
      #expect {
        try metric.update(Tensor.zeros(trueShape), Tensor.zeros(predShape), sampleWeight: nil)
      } throws: { error in
        let text = "\(error)"
        return text.contains("'\(metric.name)'") && text.contains("\(trueShape)") && text.contains("\(predShape)")
      }
    }
  }

  @Test("sample weights that do not fit throw naming the metric and the shapes")
  func sampleWeightErrors() {
    let metrics: [any Metric] = [MeanSquaredError(), BinaryAccuracy(), Precision(name: "precision"), AUC(name: "auc")]
    for metric in metrics {
      #expect {
        try metric.update(Tensor.zeros([4, 1]), Tensor.zeros([4, 1]), sampleWeight: Tensor.ones([3]))
      } throws: { error in
        let text = "\(error)"
        return text.contains("'\(metric.name)'") && text.contains("[3]") && text.contains("[4, 1]")
      }
    }
  }

  @Test("a metric touched nothing when its batch was refused")
  func refusedBatchLeavesState() throws {
    let metric = MeanAbsoluteError()
    try metric.update(Tensor([[1], [2]]), Tensor([[1.5], [2.5]]))
    #expect(throws: KerasError.self) {
      try metric.update(Tensor.zeros([2, 1]), Tensor.zeros([2, 1]), sampleWeight: Tensor.ones([3]))
    }
    #expect(metric.result() == 0.5)
    #expect(metric.mean.count == 2)
  }
}
