import Synchronization
import TensorCore

/// The dtypes a layer computes and keeps its weights in (`keras.DTypePolicy`).
///
/// Two policies compute here: `"float32"` (the default) and `"mixed_bfloat16"`, Keras' mixed
/// precision: weights stay float32 (the optimizer updates float32 master weights), a layer's
/// floating-point inputs, weights and outputs are rounded to bfloat16 and its matrix products
/// multiply bfloat16 operands, summing in float32. Tensors stay float32 in memory; a bfloat16
/// value is a float32 whose low 16 bits are zero. Losses and metrics compute in float32, and
/// normalization statistics too, as in Keras.
///
/// `"mixed_float16"` is refused when asked for (no float16 matrix instructions on CPUs, so no
/// speed), but a file whose layers carry it loads: those layers keep the policy's name and write
/// it back when saved, and compute in float32 (closer to Keras' float16 results than bfloat16,
/// which has 3 fewer bits of mantissa); a note says so once.
///
/// ```swift
/// let dense = Dense(8)
/// dense.dtypePolicy = try DTypePolicy("mixed_bfloat16")
/// ```
public struct DTypePolicy: Sendable, Hashable, CustomStringConvertible {
  /// The policy's Keras name: `"float32"`, `"mixed_bfloat16"` (or `"mixed_float16"` read from a file).
  public let name: String

  /// Float32 computation and weights, the default.
  public static let float32 = DTypePolicy(uncheckedName: "float32")
  /// bfloat16 computation, float32 weights (Keras' `"mixed_bfloat16"`).
  public static let mixedBFloat16 = DTypePolicy(uncheckedName: "mixed_bfloat16")

  /// The policy named `name`, as `keras.DTypePolicy(name)`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for any name but `"float32"` and
  ///   `"mixed_bfloat16"`, naming it: `"mixed_float16"` (no float16 arithmetic on CPUs; use
  ///   `"mixed_bfloat16"`), `"bfloat16"` and `"float16"` (weights are float32 here) and other dtypes.
  public init(_ name: String) throws {
    switch name {
    case "float32", "mixed_bfloat16": self.init(uncheckedName: name)
    case "mixed_float16":
      throw KerasError.invalidArgument(
        "DTypePolicy 'mixed_float16' is not supported: CPUs have no float16 matrix instructions, so it would "
          + "only be slower; use 'mixed_bfloat16' (float32 weights, bfloat16 products), the CPU's mixed precision")
    case "bfloat16", "float16":
      throw KerasError.invalidArgument(
        "DTypePolicy '\(name)' is not supported: SwiftKeras keeps weights in float32; use 'mixed_\(name)'"
          + (name == "float16" ? " (loadable) or rather 'mixed_bfloat16'" : ""))
    default:
      throw KerasError.unknownName(kind: "dtype policy", name: name, valid: ["float32", "mixed_bfloat16"])
    }
  }

  private init(uncheckedName name: String) { self.name = name }

  /// The dtype of the layer's inputs, outputs and computations, in Keras' words: `"float32"`,
  /// `"bfloat16"` (or `"float16"` for a loaded `"mixed_float16"` layer, which computes in float32).
  public var computeDType: String {
    switch name {
    case "mixed_bfloat16": return "bfloat16"
    case "mixed_float16": return "float16"
    default: return "float32"
    }
  }

  /// The dtype of the layer's weights: always `"float32"`.
  public var variableDType: String { "float32" }

  /// Whether the layer rounds its inputs, weights and outputs to bfloat16 (`"mixed_bfloat16"`).
  public var computesInBFloat16: Bool { name == "mixed_bfloat16" }

  /// The precision of the layer's matrix products: `.bfloat16` under `"mixed_bfloat16"`.
  public var matMulPrecision: MatMulPrecision { computesInBFloat16 ? .bfloat16 : .float32 }

  public var description: String { "<DTypePolicy \"\(name)\">" }

  /// Keras 3's serialization: `{"module": "keras", "class_name": "DTypePolicy", "config":
  /// {"name": ...}, "registered_name": null}`.
  public var config: ConfigValue {
    .object([
      ("module", "keras"), ("class_name", "DTypePolicy"), ("config", .object([("name", .string(name))])),
      ("registered_name", .null),
    ])
  }

  /// The policy of a layer config's `dtype`: Keras 3's `DTypePolicy` object, Keras 2's
  /// `{"class_name": "Policy", "config": {"name": ...}}` or a bare name (`"mixed_bfloat16"`).
  /// `"mixed_float16"` loads (computing in float32, with a note printed once).
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` saying why a policy cannot be honoured (the
  ///   config reader names the layer and the value).
  init(config value: ConfigValue) throws {
    var name = value.stringValue
    if case .object = value {
      let className = value["class_name"]?.stringValue
      if let className, !["DTypePolicy", "Policy", "FloatDTypePolicy"].contains(className) {
        throw KerasError.invalidArgument(
          "SwiftKeras reads the policies 'float32', 'mixed_bfloat16' and 'mixed_float16', not a '\(className)'")
      }
      name = value["config"]?["name"]?.stringValue
    }
    guard let name else {
      throw KerasError.invalidArgument("a dtype must be a policy name or a DTypePolicy config")
    }
    if name == "mixed_float16" {
      MixedPrecisionNotes.once(
        "mixed_float16",
        "Note: layers with DTypePolicy 'mixed_float16' compute in float32 in SwiftKeras (no float16 arithmetic on "
          + "CPUs); the policy is kept and saved back.")
      self.init(uncheckedName: name)
      return
    }
    try self.init(name)
  }
}

/// The policy layers get at construction (Keras' `keras.mixed_precision.dtype_policy()`):
/// `"float32"` unless ``setGlobalPolicy(_:)-(String)`` chose another, or inside
/// ``withGlobalPolicy(_:_:)``.
public var globalPolicy: DTypePolicy { GlobalPolicy.scoped ?? GlobalPolicy.storage.withLock { $0 } }

/// Sets the policy every layer constructed from now on takes
/// (`keras.mixed_precision.set_global_policy`); layers already made keep theirs.
///
/// `"mixed_bfloat16"` on a CPU without bfloat16 instructions (AVX512-BF16 or AMX) works, with
/// the same numbers, but gains nothing; a note says so once.
///
/// - Throws: ``KerasError/invalidArgument(_:)`` for a policy SwiftKeras does not compute in
///   (see ``DTypePolicy/init(_:)``), the global policy unchanged.
public func setGlobalPolicy(_ name: String) throws {
  setGlobalPolicy(try DTypePolicy(name))
}

/// Sets the policy every layer constructed from now on takes.
public func setGlobalPolicy(_ policy: DTypePolicy) {
  GlobalPolicy.noteMissingHardware(policy)
  GlobalPolicy.storage.withLock { $0 = policy }
}

/// Runs `body` with `policy` as the global policy of the current task only, then restores it:
/// the layers `body` constructs take `policy`; other threads and tasks do not see it.
public func withGlobalPolicy<Result>(_ policy: DTypePolicy, _ body: () throws -> Result) rethrows -> Result {
  GlobalPolicy.noteMissingHardware(policy)
  return try GlobalPolicy.$scoped.withValue(policy, operation: body)
}

private enum GlobalPolicy {
  static let storage = Mutex(DTypePolicy.float32)
  @TaskLocal static var scoped: DTypePolicy?

  static func noteMissingHardware(_ policy: DTypePolicy) {
    guard policy.computesInBFloat16, !BFloat16.hardwareSupported else { return }
    MixedPrecisionNotes.once(
      "hardware",
      "Note: this CPU has no bfloat16 matrix instructions (AVX512-BF16 or AMX): 'mixed_bfloat16' computes "
        + "the same numbers but no faster than float32.")
  }
}

/// Notes printed once per process to standard error.
enum MixedPrecisionNotes {
  private static let printed = Mutex(Set<String>())

  static func once(_ key: String, _ text: String) {
    let first = printed.withLock { $0.insert(key).inserted }
    if first { FileHandleOutput.standardError(text + "\n") }
  }
}
