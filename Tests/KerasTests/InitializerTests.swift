import Foundation
import Testing

@testable import Keras

@Suite("Initializers and regularizers follow Keras' definitions")
struct InitializerTests {
  /// Keras' class name and config per initializer name (make_initializer_fixtures.py).
  static let keras: [String: JSONValue] = {
    let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/initializers.json")
    guard let data = try? Data(contentsOf: url), let value = try? JSONDecoder().decode([String: JSONValue].self, from: data)
    else { return [:] }
    return value
  }()

  @Test("every Keras initializer name resolves to Keras' class and default config", arguments: Initializer.names)
  func namesMatchKeras(_ name: String) throws {
    let golden = try #require(Self.keras[name])
    let initializer = try Initializer(named: name)
    #expect(.string(initializer.className) == golden["class_name"])
    let ours = JSONValue.from(initializer.config)
    if case .object(let keys) = ours["config"]! {
      for (key, value) in keys {
        #expect(value == golden["config"]?[key], "\(name): '\(key)' is \(value), Keras has \(String(describing: golden["config"]?[key]))")
      }
    }
  }

  @Test("an unknown initializer name throws listing the valid names")
  func unknownName() {
    #expect { try Initializer(named: "glorot") } throws: {
      "\($0)".hasPrefix("Unknown initializer 'glorot'. Valid names: zeros, ones")
    }
  }

  /// Sample variance of a tensor's elements.
  func variance(_ t: Tensor) -> Float { try! t.variance().scalar }

  @Test("uniform variance-scaling initializers draw within ±sqrt(3·scale/n) with variance scale/n")
  func uniformScaling() throws {
    // [200, 300]: fan_in 200, fan_out 300, fan_avg 250.
    let cases: [(Initializer, Float)] = [
      (.glorotUniform(seed: 1), 1 / 250), (.heUniform(seed: 2), 2 / 200), (.lecunUniform(seed: 3), 1 / 200),
    ]
    for (initializer, expectedVariance) in cases {
      let w = try initializer([200, 300])
      let limit = (3 * expectedVariance).squareRoot()
      #expect(try w.abs().max().scalar <= limit)
      #expect(abs(variance(w) / expectedVariance - 1) < 0.03, "\(initializer.className)")
    }
  }

  @Test("normal variance-scaling initializers are truncated at 2σ and have variance scale/n")
  func normalScaling() throws {
    let cases: [(Initializer, Float)] = [
      (.glorotNormal(seed: 4), 1 / 250), (.heNormal(seed: 5), 2 / 200), (.lecunNormal(seed: 6), 1 / 200),
    ]
    for (initializer, expectedVariance) in cases {
      let w = try initializer([200, 300])
      // Keras divides σ by 0.8796 so that the truncated distribution keeps variance scale/n.
      let sigma = expectedVariance.squareRoot() / 0.87962566
      #expect(try w.abs().max().scalar <= 2 * sigma + 1e-6)
      #expect(abs(variance(w) / expectedVariance - 1) < 0.03, "\(initializer.className)")
    }
  }

  @Test("convolution kernels count the receptive field in both fans, as Keras' compute_fans")
  func convolutionFans() {
    let (fanIn, fanOut) = Initializer.fans([3, 4, 5])
    #expect(fanIn == 12 && fanOut == 15)
    #expect(Initializer.fans([7]) == (7, 7))
  }

  @Test("orthogonal gives orthonormal columns (tall) or rows (wide), scaled by gain")
  func orthogonal() throws {
    let tall = try Initializer.orthogonal(gain: 2, seed: 7)([6, 3])
    #expect(try tall.matmul(tall, transposeA: true).isAlmostEqual(to: Tensor.eye(3) * 4, tolerance: 1e-5))
    let wide = try Initializer.orthogonal(seed: 8)([3, 6])
    #expect(try wide.matmul(wide, transposeB: true).isAlmostEqual(to: .eye(3), tolerance: 1e-5))
    #expect(throws: KerasError.self) { try Initializer.orthogonal()([5]) }
  }

  @Test("constant, zeros, ones, identity and random initializers fill as named; seeds reproduce")
  func simpleInitializers() throws {
    #expect(try Initializer.constant(0.5)([2]) == Tensor([0.5, 0.5]))
    #expect(try Initializer.zeros([2]) == Tensor([0, 0]))
    #expect(try Initializer.ones([1, 2]) == Tensor([[1, 1]]))
    #expect(try Initializer.identity(gain: 3)([2, 3]) == Tensor([[3, 0, 0], [0, 3, 0]]))
    let u = try Initializer.randomUniform(minval: 1, maxval: 2, seed: 9)([1000])
    #expect(try u.min().scalar >= 1 && u.max().scalar < 2)
    #expect(try Initializer.randomNormal(seed: 10)([10]) == (try Initializer.randomNormal(seed: 10)([10])))
    let t = try Initializer.truncatedNormal(stddev: 0.1, seed: 11)([1000])
    #expect(try t.abs().max().scalar <= 0.2)
  }

  @Test("regularizers add l1·Σ|w| + l2·Σw² and layers report their penalties")
  func regularizers() throws {
    let w = Tensor([[1, -2], [3, 4]])  // Σ|w| = 10, Σw² = 30
    #expect(abs(Regularizer.l1(0.1)(w).scalar - 1.0) < 1e-6)
    #expect(abs(Regularizer.l2(0.01)(w).scalar - 0.3) < 1e-6)
    #expect(abs(Regularizer.l1l2(l1: 0.1, l2: 0.01)(w).scalar - 1.3) < 1e-6)
    let layer = Dense(2, kernelRegularizer: .l2(0.01), biasRegularizer: .l1(0.5))
    _ = try layer(Tensor.ones([1, 2]))
    try layer.setWeights([w, Tensor([1, -1])])
    let penalties = layer.regularizationLosses.map(\.scalar)
    #expect(penalties.count == 2)
    #expect(abs(penalties[0] - 0.3) < 1e-6 && abs(penalties[1] - 1.0) < 1e-6)
    #expect(throws: KerasError.self) { try Regularizer(named: "l3") }
  }

  @Test("a seeded initializer draws the same weights every time")
  func seededInitializer() throws {
    #expect(try Initializer.glorotUniform(seed: 123)([3, 3]) == (try Initializer.glorotUniform(seed: 123)([3, 3])))
    #expect(try Initializer.glorotUniform(seed: 123)([3, 3]) != (try Initializer.glorotUniform(seed: 124)([3, 3])))
  }
}
