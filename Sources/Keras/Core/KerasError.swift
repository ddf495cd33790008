/// An error from the Keras API, naming the layer, model, file or argument at fault.
public enum KerasError: Error, CustomStringConvertible, Equatable, Sendable {
  /// A layer received an input whose shape it cannot take.
  case incompatibleInput(layer: String, expected: String, got: [Int])
  /// A constructor or method argument outside its valid range.
  case invalidArgument(String)
  /// A name (activation, initializer, loss, ...) that is not known; `valid` lists the known ones.
  case unknownName(kind: String, name: String, valid: [String])
  /// Weights of the wrong count or shape for a model or layer.
  case weightMismatch(String)
  /// The model cannot do this yet (e.g. not built because no input shape is known).
  case notBuilt(String)

  /// The message, naming the layer, the shapes or the valid names.
  public var description: String {
    switch self {
    case .incompatibleInput(let layer, let expected, let got):
      return "Layer '\(layer)': expected input of shape \(expected), got \(got)"
    case .invalidArgument(let message): return message
    case .unknownName(let kind, let name, let valid):
      return "Unknown \(kind) '\(name)'. Valid names: \(valid.joined(separator: ", "))"
    case .weightMismatch(let message): return message
    case .notBuilt(let message): return message
    }
  }
}

/// Formats a shape with an unknown batch dimension as Keras prints it: `(None, 60, 1)`.
func kerasShapeText(_ shape: [Int?]) -> String {
  let parts = shape.map { $0.map(String.init) ?? "None" }
  return parts.count == 1 ? "(\(parts[0]),)" : "(" + parts.joined(separator: ", ") + ")"
}
