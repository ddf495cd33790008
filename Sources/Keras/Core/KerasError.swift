import Foundation

/// An error from the Keras API, naming the layer, model, file or argument at fault.
public enum KerasError: Error, CustomStringConvertible, Equatable, Sendable {
  /// A layer received an input whose shape it cannot take: `expected` is the accepted shape as
  /// Keras prints it (`(None, None, 8)`, or `rank >= 2: (..., 4)` for the last axes), `got` the
  /// shape received (`-1` for an unknown batch size). The message is Keras' (`Input 0 of layer
  /// "lstm" is incompatible with the layer: expected ndim=3, found ndim=2. Full shape received:
  /// (None, 10)`), with how to add a missing feature axis.
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
      return Self.incompatibleInputMessage(layer: layer, expected: expected, got: got)
    case .invalidArgument(let message): return message
    case .unknownName(let kind, let name, let valid):
      return "Unknown \(kind) '\(name)'. Valid names: \(valid.joined(separator: ", "))"
    case .weightMismatch(let message): return message
    case .notBuilt(let message): return message
    }
  }
}

extension KerasError {
  /// Keras' wording of an input a layer cannot take, from the accepted shape as ``InputSpec``
  /// writes it (`(None, None, 8)`, `rank >= 2: (..., 4)`) and the shape received (`-1` for an
  /// unknown batch dimension):
  ///
  ///     Input 0 of layer "lstm" is incompatible with the layer: expected ndim=3, found ndim=2.
  ///     Full shape received: (None, 10)
  ///
  /// followed, when the input lacks one axis, by how to add it (a feature axis of size 1).
  static func incompatibleInputMessage(layer: String, expected: String, got: [Int]) -> String {
    let received = kerasShapeText(got.map { $0 < 0 ? nil : $0 })
    let head = "Input 0 of layer \"\(layer)\" is incompatible with the layer: "
    let generic = head + "expected \(expected), but received input with shape \(received)"
    guard let spec = parsedSpec(expected) else { return generic }
    let rankProblem: String? =
      if let rank = spec.rank, rank != got.count {
        "ndim=\(rank)"
      } else if let minimum = spec.minimumRank, got.count < minimum {
        "min_ndim=\(minimum)"
      } else {
        nil
      }
    if let rankProblem {
      var message = head + "expected \(rankProblem), found ndim=\(got.count). Full shape received: \(received)"
      if got.count + 1 == (spec.rank ?? spec.minimumRank) { message += ". " + featureAxisAdvice(got) }
      return message
    }
    for (offset, size) in spec.dimensions.enumerated() {
      guard let size else { continue }
      let index = spec.trailing ? got.count - spec.dimensions.count + offset : offset
      guard index >= 0, index < got.count, got[index] != size else { continue }
      return head + "expected axis \(index - got.count) of input shape to have value \(size), "
        + "but received input with shape \(received)"
    }
    return generic
  }

  /// A shape requirement as ``InputSpec`` writes it: `(None, None, 8)` (every axis, so the rank
  /// too) or `rank >= 2: (..., 4)` (the last axes, and a smallest rank); nil for other text.
  private static func parsedSpec(_ text: String) -> (
    dimensions: [Int?], trailing: Bool, rank: Int?, minimumRank: Int?
  )? {
    var shape = Substring(text)
    var minimumRank: Int?
    if shape.hasPrefix("rank >= "), let colon = shape.firstIndex(of: ":") {
      guard let rank = Int(shape[shape.index(shape.startIndex, offsetBy: 8)..<colon]) else { return nil }
      minimumRank = rank
      shape = shape[shape.index(after: colon)...].drop { $0 == " " }
    }
    guard shape.hasPrefix("("), shape.hasSuffix(")") else { return nil }
    var parts = shape.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let trailing = parts.first == "..."
    if trailing { parts.removeFirst() }
    var dimensions: [Int?] = []
    for part in parts where !part.isEmpty {
      if part == "None" {
        dimensions.append(nil)
      } else if let size = Int(part) {
        dimensions.append(size)
      } else {
        return nil
      }
    }
    return (dimensions, trailing, trailing ? nil : dimensions.count, minimumRank)
  }

  /// What to do when an input lacks its last axis: one feature per step (or per sample).
  private static func featureAxisAdvice(_ got: [Int]) -> String {
    let sample = got.dropFirst().map(String.init)
    let withAxis = (sample + ["1"]).joined(separator: ", ")
    let data = (["N"] + sample + ["1"]).joined(separator: ", ")
    return "If the data has a single feature, add a last axis of size 1: reshape the data to [\(data)] "
      + "(x.expandingDims(at: -1)) and declare Input(shape: [\(withAxis)]) (or inputShape: [\(withAxis)])"
  }
}

/// Formats a shape with an unknown batch dimension as Keras prints it: `(None, 60, 1)`.
func kerasShapeText(_ shape: [Int?]) -> String {
  let parts = shape.map { $0.map(String.init) ?? "None" }
  return parts.count == 1 ? "(\(parts[0]),)" : "(" + parts.joined(separator: ", ") + ")"
}

extension KerasError: LocalizedError {
  /// The message of `description`, so that `error.localizedDescription` shows it too (Foundation
  /// would otherwise print "The operation could not be completed").
  public var errorDescription: String? { description }
}
