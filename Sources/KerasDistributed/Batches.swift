import Keras

/// The arrays of a dataset, checked for consistency, with rows picked by range or by index.
struct Batches {
  let x: Tensor
  let y: Tensor
  let sampleWeight: Tensor?

  var count: Int { x.shape[0] }

  /// `x`, `y` and `sampleWeight` after checking that they hold the same number of samples;
  /// `name` starts the error messages.
  init(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor?, name: String) throws {
    guard x.rank >= 1, y.rank >= 1, x.shape[0] == y.shape[0], x.shape[0] > 0 else {
      throw DistributedError.invalidArgument(
        "\(name): x and y need the same, nonzero number of samples, got shapes \(x.shape) and \(y.shape)")
    }
    if let sampleWeight, sampleWeight.shape != [x.shape[0]] {
      throw DistributedError.invalidArgument(
        "\(name): sampleWeight must have shape [\(x.shape[0])] (one weight per sample), got \(sampleWeight.shape)")
    }
    self.init(checked: x, y, sampleWeight)
  }

  private init(checked x: Tensor, _ y: Tensor, _ sampleWeight: Tensor?) {
    self.x = x
    self.y = y
    self.sampleWeight = sampleWeight
  }

  /// Rows `range` of every array.
  func rows(_ range: Range<Int>) throws -> Batches {
    Batches(
      checked: try x.slice(axis: 0, range), try y.slice(axis: 0, range), try sampleWeight?.slice(axis: 0, range))
  }

  /// Rows `indices` of every array, in that order.
  func rows(_ indices: [Int]) throws -> Batches {
    let picks = IntTensor(indices)
    return Batches(
      checked: try x.gathering(picks, axis: 0), try y.gathering(picks, axis: 0),
      try sampleWeight?.gathering(picks, axis: 0))
  }
}
