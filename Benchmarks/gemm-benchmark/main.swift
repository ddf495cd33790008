// GEMM micro-benchmark: GFLOP/s of TensorCore's `matmul` next to the raw
// `dnnl_sgemm` call on the same shapes, on 1 and 2 threads; then, on a CPU with AVX-512, the
// recurrent kernel's per-step product (small_gemm.h, B packed once) next to `dnnl_sgemm` on
// the step shapes of the benchmark workloads, one thread. Run in release:
//   swift run -c release gemm-benchmark [--seconds S]
// With `--bfloat16` [--one-thread], only the bfloat16 products of the `large` workload instead:
// sgemm, GEMM.gemm(precision: .bfloat16) and oneDNN's own bf16 matmul on pre-converted operands.
import CDNNL
import Foundation
import TensorCore

struct Case {
  let name: String
  let m: Int
  let k: Int
  let n: Int
}

let cases = [
  Case(name: "512²", m: 512, k: 512, n: 512),
  Case(name: "1024²", m: 1024, k: 1024, n: 1024),
  Case(name: "LSTM step", m: 32, k: 612, n: 2048),
]

let secondsPerTrial: Double = {
  let arguments = CommandLine.arguments
  guard let i = arguments.firstIndex(of: "--seconds"), i + 1 < arguments.count, let s = Double(arguments[i + 1]) else {
    return 0.4
  }
  return s
}()

func now() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// GFLOP/s of `trials` trials, each repeating `body` for `secondsPerTrial`, after `warmUps` calls.
func trialRates(flops: Double, trials: Int, warmUps: Int, _ body: () -> Void) -> [Double] {
  for _ in 0..<warmUps { body() }
  var rates: [Double] = []
  for _ in 0..<trials {
    var iterations = 0
    let start = now()
    var elapsed = 0.0
    repeat {
      body()
      iterations += 1
      elapsed = now() - start
    } while elapsed < secondsPerTrial
    rates.append(flops * Double(iterations) / elapsed / 1e9)
  }
  return rates
}

/// The median over 5 trials of GFLOP/s, each trial repeating `body` for `secondsPerTrial`.
@MainActor
func measure(flops: Double, _ body: () -> Void) -> Double {
  trialRates(flops: flops, trials: 5, warmUps: 3, body).sorted()[2]
}

/// `--bfloat16`: only the bfloat16 table (at the end).
let bfloat16Only = CommandLine.arguments.contains("--bfloat16") || CommandLine.arguments.contains("--recurrent")

if !bfloat16Only {
  print("GEMM benchmark: oneDNN dnnl_sgemm vs TensorCore matmul (GFLOP/s, median of 5)")
  print("shape                 threads   raw sgemm   Tensor.matmul   ratio")
}
for c in cases where !bfloat16Only {
  let a = Tensor.randomUniform([c.m, c.k], min: -1, max: 1, seed: 1)
  let b = Tensor.randomUniform([c.k, c.n], min: -1, max: 1, seed: 2)
  let flops = 2.0 * Double(c.m) * Double(c.k) * Double(c.n)
  var out = [Float](repeating: 0, count: c.m * c.n)
  for threads in [1, 2] {
    GEMM.setThreadCount(threads)
    let raw = a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        out.withUnsafeMutableBufferPointer { pc in
          measure(flops: flops) {
            _ = dnnl_sgemm(
              78, 78, Int64(c.m), Int64(c.n), Int64(c.k), 1, pa.baseAddress, Int64(c.k), pb.baseAddress, Int64(c.n), 0,
              pc.baseAddress, Int64(c.n))
          }
        }
      }
    }
    var sink: Float = 0
    let ours = measure(flops: flops) { sink += try! a.matmul(b).withUnsafeBufferPointer { $0[0] } }
    let label = "\(c.name) (\(c.m)x\(c.k)x\(c.n))".padding(toLength: 22, withPad: " ", startingAt: 0)
    print(
      label, String(threads).padding(toLength: 9, withPad: " ", startingAt: 0),
      String(format: "%9.1f   %13.1f   %5.1f%%", raw, ours, 100 * ours / raw), sink.isNaN ? "" : "")
  }
}

/// The per-step shapes of the workloads (rows of one batch part × `k` × columns), `C += A·B`.
let stepCases = [
  Case(name: "LSTM(50) step", m: 16, k: 50, n: 200),
  Case(name: "LSTM(50) back", m: 16, k: 200, n: 50),
  Case(name: "RNN(32) step", m: 16, k: 32, n: 32),
  Case(name: "LSTM(512) step", m: 64, k: 512, n: 2048),
  Case(name: "LSTM(512) back", m: 64, k: 2048, n: 512),
]

if skgate_cpu_has_avx512() != 0 && !bfloat16Only {
  print(
    "\nRecurrent step products, one thread: dnnl_sgemm vs the AVX-512 step GEMM with B packed (GFLOP/s, median of 5)")
  print("shape                         dnnl_sgemm   step GEMM   ratio")
  GEMM.setThreadCount(1)
  for c in stepCases {
    let a = Tensor.randomUniform([c.m, c.k], min: -1, max: 1, seed: 1)
    let b = Tensor.randomUniform([c.k, c.n], min: -1, max: 1, seed: 2)
    let flops = 2.0 * Double(c.m) * Double(c.k) * Double(c.n)
    var out = [Float](repeating: 0, count: c.m * c.n)
    var packed = [Float](repeating: 0, count: skgemm512_packed_count(c.k, c.n))
    let (raw, step) = a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        packed.withUnsafeMutableBufferPointer { pp in
          skgemm512_pack(c.k, c.n, pb.baseAddress, c.n, pp.baseAddress)
          return out.withUnsafeMutableBufferPointer { pc in
            let raw = measure(flops: flops) {
              _ = dnnl_sgemm(
                78, 78, Int64(c.m), Int64(c.n), Int64(c.k), 1, pa.baseAddress, Int64(c.k), pb.baseAddress, Int64(c.n),
                1, pc.baseAddress, Int64(c.n))
            }
            let step = measure(flops: flops) {
              skgemm512_packed(c.m, c.n, 1, c.k, pa.baseAddress, c.k, pp.baseAddress, pc.baseAddress, c.n)
            }
            return (raw, step)
          }
        }
      }
    }
    let label = "\(c.name) (\(c.m)x\(c.k)x\(c.n))".padding(toLength: 30, withPad: " ", startingAt: 0)
    print(label, String(format: "%10.1f   %9.1f   %5.1f%%", raw, step, 100 * step / raw))
  }
}

// MARK: bfloat16

/// The shapes of the `large` workload (LSTM(512), batch 128, 100 steps, 128 features; gates
/// 4·512 = 2048 columns) and a big square one, as `C = op(A)·B` (`transposeA` for the weight gradients).
struct ProductCase {
  let name: String
  let m: Int, k: Int, n: Int
  let transposeA: Bool
}

let bfloat16Cases = [
  ProductCase(name: "input x·W", m: 12800, k: 128, n: 2048, transposeA: false),
  ProductCase(name: "step h·U", m: 128, k: 512, n: 2048, transposeA: false),
  ProductCase(name: "back dG·Uᵀ", m: 128, k: 2048, n: 512, transposeA: false),
  ProductCase(name: "back dx = dG·Wᵀ", m: 12800, k: 2048, n: 128, transposeA: false),
  ProductCase(name: "back dW = xᵀ·dG", m: 128, k: 12800, n: 2048, transposeA: true),
  ProductCase(name: "back dU = hᵀ·dG", m: 512, k: 12800, n: 2048, transposeA: true),
  ProductCase(name: "square 2048³", m: 2048, k: 2048, n: 2048, transposeA: false),
]

/// The best over `trials` trials of GFLOP/s, each trial repeating `body` for `secondsPerTrial`
/// (one warm-up call first, which also makes the plans).
func best(flops: Double, trials: Int = 5, _ body: () -> Void) -> Double {
  trialRates(flops: flops, trials: trials, warmUps: 1, body).max()!
}

if CommandLine.arguments.contains("--bfloat16") {
  let threads = CommandLine.arguments.contains("--one-thread") ? 1 : 2
  GEMM.setThreadCount(threads)
  print(
    "\nbfloat16 products, \(threads) thread(s), GFLOP/s (best of 5): sgemm; GEMM.gemm(.bfloat16) with its float32 → bfloat16"
      + " conversions; oneDNN's bf16 matmul on operands already bf16 (B dense, and B in oneDNN's own layout)")
  print("native bf16: \(BFloat16.hardwareSupported)")
  print("shape                                 sgemm   gemm bf16   oneDNN bf16   oneDNN bf16 packed B   implementation")
  for c in bfloat16Cases {
    let a = Tensor.randomUniform(c.transposeA ? [c.k, c.m] : [c.m, c.k], min: -1, max: 1, seed: 1)
    let b = Tensor.randomUniform([c.k, c.n], min: -1, max: 1, seed: 2)
    let flops = 2.0 * Double(c.m) * Double(c.k) * Double(c.n)
    var out = [Float](repeating: 0, count: c.m * c.n)
    let lda = c.transposeA ? c.m : c.k
    let native: Int32 = BFloat16.hardwareSupported ? 1 : 0
    var a16 = [UInt16](repeating: 0, count: c.m * c.k)
    var b16 = [UInt16](repeating: 0, count: c.k * c.n)
    a.withUnsafeBufferPointer { skbf16_convert_rows($0.baseAddress, c.k * c.m, 1, c.k * c.m, &a16, native) }
    b.withUnsafeBufferPointer { skbf16_convert_rows($0.baseAddress, c.k * c.n, 1, c.k * c.n, &b16, native) }
    var dense = skmm_shape(
      m: c.m, n: c.n, k: c.k, ldc: c.n, transpose_a: c.transposeA ? 1 : 0, transpose_b: 0, alpha: 1, beta: 0,
      packed_weights: 0)
    var packedShape = dense
    packedShape.packed_weights = 1
    let densePlan = skmm_create(&dense)!
    let packedPlan = skmm_create(&packedShape)!
    defer {
      skmm_destroy(densePlan)
      skmm_destroy(packedPlan)
    }
    var packedB = [UInt8](repeating: 0, count: packedPlan.pointee.weights_bytes)
    _ = b.withUnsafeBufferPointer { skmm_pack_weights(packedPlan, $0.baseAddress, c.n, &packedB) }
    var scratch = [UInt8](
      repeating: 0, count: max(densePlan.pointee.scratchpad_bytes, packedPlan.pointee.scratchpad_bytes))
    let rates = a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        out.withUnsafeMutableBufferPointer { pc in
          let sgemm = best(flops: flops) {
            GEMM.sgemm(
              transposeA: c.transposeA, transposeB: false, m: c.m, n: c.n, k: c.k, a: pa.baseAddress!, lda: lda,
              b: pb.baseAddress!, ldb: c.n, c: pc.baseAddress!, ldc: c.n)
          }
          let ours = best(flops: flops) {
            GEMM.gemm(
              precision: .bfloat16, transposeA: c.transposeA, transposeB: false, m: c.m, n: c.n, k: c.k,
              a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: c.n, c: pc.baseAddress!, ldc: c.n)
          }
          let onednn = best(flops: flops) { _ = skmm_execute(densePlan, a16, b16, pc.baseAddress, &scratch) }
          let packed = best(flops: flops) { _ = skmm_execute(packedPlan, a16, packedB, pc.baseAddress, &scratch) }
          return (sgemm, ours, onednn, packed)
        }
      }
    }
    let label = "\(c.name) (\(c.m)x\(c.k)x\(c.n))".padding(toLength: 36, withPad: " ", startingAt: 0)
    print(
      label,
      String(format: "%6.1f   %9.1f   %11.1f   %20.1f   ", rates.0, rates.1, rates.2, rates.3)
        + String(cString: skmm_implementation(densePlan)))
  }
}

// MARK: recurrent sequence

/// `--recurrent`: the `large` workload's LSTM(512) (batch 128, 100 steps, 128 features) forward
/// and backward through `recurrentSequence`, float32 and bfloat16 interleaved; milliseconds per
/// batch, best of `--trials` (default 5).
if CommandLine.arguments.contains("--recurrent") {
  let arguments = CommandLine.arguments
  let trials = arguments.firstIndex(of: "--trials").flatMap { Int(arguments[$0 + 1]) } ?? 5
  let (batch, steps, features, units) = (128, 100, 128, 512)
  let cell = RecurrentCell.lstm(units: units)
  let x = Tensor.randomUniform([batch, steps, features], min: -1, max: 1, seed: 1)
  let w = Tensor.randomUniform([features, 4 * units], min: -0.1, max: 0.1, seed: 2)
  let u = Tensor.randomUniform([units, 4 * units], min: -0.05, max: 0.05, seed: 3)
  let b = Tensor.zeros([4 * units])
  let head = Tensor.randomUniform([batch, units], min: -1, max: 1, seed: 4)
  func trainingStep(_ precision: MatMulPrecision) -> Double {
    let start = now()
    let (_, gradients) = try! valueWithGradient(at: [w, u, b]) { p in
      let (output, _) = try recurrentSequence(
        x, cell: cell, kernel: p[0], recurrentKernel: p[1], bias: p[2], precision: precision)
      return try (output * head).sum()
    }
    precondition(gradients.count == 3)
    return (now() - start) * 1000
  }
  func predict(_ precision: MatMulPrecision) -> Double {
    let start = now()
    _ = try! recurrentSequence(x, cell: cell, kernel: w, recurrentKernel: u, bias: b, precision: precision)
    return (now() - start) * 1000
  }
  _ = (trainingStep(.float32), trainingStep(.bfloat16), predict(.float32), predict(.bfloat16))  // warm up
  var times: [String: [Double]] = [:]
  for _ in 0..<trials {
    times["train float32", default: []].append(trainingStep(.float32))
    times["train bfloat16", default: []].append(trainingStep(.bfloat16))
    times["predict float32", default: []].append(predict(.float32))
    times["predict bfloat16", default: []].append(predict(.bfloat16))
  }
  print(
    "\nLSTM(512) batch 128 × 100 steps × 128 features, \(GEMM.threadCount) threads, ms (best / median of \(trials), interleaved)"
  )
  for name in ["train float32", "train bfloat16", "predict float32", "predict bfloat16"] {
    let sorted = times[name]!.sorted()
    print(
      name.padding(toLength: 18, withPad: " ", startingAt: 0),
      String(format: "%8.1f   %8.1f", sorted[0], sorted[sorted.count / 2]))
  }
  let ratio = times["train float32"]!.min()! / times["train bfloat16"]!.min()!
  let predictRatio = times["predict float32"]!.min()! / times["predict bfloat16"]!.min()!
  print(String(format: "float32 / bfloat16: train %.2fx, predict %.2fx", ratio, predictRatio))
}
