import Keras

/// The arrays of a dataset, checked for consistency, with rows picked by range or by index.
struct Batches {
  let x: Tensor
  let y: Tensor
  let sampleWeight: Tensor?

  var count: Int { x.shape[0] }

  /// `x`, `y` and `sampleWeight` after checking that they hold the same number of samples;
  /// `classWeight` (class index to loss weight, as `model.fit`'s) becomes the sample weights: the
  /// class of a sample is its label, or the argmax of a one-hot label; classes without a weight
  /// get 1. `name` starts the error messages.
  init(_ x: Tensor, _ y: Tensor, sampleWeight: Tensor?, classWeight: [Int: Float]? = nil, name: String) throws {
    guard x.rank >= 1, y.rank >= 1, x.shape[0] == y.shape[0], x.shape[0] > 0 else {
      throw DistributedError.invalidArgument(
        "\(name): x and y need the same, nonzero number of samples, got shapes \(x.shape) and \(y.shape)")
    }
    if let sampleWeight, sampleWeight.shape != [x.shape[0]] {
      throw DistributedError.invalidArgument(
        "\(name): sampleWeight must have shape [\(x.shape[0])] (one weight per sample), got \(sampleWeight.shape)")
    }
    guard let classWeight else {
      self.init(checked: x, y, sampleWeight)
      return
    }
    guard sampleWeight == nil else {
      throw DistributedError.invalidArgument("\(name): give either classWeight or sampleWeight, not both (as Keras)")
    }
    let classes =
      y.rank >= 2 && y.shape.last! > 1
      ? try y.argmax(axis: -1).scalars.map(Int.init) : y.scalars.map { Int($0.rounded()) }
    guard classes.count == x.shape[0] else {
      throw DistributedError.invalidArgument("\(name): labels of shape \(y.shape) do not give one class per sample")
    }
    self.init(checked: x, y, Tensor(classes.map { classWeight[$0] ?? 1 }))
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
