#if canImport(Glibc)
  import Glibc
#endif

/// How a weight's first values are drawn, with Keras' names and exact definitions
/// (`keras.initializers`).
///
/// ```swift
/// Dense(64, kernelInitializer: .heNormal(), biasInitializer: .constant(0.1))
/// let initializer = try Initializer(named: "glorot_uniform")
/// ```
/// Random initializers draw from the global generator (see `setRandomSeed(_:)`)
/// unless given a `seed`.
public struct Initializer: Sendable, Equatable {
  /// The scaling modes and distributions of `VarianceScaling`.
  public enum Mode: String, Sendable {
    /// Scale by the number of inputs (`"fan_in"`: He and LeCun initializers).
    case fanIn = "fan_in"
    /// Scale by the number of outputs (`"fan_out"`).
    case fanOut = "fan_out"
    /// Scale by the mean of inputs and outputs (`"fan_avg"`: Glorot initializers).
    case fanAvg = "fan_avg"
  }
  /// The distribution a variance-scaling initializer samples.
  public enum Distribution: String, Sendable {
    /// A normal redrawn outside two standard deviations (`"truncated_normal"`, Keras' default).
    case truncatedNormal = "truncated_normal"
    /// A plain normal (`"untruncated_normal"`).
    case untruncatedNormal = "untruncated_normal"
    /// A uniform over `±sqrt(3 · scale / n)` (`"uniform"`).
    case uniform
  }

  enum Kind: Equatable, Sendable {
    case zeros, ones
    case constant(Float)
    case randomUniform(min: Float, max: Float)
    case randomNormal(mean: Float, standardDeviation: Float)
    case truncatedNormal(mean: Float, standardDeviation: Float)
    case varianceScaling(scale: Float, mode: Mode, distribution: Distribution)
    case orthogonal(gain: Float)
    case identity(gain: Float)
  }

  let kind: Kind
  /// The Keras class name written in configs (`GlorotUniform`, `Zeros`, ...).
  public let className: String
  /// The seed, or nil to draw from the global generator.
  public var seed: UInt64?

  /// All zeros.
  public static let zeros = Initializer(kind: .zeros, className: "Zeros")
  /// All ones.
  public static let ones = Initializer(kind: .ones, className: "Ones")
  /// Every element `value`.
  public static func constant(_ value: Float) -> Initializer { Initializer(kind: .constant(value), className: "Constant") }
  /// Uniform in `[minval, maxval)` (Keras defaults -0.05, 0.05).
  public static func randomUniform(minval: Float = -0.05, maxval: Float = 0.05, seed: UInt64? = nil) -> Initializer {
    Initializer(kind: .randomUniform(min: minval, max: maxval), className: "RandomUniform", seed: seed)
  }
  /// Normal with `mean` and `stddev` (Keras defaults 0, 0.05).
  public static func randomNormal(mean: Float = 0, stddev: Float = 0.05, seed: UInt64? = nil) -> Initializer {
    Initializer(kind: .randomNormal(mean: mean, standardDeviation: stddev), className: "RandomNormal", seed: seed)
  }
  /// Normal redrawn outside two standard deviations (Keras defaults 0, 0.05).
  public static func truncatedNormal(mean: Float = 0, stddev: Float = 0.05, seed: UInt64? = nil) -> Initializer {
    Initializer(kind: .truncatedNormal(mean: mean, standardDeviation: stddev), className: "TruncatedNormal", seed: seed)
  }
  /// Keras' `VarianceScaling`: variance `scale / n` with `n` the fan in, out or average.
  public static func varianceScaling(
    scale: Float = 1, mode: Mode = .fanIn, distribution: Distribution = .truncatedNormal, seed: UInt64? = nil
  ) -> Initializer {
    Initializer(
      kind: .varianceScaling(scale: scale, mode: mode, distribution: distribution), className: "VarianceScaling", seed: seed)
  }
  /// Uniform in `±sqrt(6 / (fan_in + fan_out))`: Keras' default kernel initializer.
  public static func glorotUniform(seed: UInt64? = nil) -> Initializer {
    Initializer(kind: .varianceScaling(scale: 1, mode: .fanAvg, distribution: .uniform), className: "GlorotUniform", seed: seed)
  }
  /// Truncated normal with variance `2 / (fan_in + fan_out)`.
  public static func glorotNormal(seed: UInt64? = nil) -> Initializer {
    Initializer(
      kind: .varianceScaling(scale: 1, mode: .fanAvg, distribution: .truncatedNormal), className: "GlorotNormal", seed: seed)
  }
  /// Uniform in `±sqrt(6 / fan_in)`.
  public static func heUniform(seed: UInt64? = nil) -> Initializer {
    Initializer(kind: .varianceScaling(scale: 2, mode: .fanIn, distribution: .uniform), className: "HeUniform", seed: seed)
  }
  /// Truncated normal with variance `2 / fan_in`.
  public static func heNormal(seed: UInt64? = nil) -> Initializer {
    Initializer(kind: .varianceScaling(scale: 2, mode: .fanIn, distribution: .truncatedNormal), className: "HeNormal", seed: seed)
  }
  /// Uniform in `±sqrt(3 / fan_in)`.
  public static func lecunUniform(seed: UInt64? = nil) -> Initializer {
    Initializer(kind: .varianceScaling(scale: 1, mode: .fanIn, distribution: .uniform), className: "LecunUniform", seed: seed)
  }
  /// Truncated normal with variance `1 / fan_in`.
  public static func lecunNormal(seed: UInt64? = nil) -> Initializer {
    Initializer(
      kind: .varianceScaling(scale: 1, mode: .fanIn, distribution: .truncatedNormal), className: "LecunNormal", seed: seed)
  }
  /// A (semi-)orthogonal matrix from the QR decomposition of a normal sample, times `gain`:
  /// Keras' default recurrent-kernel initializer.
  public static func orthogonal(gain: Float = 1, seed: UInt64? = nil) -> Initializer {
    Initializer(kind: .orthogonal(gain: gain), className: "Orthogonal", seed: seed)
  }
  /// The identity matrix times `gain` (2-D shapes only).
  public static func identity(gain: Float = 1) -> Initializer { Initializer(kind: .identity(gain: gain), className: "Identity") }

  /// The Keras names `Initializer(named:)` accepts.
  public static let names = [
    "zeros", "ones", "constant", "random_uniform", "random_normal", "truncated_normal", "variance_scaling",
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal", "orthogonal",
    "identity",
  ]

  /// The initializer with Keras name `name` (snake_case as in `kernel_initializer="he_normal"`,
  /// or the class name `"HeNormal"`), with Keras' default arguments.
  ///
  /// - Throws: ``KerasError/unknownName(kind:name:valid:)`` listing the valid names.
  public init(named name: String) throws {
    switch LayerNames.snakeCase(name) {
    case "zeros", "zero": self = .zeros
    case "ones", "one": self = .ones
    case "constant": self = .constant(0)
    case "random_uniform", "uniform": self = .randomUniform()
    case "random_normal", "normal": self = .randomNormal()
    case "truncated_normal": self = .truncatedNormal()
    case "variance_scaling": self = .varianceScaling()
    case "glorot_uniform": self = .glorotUniform()
    case "glorot_normal": self = .glorotNormal()
    case "he_uniform": self = .heUniform()
    case "he_normal": self = .heNormal()
    case "lecun_uniform": self = .lecunUniform()
    case "lecun_normal": self = .lecunNormal()
    case "orthogonal": self = .orthogonal()
    case "identity": self = .identity()
    default: throw KerasError.unknownName(kind: "initializer", name: name, valid: Initializer.names)
    }
  }

  init(kind: Kind, className: String, seed: UInt64? = nil) {
    self.kind = kind
    self.className = className
    self.seed = seed
  }

  /// Keras' `compute_fans`: fan in and out of a weight shape (kernels of rank > 2 are convolutions).
  static func fans(_ shape: [Int]) -> (fanIn: Float, fanOut: Float) {
    switch shape.count {
    case 0: return (1, 1)
    case 1: return (Float(shape[0]), Float(shape[0]))
    case 2: return (Float(shape[0]), Float(shape[1]))
    default:
      let receptive = Float(shape.dropLast(2).reduce(1, *))
      return (Float(shape[shape.count - 2]) * receptive, Float(shape[shape.count - 1]) * receptive)
    }
  }

  /// A new tensor of `shape` drawn by this initializer.
  ///
  /// - Throws: when the shape does not suit the initializer (orthogonal and identity need rank 2 or more).
  public func callAsFunction(_ shape: [Int]) throws -> Tensor {
    switch kind {
    case .zeros: return .zeros(shape)
    case .ones: return .ones(shape)
    case .constant(let value): return .full(shape, value)
    case .randomUniform(let min, let max): return .randomUniform(shape, min: min, max: max, seed: seed)
    case .randomNormal(let mean, let sd): return .randomNormal(shape, mean: mean, standardDeviation: sd, seed: seed)
    case .truncatedNormal(let mean, let sd): return .truncatedNormal(shape, mean: mean, standardDeviation: sd, seed: seed)
    case .varianceScaling(let scale, let mode, let distribution):
      let (fanIn, fanOut) = Initializer.fans(shape)
      let n: Float
      switch mode {
      case .fanIn: n = Swift.max(1, fanIn)
      case .fanOut: n = Swift.max(1, fanOut)
      case .fanAvg: n = Swift.max(1, (fanIn + fanOut) / 2)
      }
      let variance = scale / n
      switch distribution {
      case .truncatedNormal:
        // 0.879... is the standard deviation of a standard normal truncated to (-2, 2).
        return .truncatedNormal(shape, standardDeviation: variance.squareRoot() / 0.87962566103423978, seed: seed)
      case .untruncatedNormal:
        return .randomNormal(shape, standardDeviation: variance.squareRoot(), seed: seed)
      case .uniform:
        let limit = (3 * variance).squareRoot()
        return .randomUniform(shape, min: -limit, max: limit, seed: seed)
      }
    case .orthogonal(let gain):
      guard shape.count >= 2 else {
        throw KerasError.invalidArgument("Orthogonal initializer: the shape must be at least 2-D, got \(shape)")
      }
      let rows = shape.dropLast().reduce(1, *)
      let columns = shape[shape.count - 1]
      let sample = Tensor.randomNormal([Swift.max(rows, columns), Swift.min(rows, columns)], seed: seed)
      var q = Initializer.orthonormalColumns(sample)
      if rows < columns { q = q.transposed() }
      return try (q * gain).reshaped(to: shape)
    case .identity(let gain):
      guard shape.count == 2 else {
        throw KerasError.invalidArgument("Identity initializer: the shape must be 2-D, got \(shape)")
      }
      var t = Tensor.zeros(shape)
      t.withUnsafeMutableBufferPointer { for i in 0..<Swift.min(shape[0], shape[1]) { $0[i * shape[1] + i] = gain } }
      return t
    }
  }

  /// A kernel of `shape` drawn as Keras' `EinsumDense` draws it: a variance-scaling initializer
  /// counts its fans over the kernel's input axes (the first `inputAxes`) and output axes (the
  /// rest), as a `Dense` kernel `[fanIn, fanOut]` (`compute_fans` with `input_axes` and
  /// `output_axes`), not as a convolution's receptive field; other initializers draw `shape` as is.
  func einsumKernel(_ shape: [Int], inputAxes: Int) throws -> Tensor {
    guard case .varianceScaling = kind, shape.count > 2 else { return try self(shape) }
    let (fanIn, fanOut) = (shape.prefix(inputAxes).reduce(1, *), shape.dropFirst(inputAxes).reduce(1, *))
    return try self([fanIn, fanOut]).reshaped(to: shape)
  }

  /// Q of the QR decomposition of a tall matrix `a` `[m, n]` (m >= n), with column signs
  /// fixed so that R's diagonal is positive (as Keras' `q *= sign(diag(r))`); computed in
  /// Double by modified Gram–Schmidt.
  static func orthonormalColumns(_ a: Tensor) -> Tensor {
    let m = a.shape[0]
    let n = a.shape[1]
    let values = a.scalars
    var columns = (0..<n).map { j in (0..<m).map { Double(values[$0 * n + j]) } }
    for j in 0..<n {
      for k in 0..<j {
        var dot = 0.0
        for i in 0..<m { dot += columns[k][i] * columns[j][i] }
        for i in 0..<m { columns[j][i] -= dot * columns[k][i] }
      }
      var norm = 0.0
      for i in 0..<m { norm += columns[j][i] * columns[j][i] }
      norm = norm.squareRoot()
      for i in 0..<m { columns[j][i] = norm > 0 ? columns[j][i] / norm : 0 }
    }
    return Tensor(shape: [m, n]) { out in
      for i in 0..<m { for j in 0..<n { out[i * n + j] = Float(columns[j][i]) } }
    }
  }

  /// The Keras config of this initializer: `{"module": ..., "class_name": ..., "config": {...}}`.
  public var config: ConfigValue {
    var inner: [(String, ConfigValue)] = []
    let seedValue: ConfigValue = seed.map { .int(Int(truncatingIfNeeded: $0)) } ?? .null
    switch kind {
    case .zeros, .ones: break
    case .constant(let value): inner = [("value", .decimal(value))]
    case .randomUniform(let min, let max):
      inner = [("seed", seedValue), ("minval", .decimal(min)), ("maxval", .decimal(max))]
    case .randomNormal(let mean, let sd), .truncatedNormal(let mean, let sd):
      inner = [("seed", seedValue), ("mean", .decimal(mean)), ("stddev", .decimal(sd))]
    case .varianceScaling(let scale, let mode, let distribution):
      if className == "VarianceScaling" {
        inner = [
          ("seed", seedValue), ("scale", .decimal(scale)), ("mode", .string(mode.rawValue)),
          ("distribution", .string(distribution.rawValue)),
        ]
      } else {
        inner = [("seed", seedValue)]
      }
    case .orthogonal(let gain): inner = [("seed", seedValue), ("gain", .decimal(gain))]
    case .identity(let gain): inner = gain == 1 ? [] : [("gain", .decimal(gain))]  // Keras writes {} by default
    }
    return .object([
      ("module", "keras.initializers"), ("class_name", .string(className)), ("config", .object(inner)),
      ("registered_name", .null),
    ])
  }
}
