import Foundation
import Testing

@testable import Keras

/// A layer's golden values written by a generator script in `Fixtures/` with real Keras.
struct LayerFixture: Decodable {
  struct Array: Decodable {
    let shape: [Int]
    let data: [Double]
    let name: String?
    var tensor: Tensor { try! Tensor(shape: shape, scalars: data.map { Float($0) }) }
  }

  let name: String
  let class_name: String
  let config: JSONValue
  let input: Array
  let weights: [Array]
  let output: Array
  let mask: Array?
  let loss_weights: Array?
  let input_gradient: Array?
  let weight_gradients: [Array]?

  /// Loads `Fixtures/layers/<name>.json`.
  static func load(_ name: String) throws -> LayerFixture {
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/layers/\(name).json")
    return try JSONDecoder().decode(LayerFixture.self, from: Data(contentsOf: url))
  }
}

/// Any JSON value, for reading Keras configs in tests.
enum JSONValue: Decodable, Equatable, Sendable {
  case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

  init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let n = try? c.decode(Double.self) {
      self = .number(n)
    } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let a = try? c.decode([JSONValue].self) {
      self = .array(a)
    } else {
      self = .object(try c.decode([String: JSONValue].self))
    }
  }

  /// This value as a ConfigValue would compare: numbers as Double.
  static func from(_ value: ConfigValue) -> JSONValue {
    switch value {
    case .null: return .null
    case .bool(let b): return .bool(b)
    case .int(let i): return .number(Double(i))
    case .double(let d): return .number(d)
    case .string(let s): return .string(s)
    case .array(let a): return .array(a.map(from))
    case .object(let pairs): return .object(Dictionary(pairs.map { ($0.0, from($0.1)) }, uniquingKeysWith: { a, _ in a }))
    }
  }

  subscript(key: String) -> JSONValue? {
    if case .object(let o) = self { return o[key] }
    return nil
  }
}

/// The largest absolute difference between two tensors of the same shape (infinity if shapes differ).
func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
  guard a.shape == b.shape else { return .infinity }
  return zip(a.scalars, b.scalars).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) }
}

/// Checks `layer` against a Keras fixture: loads the weights with `setWeights`, matches the
/// forward output within `tolerance`, the gradients (when the fixture has them) within
/// `gradientTolerance`, and every config key Swift writes against Keras' value.
func expectMatchesKeras(
  _ layer: Layer, fixture name: String, tolerance: Float = 1e-5, gradientTolerance: Float = 1e-4,
  training: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let fixture = try LayerFixture.load(name)
  let x = fixture.input.tensor
  #expect(type(of: layer).className == fixture.class_name, sourceLocation: sourceLocation)
  try layer.buildIfNeeded([nil] + x.shape.dropFirst().map { $0 })
  try layer.setWeights(fixture.weights.map(\.tensor))
  let mask = fixture.mask?.tensor
  let y = try layer(x, mask: mask, training: training)
  let difference = maxDifference(y, fixture.output.tensor)
  #expect(
    difference <= tolerance, "\(name): output differs from Keras by \(difference); shape \(y.shape) vs \(fixture.output.shape)",
    sourceLocation: sourceLocation)

  if let r = fixture.loss_weights?.tensor, let inputGradient = fixture.input_gradient?.tensor,
    let weightGradients = fixture.weight_gradients
  {
    let (_, grads) = try valueWithGradient(at: [x]) { xs in
      try (layer(xs[0], mask: mask, training: training) * r).sum()
    }
    let dx = maxDifference(grads[0], inputGradient)
    #expect(dx <= gradientTolerance, "\(name): input gradient differs from Keras by \(dx)", sourceLocation: sourceLocation)
    let (_, wgrads) = try valueWithGradient(for: layer.weights) { try (layer(x, mask: mask, training: training) * r).sum() }
    for (i, (ours, theirs)) in zip(wgrads, weightGradients).enumerated() {
      let dw = maxDifference(ours, theirs.tensor)
      #expect(
        dw <= gradientTolerance, "\(name): gradient of weight \(i) (\(layer.weights[i].name)) differs from Keras by \(dw)",
        sourceLocation: sourceLocation)
    }
  }

  expectConfigMatchesKeras(layer.config, fixture.config, fixture: name, sourceLocation: sourceLocation)
}

/// Checks that every key of a Swift layer `config` is a Keras key with Keras' value, the name
/// aside; initializers and wrapped layers are compared by class name (their seeds and newer
/// Keras keys aside).
func expectConfigMatchesKeras(
  _ config: ConfigValue, _ kerasConfig: JSONValue, fixture name: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let ours = JSONValue.from(config)
  if case .object(let keys) = ours {
    for (key, value) in keys where key != "name" {
      guard let kerasValue = kerasConfig[key] else {
        Issue.record("\(name): config key '\(key)' is not in Keras' config", sourceLocation: sourceLocation)
        continue
      }
      if key.hasSuffix("_initializer") || key == "layer" || key == "backward_layer" {
        #expect(value["class_name"] == kerasValue["class_name"], "\(name): \(key)", sourceLocation: sourceLocation)
      } else {
        #expect(value == kerasValue, "\(name): config '\(key)' is \(value), Keras has \(kerasValue)", sourceLocation: sourceLocation)
      }
    }
  }
}
