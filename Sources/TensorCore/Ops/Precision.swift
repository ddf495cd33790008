extension Tensor {
  /// The tensor rounded to bfloat16 (ties to even), still stored as float32: Keras' cast to a
  /// `bfloat16` compute dtype.
  ///
  /// Differentiable as a cast: the gradient is rounded to bfloat16 too, as the gradient of a
  /// bfloat16 tensor is a bfloat16 tensor in Keras. A tensor already in bfloat16 comes back
  /// with the same values.
  public func roundedToBFloat16() -> Tensor {
    let result = Tensor(shape: shape) { out in
      withUnsafeBufferPointer { source in
        for i in source.indices { out[i] = BFloat16.round(source[i]) }
      }
    }
    return result.recorded(from: self) { $0.roundedToBFloat16() }
  }
}
