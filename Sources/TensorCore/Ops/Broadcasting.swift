extension Tensor {
  /// This tensor broadcast to `shape` by NumPy rules (a copy).
  ///
  /// - Throws: ``TensorError/incompatibleShapes(operation:_:_:)`` when `shape` is not a broadcast of this shape.
  public func broadcast(to target: [Int]) throws -> Tensor {
    let joint = try Shape.broadcast(shape, target, operation: "broadcast(to:)")
    guard joint == target else { throw TensorError.incompatibleShapes(operation: "broadcast(to:)", shape, target) }
    if shape == target { return self }
    let source = shape
    let result = Tensor(shape: target) { out in
      withUnsafeBufferPointer { src in
        ElementwiseKernels.broadcastLoop(shape: target, source, target) { o, ia, _, n, sa, _ in
          var ia = ia
          for j in 0..<n {
            out[o + j] = src[ia]
            ia += sa
          }
        }
      }
    }
    return result.recorded(from: self) { try $0.sumToShape(source) }
  }

  /// The sum of this tensor over the axes along which a tensor of `target` shape was
  /// broadcast to produce it: the gradient of a broadcast.
  func sumToShape(_ target: [Int]) throws -> Tensor {
    if shape == target { return self }
    let lead = rank - target.count
    guard lead >= 0 else { throw TensorError.incompatibleShapes(operation: "sumToShape", shape, target) }
    var axes = Array(0..<lead)
    for i in 0..<target.count where target[i] == 1 && shape[i + lead] != 1 { axes.append(i + lead) }
    return try sum(axes: axes, keepDims: false).reshaped(to: target)
  }
}
