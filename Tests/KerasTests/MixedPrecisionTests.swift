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

/// The largest `|a - b| / (atol + |b|)`-free error: the largest `|a - b|` where `|b|` ≤ 1, and
/// the largest relative error `|a - b| / |b|` where `|b|` > 1, as one number.
private func scaledError(_ a: Tensor, _ b: Tensor) -> Float {
  zip(a.scalars, b.scalars).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
}

/// Tolerances, in units of bfloat16's rounding step: a bfloat16 value has 8 significant bits, so
/// one rounding moves a value in [0.5, 1) by up to 2⁻⁹ ≈ 2e-3 (half its spacing 2⁻⁸).
/// Keras rounds after every op (the product, the bias add, the activation; every gate op of an
/// LSTM step) where SwiftKeras rounds inputs, weights, products and outputs, so the two roundings
/// of a value can fall on neighbouring bfloat16 values: one spacing, 2⁻⁸ ≈ 3.9e-3, per layer that
/// passes it on. A forward pass through L layers gets L spacings; the measured errors are below
/// half of that, and each is well below the distance between Keras' own bfloat16 and float32
/// outputs only where that distance is larger than a few spacings, so the tests also check that
/// the output is not simply float32's where that is distinguishable.
private enum Tolerance {
  static let spacing: Float = 1.0 / 256
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
    let float16 = try deserializeLayer(
      .object([("class_name", "Dense"), ("config", .object([("name", "h"), ("units", 2), ("dtype", "mixed_float16")]))]))
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
    let x = try Tensor(shape: [1, 2], scalars: [1 + 1.0 / 512 + 1.0 / 4096, 1])
    _ = try dense(x)
    try dense.setWeights([Tensor(shape: [2, 2], scalars: [1 + 1.0 / 1024, 0, 0, 3 + 1.0 / 64])])
    let y = try dense(x)
    // x₀ rounds to 1 + 2⁻⁸ (above the tie), the kernel's 1 + 2⁻¹⁰ to 1 and 3 + 2⁻⁶ to 3;
    // the products 1 + 2⁻⁸ and 3 are bfloat16 values already.
    #expect(y.scalars == [1 + 1.0 / 256, 3])
    #expect(dense.kernel!.value.scalars[0] == 1 + 1.0 / 1024)
  }

  @Test("roundedToBFloat16 rounds ties to even and its gradient is rounded too")
  func roundingGradient() throws {
    let x = try Tensor(shape: [3], scalars: [1 + 1.0 / 256 + 1.0 / 512, 1 + 1.0 / 512, -2 - 1.0 / 64])
    #expect(x.roundedToBFloat16().scalars == [1 + 2.0 / 256, 1, -2 - 1.0 / 64])
    let weight = try Tensor(shape: [3], scalars: [1 + 1.0 / 1024, 1, 1])
    let g = try gradient(at: x) { x in try (x.roundedToBFloat16() * weight).sum() }
    #expect(g.scalars == [1, 1, 1])
  }

  // MARK: Models Keras built under mixed_bfloat16

  @Test(
    "Models Keras built under mixed_bfloat16 load with their policy and predict as Keras",
    arguments: [("dense_stack", 3), ("conv", 4), ("lstm", 8), ("attention", 6)])
  func forwardMatchesKeras(name: String, spacings: Int) throws {
    let fixture = try MixedPrecisionFixture.load(name)
    let model = try loadModel(MixedPrecisionFixture.path("\(name).keras"))
    #expect(model.layers.map(\.dtypePolicy.name) == fixture.policies)
    let output = try model.predict(fixture.x.tensor, verbose: 0)
    let error = scaledError(output, fixture.output.tensor)
    #expect(error <= Float(spacings) * Tolerance.spacing, "\(name): \(error)")
  }

  @Test(
    "Three training steps under mixed_bfloat16 leave the float32 master weights Keras has",
    arguments: [("dense_stack", 3), ("conv", 4), ("lstm", 8), ("attention", 6)])
  func trainingMatchesKeras(name: String, spacings: Int) throws {
    let fixture = try MixedPrecisionFixture.load(name)
    let model = try loadModel(MixedPrecisionFixture.path("\(name).keras"))
    var losses: [Float] = []
    for _ in 0..<3 { losses.append(try #require(model.trainOnBatch(fixture.x.tensor, fixture.y.tensor)["loss"])) }
    for (loss, expected) in zip(losses, fixture.losses) {
      #expect(abs(loss - Float(expected)) <= Float(spacings) * Tolerance.spacing * max(1, Float(expected)), "\(name)")
    }
    for (i, (weight, expected)) in zip(model.getWeights(), fixture.weights).enumerated() {
      #expect(weight.shape == expected.shape)
      let error = scaledError(weight, expected.tensor)
      #expect(error <= Float(spacings) * Tolerance.spacing, "\(name) weight \(i): \(error)")
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
      #expect(error <= 3 * Tolerance.spacing, "\(file): \(error)")
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
