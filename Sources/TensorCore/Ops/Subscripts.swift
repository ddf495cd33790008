extension Tensor {
  /// NumPy-style indexing: integers, ranges, strides, `.all`, `.ellipsis`, `.newAxis` and integer
  /// arrays, one entry per axis, with the result NumPy's `x[...]` gives.
  ///
  /// ```swift
  /// let x = Tensor.ones([4, 6, 8])
  /// try x[.all, .all, 0]            // x[:, :, 0]     → [4, 6]
  /// try x[.ellipsis, -1]            // x[..., -1]     → [4, 6]
  /// try x[.slice(by: 2)]           // x[::2]         → [2, 6, 8]
  /// try x[1..<3, .newAxis]          // x[1:3, None]   → [2, 1, 6, 8]
  /// try x[.all, [0, 2, 5], -1]      // x[:, [0, 2, 5], -1] → [4, 3]
  /// ```
  ///
  /// Entries left out at the end mean whole axes. Ranges and `.slice` follow NumPy's slices:
  /// negative bounds count from the end and bounds past the axis are clamped; an integer or an
  /// integer-array entry outside the axis is an error. Several integer arrays are broadcast together,
  /// and the result's gathered axes sit where NumPy puts them (first when the arrays and integers are
  /// not next to each other). The gradient adds each result element back into the element it came
  /// from, so repeated gather indices accumulate.
  ///
  /// Three spellings keep their older meanings and do not throw: `x[i]` with one `Int` and `x[r]`
  /// with one `Range<Int>` give the same tensor as here but stop the program on a bad index (as a
  /// Swift array does), and `x[i, j, …]` with an `Int` for every axis is one `Float` element. Write
  /// `try x.indexed(by: [i])` for a thrown error, and `let y: Tensor = try x[0, 1]` (or
  /// `x[0, 1, .ellipsis]`) to take a sub-tensor of a higher-rank tensor with integers alone.
  ///
  /// - Throws: ``TensorError/invalidArgument(operation:_:)`` naming the subscript, the entry, the axis
  ///   and the shape: an integer out of range, more indexed axes than the rank, a second `.ellipsis`,
  ///   a step of 0, a stride position outside the axis, index arrays that do not broadcast.
  public subscript(_ indices: any TensorIndexConvertible...) -> Tensor {
    get throws { try indexed(by: indices) }
  }

  /// The whole tensor, Swift's `x[...]` (NumPy's `x[...]` or `x[:]`).
  public subscript(_: UnboundedRange) -> Tensor { self }

  /// Element `index` along axis 0 (negative counts from the end), with that axis removed: NumPy's `x[i]`.
  ///
  /// An out-of-range index stops the program, as for Swift arrays; `try x.indexed(by: [index])` or
  /// ``slice(axis:_:)`` throw instead.
  public subscript(index: Int) -> Tensor {
    Tensor.unwrapping(try indexed(by: [index]))
  }

  /// Elements `range` along axis 0, NumPy's `x[a:b]`: negative bounds count from the end and bounds
  /// past the axis are clamped.
  ///
  /// Subscripting a scalar stops the program; `try x.indexed(by: [range])` throws instead.
  public subscript(range: Range<Int>) -> Tensor {
    Tensor.unwrapping(try indexed(by: [range]))
  }

  /// The subscript `x[indices...]` as a throwing method, for index lists built at run time.
  ///
  /// ```swift
  /// let lastStep: [any TensorIndexConvertible] = [.all, -1]
  /// let y = try x.indexed(by: lastStep)     // x[:, -1]
  /// ```
  /// - Throws: as the variadic subscript `x[indices...]`.
  public func indexed(by indices: [any TensorIndexConvertible]) throws -> Tensor {
    let plan = try SubscriptPlan(indices.map(\.tensorIndex), shape: shape)
    if let gather = plan.singleGather {
      return try gathering(gather.indices, axis: gather.axis)
    }
    if plan.isIdentity(for: shape) { return self }
    let result = Tensor(shape: plan.shape) { out in
      withUnsafeBufferPointer { src in
        plan.forEachRow { o, s in
          switch plan.inner {
          case .strided(let n, 1): (out.baseAddress! + o).update(from: src.baseAddress! + s, count: n)
          case .strided(let n, let stride): for j in 0..<n { out[o + j] = src[s + j * stride] }
          case .gather(let offsets, _): for (j, offset) in offsets.enumerated() { out[o + j] = src[s + offset] }
          }
        }
      }
    }
    let inputShape = shape
    return result.recorded(from: self) { g in
      var grad = Tensor.zeros(inputShape)
      grad.withUnsafeMutableBufferPointer { dst in
        g.withUnsafeBufferPointer { upstream in
          plan.forEachRow { o, s in
            switch plan.inner {
            case .strided(let n, let stride): for j in 0..<n { dst[s + j * stride] += upstream[o + j] }
            case .gather(let offsets, _): for (j, offset) in offsets.enumerated() { dst[s + offset] += upstream[o + j] }
            }
          }
        }
      }
      return grad
    }
  }

  private static func unwrapping(_ body: @autoclosure () throws -> Tensor) -> Tensor {
    do { return try body() } catch {
      fatalError("\(error) (this subscript does not throw; `try x.indexed(by: [...])` does)")
    }
  }
}

/// Where each element of a subscript's result comes from: the result read as the virtual axes
/// `outer + [inner]` in row-major order takes, at multi-index `(i₀, i₁, …)`, the input element at flat
/// offset `base + offset₀(i₀) + offset₁(i₁) + …`, where a strided axis' offset is `i·stride` and an
/// integer-array gather's axis (which stands for all of the broadcast index shape's axes) lists its
/// picks' offsets.
struct SubscriptPlan: Sendable {
  enum Axis: Sendable {
    case strided(size: Int, stride: Int)
    case gather(offsets: [Int], shape: [Int])

    var size: Int {
      switch self {
      case .strided(let size, _): return size
      case .gather(let offsets, _): return offsets.count
      }
    }

    func offset(_ i: Int) -> Int {
      switch self {
      case .strided(_, let stride): return i * stride
      case .gather(let offsets, _): return offsets[i]
      }
    }
  }

  /// The result's shape.
  let shape: [Int]
  let base: Int
  /// Every virtual axis but the last.
  let outer: [Axis]
  /// The last virtual axis (size 1 for a scalar result); a row of the result.
  let inner: Axis
  /// Set when the subscript is one integer array over whole axes: `gathering` does it, and keeps the
  /// row slices of a variable's gradient as TensorFlow's IndexedSlices.
  let singleGather: (indices: IntTensor, axis: Int)?

  init(_ indices: [TensorIndex], shape input: [Int]) throws {
    func failure(_ reason: String) -> TensorError {
      .invalidArgument(operation: "Tensor subscript [\(indices.map(\.description).joined(separator: ", "))]", reason)
    }

    let ellipses = indices.filter { $0.kind == .ellipsis }.count
    guard ellipses <= 1 else { throw failure("an index may hold one .ellipsis, this one holds \(ellipses)") }
    let indexedAxes = indices.filter { $0.kind != .ellipsis && $0.kind != .newAxis }.count
    guard indexedAxes <= input.count else {
      func axes(_ n: Int) -> String { n == 1 ? "1 axis" : "\(n) axes" }
      throw failure(
        "it indexes \(axes(indexedAxes)) but the tensor of shape \(input) has \(axes(input.count))"
          + " (.newAxis and .ellipsis index none)")
    }
    // Each entry with its position in the subscript as written; .ellipsis becomes whole axes.
    var entries: [(index: TensorIndex, position: Int)] = []
    for (position, index) in indices.enumerated() {
      if index.kind == .ellipsis {
        entries += Array(repeating: (TensorIndex(.all), position), count: input.count - indexedAxes)
      } else {
        entries.append((index, position))
      }
    }
    if ellipses == 0 {
      entries += Array(repeating: (TensorIndex(.all), indices.count), count: input.count - indexedAxes)
    }

    let strides = Shape.strides(input)
    var axes: [Axis] = []
    var base = 0
    var axis = 0
    var gathers: [(indices: [Int], shape: [Int], stride: Int, axis: Int)] = []
    var advancedPositions: [Int] = []  // integers and arrays, which NumPy indexes together once an array is present
    var advancedAxis: Int?  // the virtual axis before which the first of them stands
    func place() -> String { "for axis \(axis) of shape \(input)" }
    for (index, position) in entries {
      switch index.kind {
      case .newAxis:
        axes.append(.strided(size: 1, stride: 0))
        continue
      case .ellipsis:
        continue
      case .all:
        axes.append(.strided(size: input[axis], stride: strides[axis]))
      case .index(let i):
        let n = input[axis]
        guard i >= -n && i < n else { throw failure("index \(i) is out of range \(-n)..<\(n) \(place())") }
        base += (i < 0 ? i + n : i) * strides[axis]
        advancedPositions.append(position)
        advancedAxis = advancedAxis ?? axes.count
      case .slice(let start, let end, let step):
        guard step != 0 else { throw failure("\(index) has a step of 0 \(place()); a step must not be 0") }
        let (first, count) = Self.resolve(start: start, end: end, step: step, size: input[axis])
        axes.append(.strided(size: count, stride: step * strides[axis]))
        if count > 0 { base += first * strides[axis] }
      case .positions(let positions):
        let n = input[axis]
        if let bad = positions.first(where: { $0 < 0 || $0 >= n }) {
          throw failure(
            "position \(bad) of \(index) is out of range 0..<\(n) \(place())"
              + (bad < 0 ? "; .slice(from:to:by:) counts negative bounds from the end" : ""))
        }
        let step = positions.count > 1 ? positions[1] - positions[0] : 1
        axes.append(.strided(size: positions.count, stride: step * strides[axis]))
        if let first = positions.first { base += first * strides[axis] }
      case .array(let t):
        let n = input[axis]
        var picks: [Int] = []
        picks.reserveCapacity(t.count)
        for (p, value) in t.scalars.enumerated() {
          let i = Int(value)
          guard i >= -n && i < n else {
            throw failure("index \(i) at position \(p) of \(index) is out of range \(-n)..<\(n) \(place())")
          }
          picks.append(i < 0 ? i + n : i)
        }
        gathers.append((picks, t.shape, strides[axis], axis))
        advancedPositions.append(position)
        advancedAxis = advancedAxis ?? axes.count
      }
      axis += 1
    }

    // One integer array and nothing else that moves or drops an axis: a plain gather.
    if gathers.count == 1, advancedPositions.count == 1, entries.count == input.count,
      zip(axes, input.indices.filter { $0 != gathers[0].axis }).allSatisfy({ axis, k in
        if case .strided(let size, let stride) = axis { return size == input[k] && stride == strides[k] }
        return false
      })
    {
      let g = gathers[0]
      singleGather = (try IntTensor(shape: g.shape, scalars: g.indices.map { Int32($0) }), g.axis)
    } else {
      singleGather = nil
    }

    if !gathers.isEmpty {
      var broadcastShape: [Int] = []
      for g in gathers {
        do {
          broadcastShape = try Shape.broadcast(broadcastShape, g.shape, operation: "subscript")
        } catch {
          throw failure(
            "the index arrays' shapes \(gathers.map(\.shape).map { "\($0)" }.joined(separator: ", ")) do not broadcast")
        }
      }
      let count = Shape.count(broadcastShape)
      var offsets = [Int](repeating: 0, count: count)
      for g in gathers {
        let readStrides = Shape.broadcastStrides(g.shape, to: broadcastShape)
        for b in 0..<count {
          var rest = b
          var source = 0
          for k in stride(from: broadcastShape.count - 1, through: 0, by: -1) {
            source += (rest % broadcastShape[k]) * readStrides[k]
            rest /= broadcastShape[k]
          }
          offsets[b] += g.indices[source] * g.stride
        }
      }
      // NumPy keeps the gathered axes in place when the arrays and integers stand next to each other
      // in the subscript, and puts them first otherwise.
      let adjacent = advancedPositions.last! - advancedPositions.first! + 1 == advancedPositions.count
      axes.insert(.gather(offsets: offsets, shape: broadcastShape), at: adjacent ? advancedAxis! : 0)
    }

    shape = axes.flatMap { axis -> [Int] in
      switch axis {
      case .strided(let size, _): return [size]
      case .gather(_, let shape): return shape
      }
    }
    // Strided axes that continue each other read as one (a row of a contiguous block is one copy).
    // Axes of size 1 add nothing to an offset.
    var merged: [Axis] = []
    for axis in axes {
      if case .strided(1, _) = axis { continue }
      if case .strided(let size, let stride) = axis, case .strided(let outerSize, let outerStride)? = merged.last,
        outerStride == size * stride
      {
        merged[merged.count - 1] = .strided(size: outerSize * size, stride: stride)
      } else {
        merged.append(axis)
      }
    }
    self.base = base
    outer = Array(merged.dropLast())
    inner = merged.last ?? .strided(size: 1, stride: 0)
  }

  /// NumPy's (CPython's `PySlice_AdjustIndices`) first position and count of `start:end:step` over `size`.
  static func resolve(start: Int?, end: Int?, step: Int, size: Int) -> (first: Int, count: Int) {
    func clamp(_ bound: Int) -> Int {
      if bound < 0 {
        let b = bound + size
        return b < 0 ? (step < 0 ? -1 : 0) : b
      }
      return bound >= size ? (step < 0 ? size - 1 : size) : bound
    }
    let first = clamp(start ?? (step < 0 ? Int.max : 0))
    let stop = clamp(end ?? (step < 0 ? Int.min : Int.max))
    if step > 0 { return (first, stop > first ? (stop - first - 1) / step + 1 : 0) }
    return (first, first > stop ? (first - stop - 1) / (-step) + 1 : 0)
  }

  /// Whether the result is the input itself.
  func isIdentity(for input: [Int]) -> Bool {
    guard shape == input, base == 0, outer.isEmpty, singleGather == nil else { return false }
    if case .strided(_, 1) = inner { return true }
    return false
  }

  /// Calls `body` with the flat offset of each row of the result (`inner.size` elements) and the
  /// input offset its first element is read from, rows in order.
  func forEachRow(_ body: (_ result: Int, _ source: Int) -> Void) {
    guard inner.size > 0, outer.allSatisfy({ $0.size > 0 }) else { return }
    var counter = [Int](repeating: 0, count: outer.count)
    var source = base + outer.reduce(0) { $0 + $1.offset(0) }
    var row = 0
    while true {
      body(row * inner.size, source)
      row += 1
      var k = outer.count - 1
      while k >= 0 {
        source -= outer[k].offset(counter[k])
        counter[k] += 1
        if counter[k] < outer[k].size {
          source += outer[k].offset(counter[k])
          break
        }
        counter[k] = 0
        source += outer[k].offset(0)
        k -= 1
      }
      if k < 0 { return }
    }
  }
}
