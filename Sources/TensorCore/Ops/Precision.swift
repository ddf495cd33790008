import CDNNL

extension Tensor {
  /// The tensor rounded to bfloat16 (ties to even), still stored as float32: Keras' cast to a
  /// `bfloat16` compute dtype.
  ///
  /// Differentiable as a cast: the gradient is rounded to bfloat16 too, as the gradient of a
  /// bfloat16 tensor is a bfloat16 tensor in Keras. A tensor already known to be bfloat16
  /// (``isKnownBFloat16``: an earlier rounding's result, a bfloat16 convolution's output, or
  /// a reshape of one) comes back as it is, without a pass over it: the op that made it rounds
  /// the gradient arriving at it. A variable or input being differentiated is always rounded.
  public func roundedToBFloat16() -> Tensor {
    if isKnownBFloat16 && recordedLeaf == nil { return self }
    let result = Tensor.bfloat16Rounding(of: self)
    result.storage.holdsBFloat16 = true
    return result.recorded(from: self) { Tensor.bfloat16Rounding(of: $0) }
  }

  /// Whether every value is known to be a bfloat16 number without looking at them: the tensor
  /// came out of ``roundedToBFloat16()`` or a bfloat16 convolution, or shares their storage.
  /// False says nothing (the values may still be bfloat16).
  public var isKnownBFloat16: Bool { storage.holdsBFloat16 }

  /// The values of `x` rounded to bfloat16 in a new tensor, not recorded (split between the
  /// threads when large).
  static func bfloat16Rounding(of x: Tensor) -> Tensor {
    Tensor(shape: x.shape) { out in
      x.withUnsafeBufferPointer { source in
        let count = source.count
        let parts = count >= 1 << 18 ? ParallelParts.count(rows: count, minimumRows: 1 << 16) : 1
        let shared = RecurrentKernel.PartShared((source.baseAddress!, out.baseAddress!))
        ParallelParts.run(parts: parts) { part in
          let (source, target) = shared.value
          let start = count * part / parts
          skbf16_round(source + start, target + start, count * (part + 1) / parts - start)
        }
      }
    }
  }

  /// The values rounded to bfloat16 with the gradient passed through unchanged: how a bfloat16
  /// kernel reads a float32 operand (the reference convolution's inputs). Itself when already bfloat16.
  func bfloat16Operand() -> Tensor {
    if isKnownBFloat16 { return self }
    return Tensor.bfloat16Rounding(of: self).recorded(from: self) { $0 }
  }
}

extension Tensor {
  /// Keras' bfloat16 `x·W + b` (and ReLU) after the product: `round(round(self) + bias)`, then
  /// `max(·, 0)` when `relu`, in one pass rather than one per rounding (``roundedToBFloat16()``'s
  /// semantics, gradients rounded too). `self` `[..., F]` (a float32 product), `bias` `[F]`.
  ///
  /// - Throws: ``TensorError/incompatibleShapes(operation:_:_:)`` when `bias` is not `[F]`.
  public func addingBiasInBFloat16(_ bias: Tensor, relu: Bool = false) throws -> Tensor {
    let features = shape.last ?? 0
    guard rank >= 1, bias.shape == [features] else {
      throw TensorError.incompatibleShapes(operation: "bfloat16 bias add", shape, bias.shape)
    }
    let rows = features == 0 ? 0 : count / features
    let output = Tensor(shape: shape) { out in
      withUnsafeBufferPointer { product in
        bias.withUnsafeBufferPointer { b in
          let parts =
            count >= 1 << 16
            ? ParallelParts.count(rows: rows, minimumRows: Swift.max(1, (1 << 14) / Swift.max(features, 1))) : 1
          let shared = RecurrentKernel.PartShared((product.baseAddress!, b.baseAddress!, out.baseAddress!))
          ParallelParts.run(parts: parts) { part in
            let (product, bias, out) = shared.value
            let start = rows * part / parts
            skbf16_bias_round(
              product + start * features, bias, out + start * features, rows * (part + 1) / parts - start, features,
              relu ? 1 : 0)
          }
        }
      }
    }
    output.storage.holdsBFloat16 = true
    return output.recorded(from: self, bias) { gradient in
      // The sum's rounding (and ReLU) first, then the product's rounding: both leave round(g).
      let rounded = Tensor.bfloat16Rounding(of: gradient)
      var sums = [Float](repeating: 0, count: features)
      let masked = Tensor(shape: gradient.shape) { masked in
        rounded.withUnsafeBufferPointer { g in
          output.withUnsafeBufferPointer { y in
            sums.withUnsafeMutableBufferPointer {
              Convolution2D.reluAndBiasGradient(
                g.baseAddress!, reluOutput: relu ? y.baseAddress! : nil, masked: relu ? masked.baseAddress! : nil,
                sums: $0.baseAddress!, rows: rows, filters: features)
            }
            if !relu { masked.baseAddress!.update(from: g.baseAddress!, count: g.count) }
          }
        }
      }
      return (masked, try Tensor(shape: [features], scalars: sums))
    }
  }
}

extension Variable {
  /// The value rounded to bfloat16, as ``Tensor/roundedToBFloat16()`` of ``value`` (its gradient
  /// rounded too), but rounded once per value the variable takes rather than on every read: a
  /// layer under `"mixed_bfloat16"` reads its weights this way on every call, and they change
  /// only once per optimizer step.
  public var bfloat16Value: Tensor {
    let version = self.version
    let rounded = bfloat16Cache.withLock { cache in
      if let cache, cache.version == version { return cache.value }
      let value = storedValue.roundedToBFloat16()
      cache = (version, value)
      return value
    }
    let tracked = value
    guard tracked.isRecorded else { return rounded }
    return rounded.recorded(from: tracked) { Tensor.bfloat16Rounding(of: $0) }
  }
}
