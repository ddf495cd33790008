import Foundation
import Testing

@testable import Keras

/// A model Keras built under `mixed_bfloat16` (make_mixed_precision_fixtures.py): its input and
/// labels, Keras' bfloat16 output and the float32 output of the same weights, the losses of 3
/// `train_on_batch` steps and the float32 master weights after them.
struct MixedPrecisionFixture: Decodable {
  let x: LayerFixture.Array
  let y: LayerFixture.Array
  let policies: [String]
  let output: LayerFixture.Array
  let output_float32: LayerFixture.Array
  let losses: [Double]
  let weights: [LayerFixture.Array]
  let weights_float32: [LayerFixture.Array]

  /// The path of `Fixtures/mixed_precision/<file>`.
  static func path(_ file: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/mixed_precision/\(file)").path
  }

  static func load(_ name: String) throws -> MixedPrecisionFixture {
    try JSONDecoder().decode(Self.self, from: Data(contentsOf: URL(fileURLWithPath: path("\(name).json"))))
  }
}

/// The largest error of `a` against `b`: `|a - b|` where `|b|` ≤ 1, relative (`|a - b| / |b|`) above.
private func scaledError(_ a: Tensor, _ b: Tensor) -> Float {
  zip(a.scalars, b.scalars).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
}

/// Tolerances, in units of one bfloat16 rounding: bfloat16 keeps 8 significant bits (7 stored),
/// so its spacing in [1, 2) is 2⁻⁷ and one rounding moves a value by at most 2⁻⁸ ≈ 3.9e-3 of its
/// size (`unit` below; ``scaledError(_:_:)`` measures in that size, or absolutely below 1).
/// Keras rounds after every op (product, bias add, activation, softmax's sums; every gate op of
/// an LSTM step) where SwiftKeras rounds a layer's inputs, weights, products and outputs, so the
/// two results of one value may land on neighbouring bfloat16 numbers: one spacing, 2 units for
/// a value just above a power of two. The forward tests allow 2 units, 3 for the LSTM (5 steps
/// of bfloat16 gate math in Keras) and the attention block (softmax in bfloat16 in Keras);
/// measured: dense 1.0, conv 0.25, LSTM 1.0, attention 1.5. The weights after 3 steps allow
/// 2 units (measured at most 0.95, the LSTM's recurrent kernel; Keras' float32 training of the
/// same model ends 3.8 units away in the Dense stack's kernel), the losses 2 units (measured at
/// most 1.15, the attention block).
private enum Tolerance {
  static let unit: Float = 1.0 / 256
}

@Suite("Mixed precision (mixed_bfloat16)")
struct MixedPrecisionTests {
  // MARK: The policy

  @Test("DTypePolicy names its compute and variable dtypes as Keras")
  func policyDTypes() throws {
    let mixed = try DTypePolicy("mixed_bfloat16")
    #expect(mixed == .mixedBFloat16)
    #expect(mixed.name == "mixed_bfloat16")
    #expect(mixed.computeDType == "bfloat16")
    #expect(mixed.variableDType == "float32")
    #expect(mixed.matMulPrecision == .bfloat16)
    #expect(mixed.description == "<DTypePolicy \"mixed_bfloat16\">")
    let float32 = try DTypePolicy("float32")
    #expect(float32.computeDType == "float32" && float32.variableDType == "float32")
    #expect(float32.matMulPrecision == .float32)
  }

  @Test("mixed_float16 and other dtypes are refused with a message naming the policy")
  func refusedPolicies() throws {
    for name in ["mixed_float16", "bfloat16", "float16", "float64"] {
      #expect {
        try DTypePolicy(name)
      } throws: { error in
        "\(error)".contains(name)
      }
    }
    #expect {
      try setGlobalPolicy("mixed_float16")
    } throws: { error in
      "\(error)".contains("mixed_float16") && "\(error)".contains("mixed_bfloat16")
    }
    #expect(globalPolicy == .float32)
  }

  @Test("Layers take the global policy at construction and keep it")
  func globalPolicyAtConstruction() throws {
    let mixed = withGlobalPolicy(.mixedBFloat16) { Dense(4) }
    let plain = Dense(4)
    #expect(mixed.dtypePolicy == .mixedBFloat16 && mixed.computeDType == "bfloat16")
    #expect(plain.dtypePolicy == .float32)
    try setGlobalPolicy("float32")
    #expect(globalPolicy == .float32)
  }

  @Test("A layer's config writes and reads its policy as Keras 3, and reads Keras 2's forms")
  func policyConfig() throws {
    let dense = Dense(3)
    dense.dtypePolicy = .mixedBFloat16
    let dtype = try #require(dense.config["dtype"])
    #expect(dtype == DTypePolicy.mixedBFloat16.config)
    #expect(dtype["class_name"] == .string("DTypePolicy"))
    #expect(dtype["config"]?["name"] == .string("mixed_bfloat16"))
    let copy = try deserializeLayer(.object([("class_name", "Dense"), ("config", dense.config)]))
    #expect(copy.dtypePolicy == .mixedBFloat16)
    let legacyForms: [ConfigValue] = [
      "mixed_bfloat16",
      .object([("class_name", "Policy"), ("config", .object([("name", "mixed_bfloat16")]))]),
    ]
    for form in legacyForms {
      let layer = try deserializeLayer(
        .object([("class_name", "Dense"), ("config", .object([("name", "d"), ("units", 2), ("dtype", form)]))]))
      #expect(layer.dtypePolicy == .mixedBFloat16)
    }
    let float16Config: ConfigValue = .object([("name", "h"), ("units", 2), ("dtype", "mixed_float16")])
    let float16 = try deserializeLayer(.object([("class_name", "Dense"), ("config", float16Config)]))
    #expect(float16.dtypePolicy.name == "mixed_float16")
    #expect(float16.dtypePolicy.matMulPrecision == .float32)
    #expect(float16.config["dtype"]?["config"]?["name"] == .string("mixed_float16"))
    #expect {
      try deserializeLayer(
        .object([("class_name", "Dense"), ("config", .object([("name", "q"), ("units", 2), ("dtype", "float64")]))]))
    } throws: { error in
      "\(error)".contains("Layer 'q'") && "\(error)".contains("float64")
    }
  }

  // MARK: Arithmetic

  @Test("A mixed Dense rounds input, weights and output to bfloat16 and keeps float32 weights")
  func denseRounds() throws {
    let dense = Dense(2, useBias: false)
    dense.dtypePolicy = .mixedBFloat16
    let input: [Float] = [1 + 1.0 / 256 + 1.0 / 4096, 1]
    let x = try Tensor(shape: [1, 2], scalars: input)
    _ = try dense(x)
    let kernel: [Float] = [1 + 1.0 / 1024, 0, 0, 3 + 1.0 / 256]
    try dense.setWeights([Tensor(shape: [2, 2], scalars: kernel)])
    let y = try dense(x)
    // x₀ is past the tie 1 + 2⁻⁸ and rounds up to 1 + 2⁻⁷; the kernel's 1 + 2⁻¹⁰ rounds to 1
    // and 3 + 2⁻⁸ to 3 (spacing 2⁻⁶); the products are bfloat16 numbers already.
    let expected: [Float] = [1 + 1.0 / 128, 3]
    #expect(y.scalars == expected)
    #expect(dense.kernel!.value.scalars[0] == 1 + 1.0 / 1024)
  }

  @Test("A mixed Embedding does not round its ids (Keras' autocast = False) but rounds its vectors")
  func embeddingKeepsIds() throws {
    let embedding = withGlobalPolicy(.mixedBFloat16) { Embedding(300, 2) }
    _ = try embedding(Tensor(shape: [1, 1], scalars: [0]))
    // Row r is [r mod 7 + 1, r mod 5 + 1] + 2⁻¹⁰, which rounds to its integers in bfloat16.
    var rows: [Float] = []
    for r in 0..<300 {
      rows.append(Float(r % 7 + 1) + 1.0 / 1024)
      rows.append(Float(r % 5 + 1) + 1.0 / 1024)
    }
    try embedding.setWeights([Tensor(shape: [300, 2], scalars: rows)])
    // 257 is no bfloat16 number (spacing 2 there): rounded, it would read row 256, [5, 2].
    let y = try embedding(Tensor(shape: [1, 1], scalars: [257]))
    let expected: [Float] = [6, 3]
    #expect(y.scalars == expected)
  }

  @Test("roundedToBFloat16 rounds ties to even and its gradient is rounded too")
  func roundingGradient() throws {
    // bfloat16's spacing is 2⁻⁷ in [1, 2) and 2⁻⁶ in [2, 4): 1 + ¾·2⁻⁷ rounds up, 1 + 2⁻⁹ down,
    // -2 - 2⁻⁶ is a bfloat16 number.
    let values: [Float] = [1 + 0.75 / 128, 1 + 1.0 / 512, -2 - 1.0 / 64]
    let rounded: [Float] = [1 + 1.0 / 128, 1, -2 - 1.0 / 64]
    let x = try Tensor(shape: [3], scalars: values)
    #expect(x.roundedToBFloat16().scalars == rounded)
    let weight = try Tensor(shape: [3], scalars: [1 + 1.0 / 1024, 1, 1])
    let g = try gradient(at: x) { x in try (x.roundedToBFloat16() * weight).sum() }
    #expect(g.scalars == [Float](repeating: 1, count: 3))
  }

  // MARK: Models Keras built under mixed_bfloat16

  @Test(
    "Models Keras built under mixed_bfloat16 load with their policy and predict as Keras",
    arguments: [("dense_stack", 2), ("conv", 2), ("separable", 2), ("lstm", 3), ("attention", 3)])
  func forwardMatchesKeras(name: String, units: Int) throws {
    let fixture = try MixedPrecisionFixture.load(name)
    let model = try loadModel(MixedPrecisionFixture.path("\(name).keras"))
    // Keras lists a functional model's InputLayer too; its dtype is the input's (float32).
    let layers = model.layers.filter { !($0 is InputLayer) }
    #expect(layers.map(\.dtypePolicy.name) == fixture.policies.suffix(layers.count))
    let output = try model.predict(fixture.x.tensor, verbose: 0)
    let error = scaledError(output, fixture.output.tensor)
    #expect(error <= Float(units) * Tolerance.unit, "\(name): \(error)")
    // The output is bfloat16 (Keras' float32 run of the same weights has no such values).
    #expect(output.scalars.allSatisfy { $0.bitPattern & 0xFFFF == 0 })
  }

  @Test(
    "Three training steps under mixed_bfloat16 leave the float32 master weights Keras has",
    arguments: ["dense_stack", "conv", "separable", "lstm", "attention"])
  func trainingMatchesKeras(name: String) throws {
    let fixture = try MixedPrecisionFixture.load(name)
    let model = try loadModel(MixedPrecisionFixture.path("\(name).keras"))
    var losses: [Float] = []
    for _ in 0..<3 { losses.append(try #require(model.trainOnBatch(fixture.x.tensor, fixture.y.tensor)["loss"])) }
    for (loss, expected) in zip(losses, fixture.losses) {
      #expect(abs(loss - Float(expected)) <= 2 * Tolerance.unit * max(1, Float(expected)), "\(name): \(loss)")
    }
    for (i, (weight, expected)) in zip(model.getWeights(), fixture.weights).enumerated() {
      #expect(weight.shape == expected.shape)
      let error = scaledError(weight, expected.tensor)
      #expect(error <= 2 * Tolerance.unit, "\(name) weight \(i): \(error)")
    }
  }

  @Test("Keras 3 .h5 and tf_keras .h5 files keep the policy; saving writes it back")
  func filesKeepPolicy() throws {
    let fixture = try MixedPrecisionFixture.load("dense_stack")
    let legacy = try JSONDecoder().decode(
      [String: LayerFixture.Array].self,
      from: Data(contentsOf: URL(fileURLWithPath: MixedPrecisionFixture.path("dense_stack.tf_keras.json"))))
    for (file, expected) in [("dense_stack.h5", fixture.output), ("dense_stack.tf_keras.h5", legacy["output"]!)] {
      let model = try loadModel(MixedPrecisionFixture.path(file))
      #expect(model.layers.allSatisfy { $0.dtypePolicy == .mixedBFloat16 }, "\(file)")
      let error = scaledError(try model.predict(fixture.x.tensor, verbose: 0), expected.tensor)
      #expect(error <= 3 * Tolerance.unit, "\(file): \(error)")
    }
    let model = try loadModel(MixedPrecisionFixture.path("dense_stack.keras"))
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mixed-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    for file in ["copy.keras", "copy.h5"] {
      let path = directory.appendingPathComponent(file).path
      try model.save(path)
      let loaded = try loadModel(path)
      #expect(loaded.layers.allSatisfy { $0.dtypePolicy == .mixedBFloat16 }, "\(file)")
      let x = try MixedPrecisionFixture.load("dense_stack").x.tensor
      #expect(try loaded.predict(x, verbose: 0).scalars == model.predict(x, verbose: 0).scalars)
    }
  }
}
