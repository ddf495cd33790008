#if canImport(Glibc)
  import Glibc
#endif
import Synchronization

/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// One global instance (``RandomGenerator/global``) drives initializers, dropout and
/// shuffling, so setting its seed with ``setRandomSeed(_:)`` makes a run reproducible.
/// Its ``state`` can be saved and restored to resume a run exactly.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Equatable {
  /// The four 64-bit words of the generator.
  public var state: [UInt64]

  /// A generator seeded with `seed`.
  public init(seed: UInt64) {
    var s = seed
    func splitMix() -> UInt64 {
      s &+= 0x9E37_79B9_7F4A_7C15
      var z = s
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    state = [splitMix(), splitMix(), splitMix(), splitMix()]
  }

  /// A generator continuing from a saved ``state``.
  ///
  /// - Throws: when `state` is not four words or is all zero.
  public init(state: [UInt64]) throws {
    guard state.count == 4, state.contains(where: { $0 != 0 }) else {
      throw TensorError.invalidArgument(operation: "RandomGenerator(state:)", "state must be 4 words, not all zero")
    }
    self.state = state
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = rotate(state[1] &* 5, 7) &* 9
    let t = state[1] << 17
    state[2] ^= state[0]
    state[3] ^= state[1]
    state[1] ^= state[2]
    state[0] ^= state[3]
    state[2] ^= t
    state[3] = rotate(state[3], 45)
    return result
  }

  @inline(__always)
  private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// A uniform float in `[0, 1)` with 24 random bits.
  public mutating func nextUniform() -> Float { Float(next() >> 40) * 0x1p-24 }

  /// Writes `min + (max - min) · nextUniform()` to each of `count` floats at `target`: the same
  /// draws in the same order, on the state words held in locals (the `state` array's uniqueness
  /// and bounds checks cost more than the draw itself).
  mutating func fillUniform(_ target: UnsafeMutablePointer<Float>, count: Int, min: Float, max: Float) {
    var (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    for i in 0..<count {
      let result = rotate(s1 &* 5, 7) &* 9
      let t = s1 << 17
      s2 ^= s0
      s3 ^= s1
      s1 ^= s2
      s0 ^= s3
      s2 ^= t
      s3 = rotate(s3, 45)
      target[i] = min + (max - min) * (Float(result >> 40) * 0x1p-24)
    }
    state = [s0, s1, s2, s3]
  }

  /// A standard normal sample (Box–Muller).
  public mutating func nextNormal() -> Float {
    let u1 = (Double(next() >> 11) + 1) * 0x1p-53  // (0, 1]
    let u2 = Double(next() >> 11) * 0x1p-53
    return Float((-2 * Glibc.log(u1)).squareRoot() * Glibc.cos(2 * Double.pi * u2))
  }

  /// The process-wide generator, seeded with 0 until ``setRandomSeed(_:)`` is called.
  public static let global = Mutex(RandomGenerator(seed: 0))
}

/// Seeds the global generator, as `keras.utils.set_random_seed` (inside a
/// ``withRandomSeed(_:_:)`` scope, that scope's generator).
public func setRandomSeed(_ seed: UInt64) {
  RandomGenerator.withCurrent { $0 = RandomGenerator(seed: seed) }
}

/// Runs `body` with the generator for `seed`, or the current one when `seed` is nil.
func withGenerator<R>(seed: UInt64?, _ body: (inout RandomGenerator) throws -> R) rethrows -> R {
  if let seed {
    var generator = RandomGenerator(seed: seed)
    return try body(&generator)
  }
  return try RandomGenerator.withCurrent(body)
}

extension RandomGenerator {
  /// A generator shared by the code running inside one ``withRandomSeed(_:_:)`` scope.
  final class Scoped: Sendable {
    let generator: Mutex<RandomGenerator>
    init(_ generator: RandomGenerator) { self.generator = Mutex(generator) }
  }

  /// The generator of the innermost ``withRandomSeed(_:_:)`` scope of this task, if any.
  @TaskLocal static var scoped: Scoped?

  /// Runs `body` with the generator that unseeded draws use here: the one of the innermost
  /// ``withRandomSeed(_:_:)`` scope of this task, else ``global``. Everything random in training
  /// (initializers, dropout without a seed, `fit`'s shuffling) goes through it, so saving and
  /// restoring its ``state`` resumes a run exactly.
  public static func withCurrent<R>(_ body: (inout RandomGenerator) throws -> R) rethrows -> R {
    if let scoped { return try scoped.generator.withLock { try body(&$0) } }
    return try global.withLock { try body(&$0) }
  }
}

/// Runs `body` with its own generator seeded with `seed` in place of the global one, for this
/// task and the tasks it starts: a reproducible run that other threads drawing from the global
/// generator (or setting its seed) cannot disturb, as concurrent tests need.
public func withRandomSeed<R>(_ seed: UInt64, _ body: () throws -> R) rethrows -> R {
  try RandomGenerator.$scoped.withValue(RandomGenerator.Scoped(RandomGenerator(seed: seed))) { try body() }
}

extension Tensor {
  /// Uniform samples in `[min, max)`; from the global generator unless `seed` is given.
  public static func randomUniform(_ shape: [Int], min: Float = 0, max: Float = 1, seed: UInt64? = nil) -> Tensor {
    withGenerator(seed: seed) { randomUniform(shape, min: min, max: max, using: &$0) }
  }

  /// Uniform samples in `[min, max)` from `generator`.
  public static func randomUniform(_ shape: [Int], min: Float = 0, max: Float = 1, using generator: inout RandomGenerator)
    -> Tensor
  {
    Tensor(shape: shape) { out in
      if let base = out.baseAddress { generator.fillUniform(base, count: out.count, min: min, max: max) }
    }
  }

  /// Normal samples; from the global generator unless `seed` is given.
  public static func randomNormal(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, seed: UInt64? = nil)
    -> Tensor
  {
    withGenerator(seed: seed) { randomNormal(shape, mean: mean, standardDeviation: standardDeviation, using: &$0) }
  }

  /// Normal samples from `generator`.
  public static func randomNormal(
    _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using generator: inout RandomGenerator
  ) -> Tensor {
    Tensor(shape: shape) { out in
      for i in 0..<out.count { out[i] = mean + standardDeviation * generator.nextNormal() }
    }
  }

  /// Normal samples redrawn until within two standard deviations of the mean, as
  /// `keras.random.truncated_normal`; from the global generator unless `seed` is given.
  public static func truncatedNormal(
    _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, seed: UInt64? = nil
  ) -> Tensor {
    withGenerator(seed: seed) { truncatedNormal(shape, mean: mean, standardDeviation: standardDeviation, using: &$0) }
  }

  /// Truncated normal samples from `generator`.
  public static func truncatedNormal(
    _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using generator: inout RandomGenerator
  ) -> Tensor {
    Tensor(shape: shape) { out in
      for i in 0..<out.count {
        var z = generator.nextNormal()
        while Swift.abs(z) > 2 { z = generator.nextNormal() }
        out[i] = mean + standardDeviation * z
      }
    }
  }
}

extension RandomGenerator {
  /// The integers `0..<count` in an order drawn from this generator (Fisher–Yates),
  /// the same on every platform and Swift version.
  public mutating func permutation(_ count: Int) -> [Int] {
    var order = Array(0..<count)
    if count < 2 { return order }
    for i in stride(from: count - 1, to: 0, by: -1) {
      order.swapAt(i, Int(next() % UInt64(i + 1)))
    }
    return order
  }
}
