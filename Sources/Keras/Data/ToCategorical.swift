import TensorCore

/// One-hot rows for class indices, as Keras' `keras.utils.to_categorical`.
///
/// Labels of shape `[...]` become `[..., numClasses]`; a last axis of size 1 (`[N, 1]` labels)
/// is dropped first, as in Keras, so `[N, 1]` gives `[N, numClasses]`. `numClasses` defaults to
/// the largest label plus one.
///
/// ```swift
/// let y = try toCategorical([0, 2, 1], numClasses: 3)   // [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
/// ```
///
/// - Throws: ``KerasError/invalidArgument(_:)`` naming the first label that is not a whole
///   number in `0 ..< numClasses`.
public func toCategorical(_ labels: Tensor, numClasses: Int? = nil) throws -> Tensor {
  var shape = labels.shape
  if shape.count > 1, shape.last == 1 { shape.removeLast() }
  let values = labels.scalars
  for (i, v) in values.enumerated() where !(v.isFinite && v >= 0 && v == v.rounded()) {
    throw KerasError.invalidArgument("toCategorical: label \(i) (\(v)) is not a class index (a whole number >= 0)")
  }
  let classes = numClasses ?? (values.map { Int($0) }.max().map { $0 + 1 } ?? 0)
  var result = [Float](repeating: 0, count: values.count * classes)
  for (i, v) in values.enumerated() {
    guard Int(v) < classes else {
      throw KerasError.invalidArgument(
        "toCategorical: label \(i) (\(Int(v))) is out of range for numClasses=\(classes)")
    }
    result[i * classes + Int(v)] = 1
  }
  return try Tensor(shape: shape + [classes], scalars: result)
}

/// One-hot rows for class indices given as integers; see ``toCategorical(_:numClasses:)-(Tensor,_)``.
///
/// - Throws: as that function.
public func toCategorical(_ labels: [Int], numClasses: Int? = nil) throws -> Tensor {
  try toCategorical(Tensor(labels.map { Float($0) }), numClasses: numClasses)
}

/// One-hot rows for class indices in an integer tensor; see ``toCategorical(_:numClasses:)-(Tensor,_)``.
///
/// - Throws: as that function.
public func toCategorical(_ labels: IntTensor, numClasses: Int? = nil) throws -> Tensor {
  try toCategorical(Tensor(labels), numClasses: numClasses)
}
