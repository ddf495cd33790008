/// The mean and variance of a tensor over some axes (kept with size 1), and the normalization
/// they define; shared by ``BatchNormalization`` and ``LayerNormalization``.
struct Moments {
  /// The mean, with the reduced axes kept.
  var mean: Tensor
  /// The population variance, with the reduced axes kept.
  var variance: Tensor

  /// Given statistics (such as moving averages) shaped to broadcast against the input.
  init(mean: Tensor, variance: Tensor) {
    self.mean = mean
    self.variance = variance
  }

  /// The moments of `x` over `axes`, as `tf.nn.moments`: the variance is measured from a
  /// detached mean (its gradient through the mean is zero anyway).
  init(of x: Tensor, axes: [Int]) throws {
    mean = try x.mean(axes: axes, keepDims: true)
    variance = try (x - mean.detached()).square().mean(axes: axes, keepDims: true)
  }

  /// Keras' masked moments: only elements whose `mask` entry is non-zero count. The mask has
  /// one axis less than `x` and is broadcast along the last axis; `1e-7` guards the count.
  init(of x: Tensor, axes: [Int], mask: Tensor) throws {
    let kept = try mask.notEqual(Tensor(0)).expandingDims(at: -1).broadcast(to: x.shape)
    let count = try kept.sum(axes: axes, keepDims: true) + 1e-7
    mean = try Tensor.where(kept, x, Tensor(0)).sum(axes: axes, keepDims: true) / count
    let difference = try Tensor.where(kept, x - mean, Tensor(0))
    variance = try difference.square().sum(axes: axes, keepDims: true) / count
  }

  /// `gamma · (x - mean) / sqrt(variance + epsilon) + beta`, in TensorFlow's order of operations
  /// (`x · inv + (beta - mean · inv)` with `inv = gamma / sqrt(variance + epsilon)`).
  func normalize(_ x: Tensor, gamma: Tensor?, beta: Tensor?, epsilon: Float) throws -> Tensor {
    var inverse = (variance + epsilon).rsqrt()
    if let gamma { inverse = try inverse * gamma }
    var offset = -(try mean * inverse)
    if let beta { offset = try offset + beta }
    return try x * inverse + offset
  }
}
