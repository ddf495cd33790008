extension Initializer {
  /// The Keras class names ``init(config:)`` accepts.
  public static let classNames = [
    "Zeros", "Ones", "Constant", "RandomUniform", "RandomNormal", "TruncatedNormal", "VarianceScaling",
    "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal", "Identity",
  ]

  /// The initializer a Keras config describes: `{"module": "keras.initializers", "class_name":
  /// "RandomUniform", "config": {"minval": -0.1, ...}}` (Keras 3), the same without `module`
  /// (Keras 2), or a name such as `"glorot_uniform"`.
  ///
  /// Keras 2's spellings are read too: `VarianceScaling` with `distribution: "normal"` (a
  /// truncated normal) and the aliases `uniform`, `normal`, `zero`, `one`.
  ///
  /// - Throws: ``KerasError/unknownName(kind:name:valid:)`` for an initializer SwiftKeras does
  ///   not have; ``KerasError/invalidArgument(_:)`` naming the initializer and key for an
  ///   argument of the wrong type or one SwiftKeras cannot honour (e.g. `input_axes`).
  public init(config: ConfigValue) throws {
    if case .string(let name) = config {
      self = try Initializer(named: name)
      return
    }
    let wrapper = try ConfigReader(config, owner: "Initializer")
    let className = try wrapper.string("class_name")
    let reader = try ConfigReader(wrapper.present("config") ?? .object([]), owner: "Initializer '\(className)'")
    let axesReason = "fans over chosen axes are not supported"
    try reader.requireNull("input_axes", axesReason)
    try reader.requireNull("output_axes", axesReason)
    switch LayerNames.snakeCase(className) {
    case "zeros", "zero": self = .zeros
    case "ones", "one": self = .ones
    case "constant": self = .constant(try reader.float("value", default: 0))
    case "random_uniform", "uniform":
      self = .randomUniform(
        minval: try reader.float("minval", default: -0.05), maxval: try reader.float("maxval", default: 0.05),
        seed: try reader.seed("seed"))
    case "random_normal", "normal":
      self = .randomNormal(
        mean: try reader.float("mean", default: 0), stddev: try reader.float("stddev", default: 0.05),
        seed: try reader.seed("seed"))
    case "truncated_normal":
      self = .truncatedNormal(
        mean: try reader.float("mean", default: 0), stddev: try reader.float("stddev", default: 0.05),
        seed: try reader.seed("seed"))
    case "variance_scaling":
      self = .varianceScaling(
        scale: try reader.float("scale", default: 1), mode: try Initializer.mode(reader),
        distribution: try Initializer.distribution(reader), seed: try reader.seed("seed"))
    case "glorot_uniform": self = .glorotUniform(seed: try reader.seed("seed"))
    case "glorot_normal": self = .glorotNormal(seed: try reader.seed("seed"))
    case "he_uniform": self = .heUniform(seed: try reader.seed("seed"))
    case "he_normal": self = .heNormal(seed: try reader.seed("seed"))
    case "lecun_uniform": self = .lecunUniform(seed: try reader.seed("seed"))
    case "lecun_normal": self = .lecunNormal(seed: try reader.seed("seed"))
    case "orthogonal": self = .orthogonal(gain: try reader.float("gain", default: 1), seed: try reader.seed("seed"))
    case "identity": self = .identity(gain: try reader.float("gain", default: 1))
    default: throw KerasError.unknownName(kind: "initializer", name: className, valid: Initializer.classNames)
    }
    try reader.rejectUnreadKeys()
  }

  private static func mode(_ reader: ConfigReader) throws -> Mode {
    let name = try reader.string("mode", default: Mode.fanIn.rawValue)
    guard let mode = Mode(rawValue: name) else {
      throw reader.invalid("mode", expected: "one of fan_in, fan_out, fan_avg", got: .string(name))
    }
    return mode
  }

  private static func distribution(_ reader: ConfigReader) throws -> Distribution {
    let name = try reader.string("distribution", default: Distribution.truncatedNormal.rawValue)
    // Keras 2 called the truncated normal "normal".
    guard let distribution = name == "normal" ? .truncatedNormal : Distribution(rawValue: name) else {
      throw reader.invalid(
        "distribution", expected: "one of truncated_normal, untruncated_normal, uniform", got: .string(name))
    }
    return distribution
  }
}
