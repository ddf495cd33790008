import Keras

/// The name, element type and shape of one model input or output, as a serving signature lists it.
public struct TensorSpec: Sendable, Equatable {
  /// The key of this tensor in requests and responses (`"inputs"`, `"output_0"`, ...).
  public let name: String
  /// The shape, batch first; `nil` for a dimension of any size (the batch is always `nil`).
  public let shape: [Int?]
  /// TensorFlow's name of the element type (`DT_FLOAT`).
  public let dtype: String

  /// A spec named `name` of `shape` (batch first, `nil` for any size) and element type `dtype`.
  public init(name: String, shape: [Int?], dtype: String = "DT_FLOAT") {
    self.name = name
    self.shape = shape
    self.dtype = dtype
  }
}

/// What the server needs of a model: its input and output specs and a batch prediction.
///
/// The server calls ``predict(_:)`` from one thread at a time per loaded model version, so an
/// implementation need not be safe to call concurrently.
public protocol ServableModel: AnyObject, Sendable {
  /// The inputs, in the order ``predict(_:)`` takes them.
  var inputs: [TensorSpec] { get }
  /// The outputs, in the order ``predict(_:)`` returns them.
  var outputs: [TensorSpec] { get }
  /// The outputs for a batch: one tensor per input, each `[N, ...]` with the same `N`; returns
  /// one `[N, ...]` tensor per output.
  ///
  /// - Throws: when the model cannot run on the inputs.
  func predict(_ inputs: [Tensor]) throws -> [Tensor]
}

/// A ``ServableModel`` over a Keras `Sequential` (one input named `inputs`, one output named
/// `output_0`, as Keras 3's `model.export()` names them).
public final class SequentialServable: ServableModel, @unchecked Sendable {
  /// The model served.
  public let model: Sequential
  /// The single input, `inputs`, of the model's input shape.
  public let inputs: [TensorSpec]
  /// The single output, `output_0`, of the model's output shape.
  public let outputs: [TensorSpec]

  /// Wraps `model`, which must know its input shape (built, or given `inputShape:`).
  ///
  /// - Throws: ``ServingError`` when the model's input shape is unknown.
  public init(_ model: Sequential) throws {
    guard let inputShape = model.inputShape, let outputShape = try model.outputShapes()?.last else {
      throw ServingError.internalError("model '\(model.name)' has no known input shape; build it before serving")
    }
    self.model = model
    self.inputs = [TensorSpec(name: "inputs", shape: [nil] + inputShape.dropFirst())]
    self.outputs = [TensorSpec(name: "output_0", shape: [nil] + outputShape.dropFirst())]
  }

  /// Loads a `.keras` or `.h5` file with `loadModel(_:)` and wraps it.
  ///
  /// - Throws: the loader's error, or ``ServingError`` when the model's input shape is unknown.
  public convenience init(contentsOf path: String) throws {
    guard let sequential = try loadModel(path) as? Sequential else {
      throw ServingError.invalidArgument("'\(path)' holds a Functional model: serve it with ModelServable")
    }
    try self.init(sequential)
  }

  /// `model.predict(x, verbose: 0)` on the single input, in batches of the whole request.
  public func predict(_ inputs: [Tensor]) throws -> [Tensor] {
    guard inputs.count == 1 else {
      throw ServingError.invalidArgument("model '\(model.name)' takes 1 input, got \(inputs.count)")
    }
    return [try model.predict(inputs[0], batchSize: max(inputs[0].shape.first ?? 1, 1), verbose: 0)]
  }
}

/// A ``ServableModel`` over any Keras model with known inputs (Functional, or Sequential with
/// an input shape): one input is named `inputs` and one output `output_0`, as Keras 3's
/// `model.export()` names them; several take their layers' names.
public final class ModelServable: ServableModel, @unchecked Sendable {
  /// The model served.
  public let model: Model
  /// The inputs, in the model's input order.
  public let inputs: [TensorSpec]
  /// The outputs, in the model's output order.
  public let outputs: [TensorSpec]

  /// Wraps `model`; a Sequential goes through ``SequentialServable``'s rules.
  ///
  /// - Throws: ``ServingError`` when the model's inputs are unknown (a subclassed model, or a
  ///   Sequential without an input shape).
  public init(_ model: Model) throws {
    if let sequential = model as? Sequential {
      let single = try SequentialServable(sequential)
      self.model = model
      self.inputs = single.inputs
      self.outputs = single.outputs
      return
    }
    guard !model.inputs.isEmpty else {
      throw ServingError.internalError("model '\(model.name)' has no known inputs; serve a Functional or Sequential model")
    }
    self.model = model
    let inputNames = model.inputs.count == 1 ? ["inputs"] : model.inputNames
    let outputNames = model.outputs.count == 1 ? ["output_0"] : model.outputNames
    self.inputs = zip(inputNames, model.inputs).map { name, tensor in
      TensorSpec(name: name, shape: [nil] + tensor.shape.dropFirst(), dtype: tensor.dtype == "float32" ? "DT_FLOAT" : "DT_INT32")
    }
    self.outputs = zip(outputNames, model.outputs).map { TensorSpec(name: $0, shape: [nil] + $1.shape.dropFirst()) }
  }

  /// Loads a `.keras` or `.h5` file with `loadModel(_:)` and wraps it.
  public convenience init(contentsOf path: String) throws {
    try self.init(try loadModel(path))
  }

  /// `model.predict(inputs, verbose: 0)`, the whole request as one batch.
  public func predict(_ inputs: [Tensor]) throws -> [Tensor] {
    try model.predict(inputs, batchSize: max(inputs.first?.shape.first ?? 1, 1), verbose: 0)
  }
}
