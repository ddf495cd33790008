import TensorCore

/// Pads (or truncates) sequences of different lengths to one length, as Keras'
/// `keras.utils.pad_sequences`: `[N, maxLen]` for sequences of numbers.
///
/// Each sequence becomes a row of `maxLen` values (the longest sequence's length by default):
/// a shorter one is filled with `value` before it (`padding: "pre"`, Keras' default) or after it
/// (`"post"`); a longer one loses its first values (`truncating: "pre"`) or its last ones
/// (`"post"`). An empty sequence becomes a row of `value`. With an integer `dtype` (`"int32"`,
/// Keras' default, or `"int64"`) the values and `value` are truncated toward zero, as NumPy
/// casts them; with `"float32"` they are kept.
///
/// ```swift
/// let ids = try padSequences([[1, 2, 3], [4, 5]], maxLen: 4)   // [[0, 1, 2, 3], [0, 0, 4, 5]]
/// ```
///
/// - Returns: `[N, maxLen]`, as floats (the form layers and ``Embedding`` take ids in).
/// - Throws: ``KerasError/invalidArgument(_:)`` for an unknown `padding`, `truncating` or
///   `dtype`, or a negative `maxLen`.
public func padSequences(
  _ sequences: [[Float]], maxLen: Int? = nil, dtype: String = "int32", padding: String = "pre",
  truncating: String = "pre", value: Float = 0
) throws -> Tensor {
  try padSequences(
    sequences.map { try Tensor(shape: [$0.count], scalars: $0) }, maxLen: maxLen, dtype: dtype, padding: padding,
    truncating: truncating, value: value)
}

/// Pads (or truncates) sequences of integers (token ids) to one length, as Keras'
/// `keras.utils.pad_sequences`; see ``padSequences(_:maxLen:dtype:padding:truncating:value:)-([[Float]],_,_,_,_,_)``.
///
/// - Returns: `[N, maxLen]`.
/// - Throws: as that function.
public func padSequences(
  _ sequences: [[Int]], maxLen: Int? = nil, dtype: String = "int32", padding: String = "pre",
  truncating: String = "pre", value: Float = 0
) throws -> Tensor {
  try padSequences(
    sequences.map { $0.map { Float($0) } }, maxLen: maxLen, dtype: dtype, padding: padding, truncating: truncating,
    value: value)
}

/// Pads (or truncates) sequences whose steps are vectors or arrays (`[L_i, ...]` each, the
/// same `...` for all) to `[N, maxLen, ...]`, as Keras' `pad_sequences` does for such sequences;
/// see ``padSequences(_:maxLen:dtype:padding:truncating:value:)-([[Float]],_,_,_,_,_)``.
///
/// - Throws: as that function, and naming the first sequence whose step shape differs from
///   the first non-empty sequence's.
public func padSequences(
  _ sequences: [Tensor], maxLen: Int? = nil, dtype: String = "int32", padding: String = "pre",
  truncating: String = "pre", value: Float = 0
) throws -> Tensor {
  func fail(_ message: String) -> KerasError { KerasError.invalidArgument("padSequences: " + message) }
  guard ["pre", "post"].contains(padding) else { throw fail("Padding type \"\(padding)\" not understood") }
  guard ["pre", "post"].contains(truncating) else { throw fail("Truncating type \"\(truncating)\" not understood") }
  guard ["int32", "int64", "float32"].contains(dtype) else {
    throw fail("dtype \"\(dtype)\" is not supported; use int32, int64 or float32")
  }
  if let sequence = sequences.first(where: { $0.rank == 0 }) {
    throw fail("`sequences` must be a list of sequences; found a scalar \(sequence.scalar)")
  }
  let sampleShape = Array(sequences.first { $0.shape[0] > 0 }?.shape.dropFirst() ?? [])
  let length = maxLen ?? sequences.map { $0.shape[0] }.max() ?? 0
  guard length >= 0 else { throw fail("`maxLen` must be 0 or greater. Received: maxLen=\(length)") }
  let rowSize = sampleShape.reduce(1, *)
  let cast: (Float) -> Float = dtype == "float32" ? { $0 } : { $0.rounded(.towardZero) }
  var result = [Float](repeating: cast(value), count: sequences.count * length * rowSize)
  for (index, sequence) in sequences.enumerated() where sequence.shape[0] > 0 {
    guard Array(sequence.shape.dropFirst()) == sampleShape else {
      throw fail(
        "Shape of sample \(kerasShapeText(sequence.shape.dropFirst().map { $0 })) of sequence at position \(index) "
          + "is different from expected shape \(kerasShapeText(sampleShape.map { $0 }))")
    }
    let kept = min(sequence.shape[0], length)
    let first = truncating == "pre" ? sequence.shape[0] - kept : 0
    let target = padding == "pre" ? length - kept : 0
    let values = sequence.scalars
    for step in 0..<(kept * rowSize) {
      result[(index * length + target) * rowSize + step] = cast(values[first * rowSize + step])
    }
  }
  return try Tensor(shape: [sequences.count, length] + sampleShape, scalars: result)
}
