import CDNNL
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// bfloat16 matrix products on oneDNN's matmul primitive (`Sources/CDNNL/matmul.h`): operands
/// converted from float32 to bfloat16 (nearest, ties to even), products accumulated in float32,
/// the result float32.
///
/// Making a primitive costs about a millisecond, so plans are kept per shape (a model has a
/// handful). A plan runs on any thread, several at once.
enum BFloat16Matmul {
  /// One plan's key (`skmm_shape`).
  struct Key: Hashable {
    let m: Int, n: Int, k: Int, ldc: Int
    let transposeA: Bool, transposeB: Bool
    let alpha: Float, beta: Float
    /// B in the primitive's own layout (``Plan/pack(_:ldb:)``) rather than dense bfloat16.
    let packedWeights: Bool
  }

  /// A oneDNN matmul primitive; freed with the last reference.
  final class Plan: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<skmm_plan>
    init(_ pointer: UnsafeMutablePointer<skmm_plan>) { self.pointer = pointer }
    deinit { skmm_destroy(pointer) }

    /// oneDNN's name for the implementation (`brg:avx512_core_bf16`, `gemm:jit`, ...).
    var implementation: String { String(cString: skmm_implementation(pointer)) }
    /// The bytes of one scratchpad (``run(a:b:c:scratchpad:)``).
    var scratchpadBytes: Int { pointer.pointee.scratchpad_bytes }
    /// The bytes of B in the primitive's layout.
    var weightsBytes: Int { pointer.pointee.weights_bytes }

    /// Whether `other` reads B in the same layout (one packed copy serves both).
    func readsWeights(like other: Plan) -> Bool { skmm_same_weights(pointer, other.pointer) != 0 }

    /// `C = alpha · op(A) · op(B) + beta · C` with `a` and `b` bfloat16 as the key describes them.
    /// `scratchpad` holds ``scratchpadBytes`` (nil: allocated per call).
    func run(
      a: UnsafeRawPointer, b: UnsafeRawPointer, c: UnsafeMutablePointer<Float>, scratchpad: UnsafeMutableRawPointer?
    ) {
      let status = skmm_execute(pointer, a, b, c, scratchpad)
      precondition(status == 0, "oneDNN bfloat16 matmul (\(implementation)) failed to run")
    }

    /// B (`[k, n]` float32, leading dimension `ldb`) in bfloat16 in this plan's layout, for a
    /// plan with `packedWeights`.
    func pack(_ b: UnsafePointer<Float>, ldb: Int) -> BFloat16Matrix {
      let packed = BFloat16Matrix(count: (weightsBytes + 1) / 2)
      let status = skmm_pack_weights(pointer, b, ldb, packed.raw)
      precondition(status == 0, "oneDNN could not reorder a weight matrix to bfloat16 (\(implementation))")
      return packed
    }
  }

  /// The plans made so far; nil where oneDNN has none for the key.
  private static let plans = Mutex([Key: Plan?]())

  /// The plan for `key`, made on first use; nil when oneDNN has none.
  static func plan(_ key: Key) -> Plan? {
    if let known = plans.withLock({ $0[key] }) { return known }
    var shape = skmm_shape(
      m: key.m, n: key.n, k: key.k, ldc: key.ldc, transpose_a: key.transposeA ? 1 : 0,
      transpose_b: key.transposeB ? 1 : 0, alpha: key.alpha, beta: key.beta, packed_weights: key.packedWeights ? 1 : 0)
    let plan = skmm_create(&shape).map(Plan.init)
    plans.withLock { plans in
      if plans.count >= 256 { plans.removeAll() }  // shapes that keep changing: start over
      plans[key] = plan
    }
    return plan
  }

  /// Whether `.bfloat16` products run on oneDNN's bfloat16 primitive: where the CPU multiplies
  /// bfloat16 natively (``BFloat16/hardwareSupported``), unless `SWIFTKERAS_BFLOAT16=reference`
  /// asks for the path of CPUs without it (bfloat16-rounded float32 copies, float32 products),
  /// so that it can be tested here.
  static let multipliesNatively: Bool = {
    let forced = getenv("SWIFTKERAS_BFLOAT16").map { String(cString: $0) } == "reference"
    return BFloat16.hardwareSupported && !forced
  }()

  /// Whether conversions use AVX512-BF16's `vcvtneps2bf16` (the CPUs where oneDNN multiplies
  /// bfloat16 natively have it).
  static let convertsNatively = BFloat16.hardwareSupported

  /// The `rows × columns` float32 matrix at `source` (leading dimension `ld`) as dense bfloat16,
  /// split by rows over the GEMM threads when it is large (one thread inside a parallel part).
  static func convert(_ source: UnsafePointer<Float>, ld: Int, rows: Int, columns: Int) -> BFloat16Matrix {
    let target = BFloat16Matrix(count: rows * columns)
    convert(source, ld: ld, rows: rows, columns: columns, into: target.pointer)
    return target
  }

  /// ``convert(_:ld:rows:columns:)`` into `target` (`rows · columns` values).
  static func convert(
    _ source: UnsafePointer<Float>, ld: Int, rows: Int, columns: Int, into target: UnsafeMutablePointer<UInt16>
  ) {
    let native: Int32 = convertsNatively ? 1 : 0
    let parts = rows * columns >= 1 << 16 ? ParallelParts.count(rows: rows, minimumRows: 1) : 1
    guard parts > 1 else {
      skbf16_convert_rows(source, ld, rows, columns, target, native)
      return
    }
    let shared = RecurrentKernel.PartShared((source, target))
    ParallelParts.run(parts: parts) { part in
      let (source, target) = shared.value
      let range = (part * rows / parts)..<((part + 1) * rows / parts)
      skbf16_convert_rows(
        source + range.lowerBound * ld, ld, range.count, columns, target + range.lowerBound * columns, native)
    }
  }
}

extension BFloat16Matmul {
  /// `count` bfloat16 values widened to float32 (exact), split between the threads when many.
  static func expand(_ source: UnsafePointer<UInt16>, into target: UnsafeMutablePointer<Float>, count: Int) {
    let parts = count >= 1 << 16 ? ParallelParts.count(rows: count, minimumRows: 1 << 15) : 1
    let shared = RecurrentKernel.PartShared((source, target))
    ParallelParts.run(parts: parts) { part in
      let (source, target) = shared.value
      let start = count * part / parts
      skbf16_expand(source + start, target + start, count * (part + 1) / parts - start)
    }
  }
}

/// A bfloat16 matrix (16-bit values), in TensorCore's pooled buffers.
struct BFloat16Matrix: @unchecked Sendable {
  /// The float32 buffer the values live in, two to a float.
  let storage: ScratchBuffer

  init(count: Int) { storage = ScratchBuffer(count: Swift.max(1, (count + 1) / 2)) }

  var raw: UnsafeMutableRawPointer { UnsafeMutableRawPointer(storage.pointer) }
  var pointer: UnsafeMutablePointer<UInt16> { raw.assumingMemoryBound(to: UInt16.self) }
}
