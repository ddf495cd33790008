/// The conversions Keras applies to the weights of a legacy `.h5` file before setting them
/// (`preprocess_weights_for_loading` and `_convert_rnn_weights` in tf_keras'
/// `saving/legacy/hdf5_format.py`, which Keras 3's legacy loader shares):
///
/// - recurrent layers trained as `CuDNNLSTM` (Keras 2.0.9-2.3): the file holds `kernel`
///   `[F, 4·units]` and `recurrent_kernel` `[units, 4·units]` in cuDNN's layout and one bias of
///   `8·units` (input and recurrent biases side by side). Loaded into an ``LSTM``, each gate's
///   input kernel is re-laid from cuDNN's column-major buffer, each gate's recurrent kernel is
///   transposed and the two biases are added. Recognised, as Keras does, by the bias length.
/// - `CuDNNGRU`: the same kernel changes; the `6·units` bias becomes `[2, 3·units]` (input row,
///   recurrent row), so it loads into a ``GRU`` with `resetAfter: true` only (Keras refuses
///   `reset_after=False` too).
/// - Keras 1 files (no `keras_version` attribute): an LSTM's 12 per-gate weights
///   (`W_i, U_i, b_i, W_c, U_c, b_c, W_f, ...`) and a GRU's 9 are joined into Keras 2's three.
/// - wrapped layers: a ``Bidirectional``'s halves, a ``TimeDistributed``'s layer and the layers
///   of a nested ``Model`` are converted one by one.
///
/// Theano-trained convolution kernels (flipped) are not converted.
enum LegacyWeightConversion {
  /// One weight as read from the file.
  struct Value {
    /// Its shape (row-major).
    var shape: [Int]
    /// Its values, row-major.
    var scalars: [Float]
  }

  /// The weights of a layer that cannot be converted for the model's layer; `reason` names both sides.
  struct Incompatible: Error {
    /// What does not fit.
    let reason: String
  }

  /// `weights` (the file's, in legacy order) converted for `layer` as Keras converts them.
  ///
  /// - Parameter kerasVersion: the file's `keras_version` attribute, `"1"` when it has none (as Keras).
  /// - Throws: ``Incompatible`` for a recurrent bias of no known layout, or GRU weights of the
  ///   other `reset_after` kind.
  static func convert(_ weights: [Value], for layer: Layer, kerasVersion: String) throws -> [Value] {
    var weights = weights
    switch layer {
    case let bidirectional as Bidirectional:
      let half = weights.count / 2
      weights =
        try convert(Array(weights[..<half]), for: bidirectional.forwardLayer, kerasVersion: kerasVersion)
        + convert(Array(weights[half...]), for: bidirectional.backwardLayer, kerasVersion: kerasVersion)
    case let wrapper as TimeDistributed:
      weights = try convert(weights, for: wrapper.layer, kerasVersion: kerasVersion)
    case let model as Model:
      weights = try convertNested(weights, in: model, kerasVersion: kerasVersion)
    default:
      break
    }
    if kerasVersion == "1" { weights = joinKeras1Gates(weights, for: layer) }
    switch layer {
    case let lstm as LSTM where weights.count == 3:
      return try fromCuDNNLSTM(weights, layer: lstm)
    case let gru as GRU where weights.count == 3:
      return try fromCuDNNGRU(weights, layer: gru)
    default:
      return weights
    }
  }

  /// A nested model's weights (its trainable weights, then its non-trainable ones) converted
  /// layer by layer, as Keras' `convert_nested_model`.
  private static func convertNested(_ weights: [Value], in model: Model, kerasVersion: String) throws -> [Value] {
    var trainable = weights.prefix(model.trainableWeights.count)
    var nonTrainable = weights.dropFirst(model.trainableWeights.count)
    var newTrainable: [Value] = []
    var newNonTrainable: [Value] = []
    for sublayer in model.weightedLayers where !sublayer.weights.isEmpty {
      let trainableCount = sublayer.trainableWeights.count
      let nonTrainableCount = sublayer.nonTrainableWeights.count
      let converted = try convert(
        Array(trainable.prefix(trainableCount)) + Array(nonTrainable.prefix(nonTrainableCount)), for: sublayer,
        kerasVersion: kerasVersion)
      newTrainable += converted.prefix(trainableCount)
      newNonTrainable += converted.dropFirst(trainableCount)
      trainable = trainable.dropFirst(trainableCount)
      nonTrainable = nonTrainable.dropFirst(nonTrainableCount)
    }
    return newTrainable + newNonTrainable
  }

  /// Keras 1's per-gate LSTM (12) and GRU (9) weights joined into kernel, recurrent kernel and bias.
  private static func joinKeras1Gates(_ weights: [Value], for layer: Layer) -> [Value] {
    let order: [Int]
    switch layer {
    case is LSTM where weights.count == 12: order = [0, 6, 3, 9]  // Keras 1: i, c, f, o; Keras 2: i, f, c, o
    case is GRU where weights.count == 9: order = [0, 3, 6]
    default: return weights
    }
    return (0..<3).map { part in concatenateLastAxis(order.map { weights[$0 + part] }) }
  }

  /// `parts` side by side on their last axis (all of one rank, equal leading dimensions).
  private static func concatenateLastAxis(_ parts: [Value]) -> Value {
    let rows = parts[0].shape.dropLast().reduce(1, *)
    let widths = parts.map { $0.shape.last ?? 1 }
    var scalars: [Float] = []
    scalars.reserveCapacity(rows * widths.reduce(0, +))
    for row in 0..<rows {
      for (part, width) in zip(parts, widths) { scalars += part.scalars[row * width..<(row + 1) * width] }
    }
    return Value(shape: parts[0].shape.dropLast() + [widths.reduce(0, +)], scalars: scalars)
  }

  /// An LSTM's weights from a CuDNNLSTM's, when the bias says they are (`8·units`).
  private static func fromCuDNNLSTM(_ weights: [Value], layer: LSTM) throws -> [Value] {
    let units = weights[1].shape.first ?? 0
    let bias = weights[2]
    if bias.shape == [4 * units] { return weights }
    guard bias.shape == [8 * units] else {
      throw Incompatible(
        reason: "LSTM bias of shape \(bias.shape) is neither an LSTM's [\(4 * units)] nor a CuDNNLSTM's "
          + "[\(8 * units)] for \(units) units")
    }
    let summed = zip(bias.scalars[..<(4 * units)], bias.scalars[(4 * units)...]).map { $0 + $1 }
    return [
      try kernelFromCuDNN(weights[0], gates: 4),
      try recurrentKernelFromCuDNN(weights[1], gates: 4),
      Value(shape: [4 * units], scalars: summed),
    ]
  }

  /// A GRU's weights from a CuDNNGRU's (bias `6·units`), for a GRU with `resetAfter`.
  private static func fromCuDNNGRU(_ weights: [Value], layer: GRU) throws -> [Value] {
    let units = weights[1].shape.first ?? 0
    let bias = weights[2]
    let source: String
    switch bias.shape {
    case [6 * units]: source = "CuDNNGRU"
    case [2, 3 * units]: source = "GRU(reset_after=True)"
    case [3 * units]: source = "GRU(reset_after=False)"
    default:
      throw Incompatible(
        reason: "GRU bias of shape \(bias.shape) is neither a GRU's [\(3 * units)] or [2, \(3 * units)] nor a "
          + "CuDNNGRU's [\(6 * units)] for \(units) units")
    }
    let target = layer.resetAfter ? "GRU(reset_after=True)" : "GRU(reset_after=False)"
    guard source != target else { return weights }
    guard source == "CuDNNGRU", layer.resetAfter else {
      throw Incompatible(
        reason: "the file holds \(source) weights (bias \(bias.shape)), which do not fit \(target) "
          + "(build the GRU with resetAfter: \(!layer.resetAfter))")
    }
    return [
      try kernelFromCuDNN(weights[0], gates: 3),
      try recurrentKernelFromCuDNN(weights[1], gates: 3),
      Value(shape: [2, 3 * units], scalars: bias.scalars),
    ]
  }

  /// Each gate's `[F, units]` block of a cuDNN input kernel re-laid as Keras does
  /// (`kernel.T.reshape(kernel.shape, order="F")`): cuDNN keeps a gate's weights as a
  /// row-major `[F, units]` buffer that Keras reads column-major.
  private static func kernelFromCuDNN(_ kernel: Value, gates: Int) throws -> Value {
    let (rows, units) = try gateBlocks(kernel, gates: gates, name: "kernel")
    var result = kernel.scalars
    let width = gates * units
    for gate in 0..<gates {
      for row in 0..<rows {
        for column in 0..<units {
          // Element `row + column·rows` of the gate's block read row-major.
          let flat = row + column * rows
          result[row * width + gate * units + column] =
            kernel.scalars[flat / units * width + gate * units + flat % units]
        }
      }
    }
    return Value(shape: kernel.shape, scalars: result)
  }

  /// Each gate's `[units, units]` block of a cuDNN recurrent kernel transposed.
  private static func recurrentKernelFromCuDNN(_ kernel: Value, gates: Int) throws -> Value {
    let (rows, units) = try gateBlocks(kernel, gates: gates, name: "recurrent_kernel")
    guard rows == units else {
      throw Incompatible(reason: "recurrent_kernel of shape \(kernel.shape) is not [units, \(gates)·units]")
    }
    var result = kernel.scalars
    let width = gates * units
    for gate in 0..<gates {
      for row in 0..<units {
        for column in 0..<units {
          result[row * width + gate * units + column] = kernel.scalars[column * width + gate * units + row]
        }
      }
    }
    return Value(shape: kernel.shape, scalars: result)
  }

  /// The rows and the per-gate width of a 2-D kernel holding `gates` blocks side by side.
  private static func gateBlocks(_ kernel: Value, gates: Int, name: String) throws -> (Int, Int) {
    guard kernel.shape.count == 2, kernel.shape[1] % gates == 0 else {
      throw Incompatible(reason: "\(name) of shape \(kernel.shape) is not [rows, \(gates)·units]")
    }
    return (kernel.shape[0], kernel.shape[1] / gates)
  }
}
