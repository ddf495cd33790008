#if canImport(Glibc)
  import Glibc
#endif

extension Tensor {
  /// Layer normalization over the last axis, fused: per row of `C` features
  /// `gamma · (x - mean) / sqrt(variance + epsilon) + beta` (population variance), computed in
  /// TensorFlow's order (`x · inv + (beta - mean · inv)` with `inv = gamma / sqrt(variance + epsilon)`).
  ///
  /// One pass over a row for its mean, one for its variance and one for the output; the backward
  /// pass takes two more (the row's two sums, then the input's gradient) and sums the gradients of
  /// `gamma` and `beta` over the rows. Rows are split between the threads. The result is
  /// differentiable with respect to `self`, `gamma` and `beta`.
  ///
  /// - Parameters:
  ///   - gamma: The scale `[C]`, or nil for 1.
  ///   - beta: The offset `[C]`, or nil for 0.
  ///   - epsilon: Added to the variance before the square root.
  /// - Throws: ``TensorError/incompatibleShapes(operation:_:_:)`` when `gamma` or `beta` is not
  ///   `[C]` for the last axis' size `C`, or `self` is a scalar.
  public func layerNormalized(gamma: Tensor?, beta: Tensor?, epsilon: Float) throws -> Tensor {
    guard rank >= 1 else { throw TensorError.incompatibleShapes(operation: "layerNormalized", shape, []) }
    let features = shape[rank - 1]
    for parameter in [gamma, beta].compactMap({ $0 }) where parameter.shape != [features] {
      throw TensorError.incompatibleShapes(operation: "layerNormalized", shape, parameter.shape)
    }
    let rows = features == 0 ? 0 : count / features
    // The mean and 1 / sqrt(variance + epsilon) of every row, for the backward pass.
    var statistics = Tensor.zeros([rows, 2])
    let output = statistics.withUnsafeMutableBufferPointer { st in
      Tensor(shape: shape) { y in
        withUnsafeBufferPointer { x in
          Tensor.withOptionalPointer(gamma) { g in
            Tensor.withOptionalPointer(beta) { b in
              LayerNormKernel.forward(
                LayerNormBuffers(x: x.baseAddress!, y: y.baseAddress!, statistics: st.baseAddress!, gamma: g, beta: b),
                rows: rows, features: features, epsilon: epsilon)
            }
          }
        }
      }
    }
    let input = self
    let savedStatistics = statistics
    let inputs = [self] + [gamma, beta].compactMap { $0 }
    return output.recorded(from: inputs) { upstream in
      var (dx, dgamma, dbeta) = (Tensor.zeros(input.shape), Tensor.zeros([features]), Tensor.zeros([features]))
      upstream.withUnsafeBufferPointer { dy in
        input.withUnsafeBufferPointer { x in
          savedStatistics.withUnsafeBufferPointer { st in
            Tensor.withOptionalPointer(gamma) { g in
              dx.withUnsafeMutableBufferPointer { dxp in
                dgamma.withUnsafeMutableBufferPointer { dg in
                  dbeta.withUnsafeMutableBufferPointer { db in
                    LayerNormKernel.backward(
                      LayerNormGradientBuffers(
                        x: x.baseAddress!, dy: dy.baseAddress!, statistics: st.baseAddress!, gamma: g,
                        dx: dxp.baseAddress!, dgamma: dg.baseAddress!, dbeta: db.baseAddress!),
                      rows: rows, features: features)
                  }
                }
              }
            }
          }
        }
      }
      return [dx] + (gamma == nil ? [] : [dgamma]) + (beta == nil ? [] : [dbeta])
    }
  }
}

/// The buffers of a layer normalization's forward pass.
struct LayerNormBuffers: @unchecked Sendable {
  let x: UnsafePointer<Float>
  let y: UnsafeMutablePointer<Float>
  /// `[rows, 2]`: each row's mean and `1 / sqrt(variance + epsilon)`.
  let statistics: UnsafeMutablePointer<Float>
  let gamma: UnsafePointer<Float>?
  let beta: UnsafePointer<Float>?
}

/// The buffers of a layer normalization's backward pass.
struct LayerNormGradientBuffers: @unchecked Sendable {
  let x: UnsafePointer<Float>
  let dy: UnsafePointer<Float>
  let statistics: UnsafePointer<Float>
  let gamma: UnsafePointer<Float>?
  let dx: UnsafeMutablePointer<Float>
  let dgamma: UnsafeMutablePointer<Float>
  let dbeta: UnsafeMutablePointer<Float>
}

/// The loops of ``Tensor/layerNormalized(gamma:beta:epsilon:)``.
enum LayerNormKernel {
  /// Runs `body(rows)` over the rows split between the threads.
  private static func forEachRows(_ rows: Int, _ body: @Sendable (Range<Int>) -> Void) {
    let parts = ParallelParts.count(rows: rows, minimumRows: 64)
    ParallelParts.run(parts: parts) { part in body((rows * part / parts)..<(rows * (part + 1) / parts)) }
  }

  static func forward(_ buffers: LayerNormBuffers, rows: Int, features c: Int, epsilon: Float) {
    forEachRows(rows) { range in
      let scale = UnsafeMutablePointer<Float>.allocate(capacity: c)
      defer { scale.deallocate() }
      for r in range {
        let x = buffers.x + r * c
        let y = buffers.y + r * c
        let mean = sum(x, c) / Float(c)
        let squares = sum(x, c, minus: mean, squared: true)
        let inverse = 1 / (squares / Float(c) + epsilon).squareRoot()
        buffers.statistics[2 * r] = mean
        buffers.statistics[2 * r + 1] = inverse
        // Sixteen features at a time, then one at a time: the same operations either way.
        var j = 0
        let (inverses, means) = (SIMD16<Float>(repeating: inverse), SIMD16<Float>(repeating: mean))
        if let gamma = buffers.gamma {
          while j + 16 <= c {
            store(inverses * load(gamma + j), scale + j)
            j += 16
          }
          for j in j..<c { scale[j] = inverse * gamma[j] }
        } else {
          for j in 0..<c { scale[j] = inverse }
        }
        j = 0
        if let beta = buffers.beta {
          while j + 16 <= c {
            let s = load(scale + j)
            store(load(x + j) * s + (load(beta + j) - means * s), y + j)
            j += 16
          }
          for j in j..<c { y[j] = x[j] * scale[j] + (beta[j] - mean * scale[j]) }
        } else {
          while j + 16 <= c {
            let s = load(scale + j)
            store(load(x + j) * s + -(means * s), y + j)
            j += 16
          }
          for j in j..<c { y[j] = x[j] * scale[j] + -(mean * scale[j]) }
        }
      }
    }
  }

  /// `Σ x[j] - shift` (squared when `squared`) over `j < c`, summed in sixteen lanes (then
  /// across them) so the additions need not wait on one another; only float rounding tells it
  /// from a plain loop.
  @inline(__always)
  private static func sum(_ x: UnsafePointer<Float>, _ c: Int, minus shift: Float = 0, squared: Bool = false) -> Float {
    var lanes = SIMD16<Float>()
    var j = 0
    while j + 16 <= c {
      let d = load(x + j) - shift
      lanes += squared ? d * d : d
      j += 16
    }
    var total = across(lanes)
    while j < c {
      let d = x[j] - shift
      total += squared ? d * d : d
      j += 1
    }
    return total
  }

  /// The sum of the sixteen lanes, halving the vector (three vector additions, then four lanes).
  @inline(__always)
  private static func across(_ lanes: SIMD16<Float>) -> Float {
    let eight = lanes.lowHalf + lanes.highHalf
    return (eight.lowHalf + eight.highHalf).sum()
  }

  @inline(__always)
  private static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inline(__always)
  private static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD16<Float> { load(UnsafePointer(p)) }

  @inline(__always)
  private static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
  }

  /// `dx = inv · (dy·γ - mean(dy·γ) - x̂ · mean(dy·γ·x̂))` with `x̂ = (x - mean) · inv`;
  /// `dγ = Σ dy·x̂`, `dβ = Σ dy` over the rows (each thread sums its rows, then the parts are added).
  static func backward(_ buffers: LayerNormGradientBuffers, rows: Int, features c: Int) {
    let parts = ParallelParts.count(rows: rows, minimumRows: 64)
    let partial = UnsafeMutablePointer<Float>.allocate(capacity: 2 * c * parts)
    partial.initialize(repeating: 0, count: 2 * c * parts)
    defer { partial.deallocate() }
    let sums = LayerNormPartials(pointer: partial)
    ParallelParts.run(parts: parts) { part in
      let dgamma = sums.pointer + 2 * c * part
      let dbeta = dgamma + c
      for r in (rows * part / parts)..<(rows * (part + 1) / parts) {
        let x = buffers.x + r * c
        let dy = buffers.dy + r * c
        let dx = buffers.dx + r * c
        let (mean, inverse) = (buffers.statistics[2 * r], buffers.statistics[2 * r + 1])
        // Sixteen features at a time (each lane its own running sums), then the rest one by one.
        var (sumLanes, weightedLanes) = (SIMD16<Float>(), SIMD16<Float>())
        var start = 0
        while start + 16 <= c {
          let xs = load(x + start)
          let dys = load(dy + start)
          let normalized = (xs - mean) * inverse
          let scaled = buffers.gamma.map { dys * load($0 + start) } ?? dys
          sumLanes += scaled
          weightedLanes += scaled * normalized
          store(load(dgamma + start) + dys * normalized, dgamma + start)
          store(load(dbeta + start) + dys, dbeta + start)
          start += 16
        }
        var (sum, weighted) = (across(sumLanes), across(weightedLanes))
        for j in start..<c {
          let normalized = (x[j] - mean) * inverse
          let scaled = dy[j] * (buffers.gamma?[j] ?? 1)
          sum += scaled
          weighted += scaled * normalized
          dgamma[j] += dy[j] * normalized
          dbeta[j] += dy[j]
        }
        let (meanScaled, meanWeighted) = (sum / Float(c), weighted / Float(c))
        for j in 0..<c {
          let normalized = (x[j] - mean) * inverse
          let scaled = dy[j] * (buffers.gamma?[j] ?? 1)
          dx[j] = inverse * (scaled - meanScaled - normalized * meanWeighted)
        }
      }
    }
    for j in 0..<c {
      var (g, b): (Float, Float) = (0, 0)
      for part in 0..<parts {
        g += partial[2 * c * part + j]
        b += partial[2 * c * part + c + j]
      }
      buffers.dgamma[j] = g
      buffers.dbeta[j] = b
    }
  }
}

/// Each thread's running sums of the gradients of gamma and beta.
private struct LayerNormPartials: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Float>
}
