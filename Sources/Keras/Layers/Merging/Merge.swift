/// The base of the layers that join several tensors into one (`keras.layers.Add`, ...):
/// called on a list of symbolic tensors (`Add()([a, b])`) or on a list of tensors
/// (`merge([a, b])`). Masks combine as in Keras: the logical OR of the inputs' masks when
/// every input has one, else none.
open class Merge: Layer, @unchecked Sendable {
  /// The least number of inputs the layer takes.
  var minimumInputs: Int { 2 }

  /// Joins the inputs (shapes already checked).
  func merge(_ inputs: [Tensor]) throws -> Tensor { fatalError("Merge.merge must be overridden") }

  /// Joins the inputs given their masks (`[N, T]` for `[N, T, d]` inputs, 1 = real step); the
  /// default ignores the masks, as Keras' Add, Subtract, Average and Concatenate do.
  func merge(_ inputs: [Tensor], masks: [Tensor?]) throws -> Tensor { try merge(inputs) }

  /// `mask` widened to `input`'s shape along a new last axis.
  func widened(_ mask: Tensor?, like input: Tensor) throws -> Tensor? {
    guard let mask else { return nil }
    guard mask.rank < input.rank else { return mask }
    return try mask.expandingDims(at: mask.rank).broadcast(to: input.shape)
  }

  /// Keras' `_apply_merge_op_and_or_mask` (Maximum, Minimum): a masked step of one input takes
  /// the running result's value and a masked step of the result takes the input's, so padding
  /// never wins; without masks, `op` over the inputs.
  func mergeKeepingMaskedOut(_ inputs: [Tensor], masks: [Tensor?], _ op: (Tensor, Tensor) throws -> Tensor) throws
    -> Tensor
  {
    var output = inputs[0]
    var outputMask = try widened(masks.first ?? nil, like: inputs[0])
    for (x, mask) in zip(inputs, masks).dropFirst() {
      var x = x
      let m = try widened(mask, like: x)
      if let m { x = try x * m + output * (1 - m) }
      if let outputMask { output = try output * outputMask + x * (1 - outputMask) }
      if let m, let current = outputMask { outputMask = try current.maximum(m) } else { outputMask = nil }
      output = try op(output, x)
    }
    return output
  }

  /// The output shape for the input shapes (batch `nil`); the default needs equal shapes.
  func mergedShape(_ shapes: [[Int?]]) throws -> [Int?] {
    var result = shapes[0]
    for shape in shapes.dropFirst() {
      guard shape.count == result.count else { throw shapeError(shapes) }
      for (i, (a, b)) in zip(result, shape).enumerated() {
        if let a, let b, a != b { throw shapeError(shapes) }
        result[i] = a ?? b
      }
    }
    return result
  }

  func shapeError(_ shapes: [[Int?]]) -> KerasError {
    .invalidArgument(
      "Layer '\(name)' (\(Self.className)) needs inputs of the same shape, got "
        + shapes.map(kerasShapeText).joined(separator: " and "))
  }

  /// Joins `inputs` (each batch first).
  ///
  /// - Throws: for fewer inputs than the layer takes or shapes it cannot join, naming the layer and the shapes.
  public func callAsFunction(_ inputs: [Tensor]) throws -> Tensor {
    try callNode(inputs, masks: inputs.map { _ in nil }, initialState: [], training: false).outputs[0]
  }

  public override func symbolicOutputShapes(
    _ inputShapes: [[Int?]], initialStateShapes: [[Int?]], inputDTypes: [String]
  ) throws -> [[Int?]] {
    guard inputShapes.count >= minimumInputs else {
      throw KerasError.invalidArgument(
        "Layer '\(name)' (\(Self.className)) should be called on a list of at least \(minimumInputs) inputs, got \(inputShapes.count)")
    }
    guard initialStateShapes.isEmpty else { throw KerasError.invalidArgument("Layer '\(name)' takes no initialState") }
    let shape = try mergedShape(inputShapes)
    if !isBuilt { try buildIfNeeded(inputShapes[0]) }
    return [shape]
  }

  public override func callNode(_ inputs: [Tensor], masks: [Tensor?], initialState: [Tensor], training: Bool) throws -> (
    outputs: [Tensor], masks: [Tensor?]
  ) {
    _ = try symbolicOutputShapes(
      inputs.map { [nil] + $0.shape.dropFirst().map { $0 } }, initialStateShapes: [], inputDTypes: [])
    let output = try merge(inputs, masks: masks)
    return ([output], [try mergedMask(masks, inputs: inputs)])
  }

  /// The mask of the output: the OR of the inputs' masks when all have one.
  func mergedMask(_ masks: [Tensor?], inputs: [Tensor]) throws -> Tensor? {
    let present = masks.compactMap { $0 }
    guard present.count == masks.count, var result = present.first else { return nil }
    for mask in present.dropFirst() { result = try result.maximum(mask) }
    return result
  }
}

/// Adds its inputs elementwise (`keras.layers.Add`).
public final class Add: Merge, @unchecked Sendable {
  /// An Add layer.
  public init(name: String? = nil) { super.init(name: name) }
  override func merge(_ inputs: [Tensor]) throws -> Tensor { try inputs.dropFirst().reduce(inputs[0]) { try $0 + $1 } }
}

/// Subtracts its second input from its first (`keras.layers.Subtract`).
public final class Subtract: Merge, @unchecked Sendable {
  /// A Subtract layer.
  public init(name: String? = nil) { super.init(name: name) }
  override func mergedShape(_ shapes: [[Int?]]) throws -> [Int?] {
    guard shapes.count == 2 else {
      throw KerasError.invalidArgument("Layer '\(name)' (Subtract) should be called on exactly 2 inputs, got \(shapes.count)")
    }
    return try super.mergedShape(shapes)
  }
  override func merge(_ inputs: [Tensor]) throws -> Tensor { try inputs[0] - inputs[1] }
}

/// Multiplies its inputs elementwise (`keras.layers.Multiply`).
public final class Multiply: Merge, @unchecked Sendable {
  /// A Multiply layer.
  public init(name: String? = nil) { super.init(name: name) }
  override func merge(_ inputs: [Tensor]) throws -> Tensor { try inputs.dropFirst().reduce(inputs[0]) { try $0 * $1 } }

  /// As Keras 3: a masked step counts as 1; when every input has a mask, the steps masked in
  /// all of them are 0.
  override func merge(_ inputs: [Tensor], masks: [Tensor?]) throws -> Tensor {
    guard masks.contains(where: { $0 != nil }) else { return try merge(inputs) }
    var output: Tensor? = nil
    var outputMask: Tensor? = nil
    for (x, mask) in zip(inputs, masks) {
      var x = x
      if let m = try widened(mask, like: x) {
        x = try x * m + (1 - m)
        outputMask = try outputMask.map { try $0.maximum(m) } ?? m
      }
      output = try output.map { try $0 * x } ?? x
    }
    guard let output, let outputMask, masks.allSatisfy({ $0 != nil }) else { return output ?? inputs[0] }
    return try output * outputMask
  }
}

/// The elementwise mean of its inputs (`keras.layers.Average`).
public final class Average: Merge, @unchecked Sendable {
  /// An Average layer.
  public init(name: String? = nil) { super.init(name: name) }
  override func merge(_ inputs: [Tensor]) throws -> Tensor {
    try inputs.dropFirst().reduce(inputs[0]) { try $0 + $1 } / Float(inputs.count)
  }
}

/// The elementwise maximum of its inputs (`keras.layers.Maximum`).
public final class Maximum: Merge, @unchecked Sendable {
  /// A Maximum layer.
  public init(name: String? = nil) { super.init(name: name) }
  override func merge(_ inputs: [Tensor]) throws -> Tensor { try inputs.dropFirst().reduce(inputs[0]) { try $0.maximum($1) } }
  /// As Keras 3: masked steps take no part (Keras' `_apply_merge_op_and_or_mask`).
  override func merge(_ inputs: [Tensor], masks: [Tensor?]) throws -> Tensor {
    try mergeKeepingMaskedOut(inputs, masks: masks) { try $0.maximum($1) }
  }
}

/// The elementwise minimum of its inputs (`keras.layers.Minimum`).
public final class Minimum: Merge, @unchecked Sendable {
  /// A Minimum layer.
  public init(name: String? = nil) { super.init(name: name) }
  override func merge(_ inputs: [Tensor]) throws -> Tensor { try inputs.dropFirst().reduce(inputs[0]) { try $0.minimum($1) } }
  /// As Keras 3: masked steps take no part (Keras' `_apply_merge_op_and_or_mask`).
  override func merge(_ inputs: [Tensor], masks: [Tensor?]) throws -> Tensor {
    try mergeKeepingMaskedOut(inputs, masks: masks) { try $0.minimum($1) }
  }
}

extension Add: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer { Add(name: config.name) }
}

extension Subtract: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer { Subtract(name: config.name) }
}

extension Multiply: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer { Multiply(name: config.name) }
}

extension Average: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer { Average(name: config.name) }
}

extension Maximum: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer { Maximum(name: config.name) }
}

extension Minimum: KerasDeserializable {
  static func make(from config: LayerConfig) throws -> Layer { Minimum(name: config.name) }
}
