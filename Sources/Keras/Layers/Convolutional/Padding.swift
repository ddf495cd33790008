/// How a 1-D convolution or pooling window treats the ends of a sequence (Keras' `padding`).
///
/// With window span `w` (kernel size, dilated) and stride `s` over `L` steps:
/// `valid` gives `⌊(L - w) / s⌋ + 1` steps, `same` and `causal` give `⌈L / s⌉`.
public enum Padding: String, CaseIterable, Sendable {
  /// No padding: only windows that lie inside the input.
  case valid
  /// Padding split around the input as TensorFlow does (the odd element after).
  case same
  /// Padding before the input only, so output step `t` sees no input after `t` (``Conv1D`` only).
  case causal

  /// The padding with Keras name `name` (`"valid"`, `"same"`, `"causal"`, any case).
  ///
  /// - Throws: ``KerasError/unknownName(kind:name:valid:)`` listing the valid names.
  public init(named name: String) throws {
    guard let value = Padding(rawValue: name.lowercased()) else {
      throw KerasError.unknownName(kind: "padding", name: name, valid: Padding.allCases.map(\.rawValue))
    }
    self = value
  }
}

/// Where the windows of a 1-D convolution or pooling fall on a sequence `[N, L, C]`.
struct SlidingWindows {
  /// Taps per window.
  let size: Int
  /// Steps between window starts.
  let stride: Int
  /// Steps between taps.
  let dilation: Int
  let padding: Padding

  /// Input steps a window covers, first tap to last.
  var span: Int { (size - 1) * dilation + 1 }

  /// The number of windows over `length` steps (nil when unknown); below 1 when the input is too short.
  func outputLength(_ length: Int?) -> Int? {
    guard let length else { return nil }
    switch padding {
    case .valid: return length >= span ? (length - span) / stride + 1 : 0
    case .same, .causal: return (length + stride - 1) / stride
    }
  }

  /// Steps added before and after `length` input steps: for `same`, what the last window
  /// needs, split as TensorFlow; for `causal`, one span less one step before, as Keras.
  func padAmounts(_ length: Int) -> (before: Int, after: Int) {
    switch padding {
    case .valid: return (0, 0)
    case .same:
      let total = Swift.max(((outputLength(length) ?? 0) - 1) * stride + span - length, 0)
      return (total / 2, total - total / 2)
    case .causal: return (span - 1, 0)
    }
  }

  /// The output shape `[N, L', channels]` for an input shape `[N, L, C]` (nil for unknown sizes).
  ///
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` naming `layer` when the
  ///   input is not of rank 3 or is shorter than one window.
  func outputShape(for inputShape: [Int?], channels: Int?, layer: String) throws -> [Int?] {
    let length = inputShape.count == 3 ? inputShape[1] : nil
    let count = outputLength(length)
    guard inputShape.count == 3, count ?? 1 > 0 else {
      let minimum = padding == .valid ? span : 1
      throw KerasError.incompatibleInput(
        layer: layer, expected: kerasShapeText([nil, nil, inputShape.last ?? nil]) + " with steps >= \(minimum)",
        got: inputShape.map { $0 ?? -1 })
    }
    return [inputShape[0], count, channels]
  }

  /// The windows of `input` `[N, L, C]` as `[N, L', size, C]`, padding filled with `fill`.
  ///
  /// One gather, so the gradient flows back through the tape to every tap.
  /// - Throws: ``KerasError/incompatibleInput(layer:expected:got:)`` naming `layer` when the
  ///   input is shorter than one window.
  func gather(_ input: Tensor, fill: Float, layer: String) throws -> Tensor {
    let (batch, length, channels) = (input.shape[0], input.shape[1], input.shape[2])
    _ = try outputShape(for: input.shape.map { $0 }, channels: channels, layer: layer)
    let count = outputLength(length)!
    let (before, after) = padAmounts(length)
    var pieces = [input]
    if before > 0 { pieces.insert(Tensor.full([batch, before, channels], fill), at: 0) }
    if after > 0 { pieces.append(Tensor.full([batch, after, channels], fill)) }
    let padded = pieces.count > 1 ? try Tensor.concatenate(pieces, axis: 1) : input
    var taps = [Int32]()
    taps.reserveCapacity(count * size)
    for t in 0..<count {
      for j in 0..<size { taps.append(Int32(t * stride + j * dilation)) }
    }
    return try padded.gathering(IntTensor(shape: [count, size], scalars: taps), axis: 1)
  }
}
