// GEMM micro-benchmark: GFLOP/s of TensorCore's `matmul` next to the raw
// `dnnl_sgemm` call on the same shapes, on 1 and 2 threads; then, on a CPU with AVX-512, the
// recurrent kernel's per-step product (small_gemm.h, B packed once) next to `dnnl_sgemm` on
// the step shapes of the benchmark workloads, one thread. Run in release:
//   swift run -c release gemm-benchmark [--seconds S]
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

/// The median over 5 trials of GFLOP/s, each trial repeating `body` for `secondsPerTrial`.
@MainActor
func measure(flops: Double, _ body: () -> Void) -> Double {
  for _ in 0..<3 { body() }  // warm up
  var rates: [Double] = []
  for _ in 0..<5 {
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
  return rates.sorted()[2]
}

print("GEMM benchmark: oneDNN dnnl_sgemm vs TensorCore matmul (GFLOP/s, median of 5)")
print("shape                 threads   raw sgemm   Tensor.matmul   ratio")
for c in cases {
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

if skgate_cpu_has_avx512() != 0 {
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
