import Foundation
import Keras

/// A `:predict` request body decoded against a model's inputs (TensorFlow Serving's REST format).
///
/// `{"instances": [...]}` is the row format: one entry per example, either the example itself (one
/// input) or an object keyed by input name. `{"inputs": ...}` is the columnar format: the whole
/// batch, either as one tensor (one input) or an object keyed by input name. Numbers must be finite
/// and shapes must match the inputs' shapes after the batch dimension.
struct PredictRequest {
  /// How the client sent the batch, which decides how the answer is written.
  enum Format { case row, columnar }

  /// Row or columnar.
  let format: Format
  /// One tensor per model input, batch first, all with the same batch size.
  let inputs: [Tensor]

  /// Decodes `body` for a model with `specs` inputs.
  ///
  /// - Throws: ``ServingError/invalidArgument(_:)`` naming what is wrong (malformed JSON, a missing
  ///   or unknown input, a shape or element type mismatch, a NaN or infinity).
  static func decode(_ body: Data, inputs specs: [TensorSpec]) throws -> PredictRequest {
    let json: Any
    do {
      json = try JSONSerialization.jsonObject(with: body)
    } catch {
      throw ServingError.invalidArgument("malformed JSON in the request body")
    }
    guard let object = json as? [String: Any] else {
      throw ServingError.invalidArgument("the request body must be a JSON object with \"instances\" or \"inputs\"")
    }
    if let signature = object["signature_name"] {
      guard let name = signature as? String, name == "serving_default" || name.isEmpty else {
        throw ServingError.invalidArgument(
          "serving signature name \(describe(signature)) not found; this model has \"serving_default\"")
      }
    }
    let unknownKeys = Set(object.keys).subtracting(["instances", "inputs", "signature_name"])
    if let key = unknownKeys.sorted().first {
      throw ServingError.invalidArgument(
        "unknown key \"\(key)\" in the request body; expected \"instances\" or \"inputs\"")
    }
    switch (object["instances"], object["inputs"]) {
    case (.some, .some):
      throw ServingError.invalidArgument("the request body has both \"instances\" and \"inputs\"; send one of them")
    case (nil, nil):
      throw ServingError.invalidArgument("the request body has neither \"instances\" nor \"inputs\"")
    case (let instances?, nil):
      return PredictRequest(format: .row, inputs: try decodeRows(instances, specs))
    case (nil, let columns?):
      return PredictRequest(format: .columnar, inputs: try decodeColumns(columns, specs))
    }
  }

  private static func decodeRows(_ value: Any, _ specs: [TensorSpec]) throws -> [Tensor] {
    guard let rows = value as? [Any] else { throw ServingError.invalidArgument("\"instances\" must be a list") }
    guard !rows.isEmpty else { throw ServingError.invalidArgument("\"instances\" is empty") }
    if rows.first is [String: Any] {
      let named = try rows.enumerated().map { index, row in
        guard let fields = row as? [String: Any] else {
          throw ServingError.invalidArgument("instance \(index) is not an object like instance 0")
        }
        try checkNames(Set(fields.keys), specs, what: "instance \(index)")
        return fields
      }
      return try specs.map { spec in try tensor(named.map { $0[spec.name]! }, spec) }
    }
    guard specs.count == 1 else {
      throw ServingError.invalidArgument(
        "the model has \(specs.count) inputs; each instance must be an object keyed by input name (\(nameList(specs)))")
    }
    return [try tensor(rows, specs[0])]
  }

  private static func decodeColumns(_ value: Any, _ specs: [TensorSpec]) throws -> [Tensor] {
    let tensors: [Tensor]
    if let fields = value as? [String: Any] {
      try checkNames(Set(fields.keys), specs, what: "\"inputs\"")
      tensors = try specs.map { try tensor(fields[$0.name]!, $0) }
    } else {
      guard specs.count == 1 else {
        throw ServingError.invalidArgument(
          "the model has \(specs.count) inputs; \"inputs\" must be an object keyed by input name (\(nameList(specs)))")
      }
      tensors = [try tensor(value, specs[0])]
    }
    let batches = Set(tensors.map { $0.shape[0] })
    guard batches.count == 1 else {
      throw ServingError.invalidArgument("the inputs have different batch sizes: \(tensors.map { $0.shape[0] })")
    }
    return tensors
  }

  private static func checkNames(_ names: Set<String>, _ specs: [TensorSpec], what: String) throws {
    let expected = Set(specs.map(\.name))
    if let missing = specs.map(\.name).first(where: { !names.contains($0) }) {
      throw ServingError.invalidArgument("\(what) lacks input \"\(missing)\" (inputs: \(nameList(specs)))")
    }
    if let unknown = names.subtracting(expected).sorted().first {
      throw ServingError.invalidArgument("\(what) names unknown input \"\(unknown)\" (inputs: \(nameList(specs)))")
    }
  }

  private static func nameList(_ specs: [TensorSpec]) -> String {
    specs.map { "\"\($0.name)\"" }.joined(separator: ", ")
  }

  /// The tensor of nested lists `value`, checked against `spec` (batch first).
  static func tensor(_ value: Any, _ spec: TensorSpec) throws -> Tensor {
    var shape: [Int] = []
    var probe = value
    while let list = probe as? [Any] {
      shape.append(list.count)
      guard let first = list.first else { break }
      probe = first
    }
    let expected = spec.shape.map { $0.map(String.init) ?? "None" }.joined(separator: ", ")
    guard shape.count == spec.shape.count,
      zip(shape.dropFirst(), spec.shape.dropFirst()).allSatisfy({ given, wanted in wanted == nil || wanted == given })
    else {
      throw ServingError.invalidArgument(
        "input \"\(spec.name)\": expected shape (\(expected)), got \(shape.isEmpty ? "a scalar" : "shape \(shape)")")
    }
    guard shape[0] > 0, !shape.contains(0) else {
      throw ServingError.invalidArgument("input \"\(spec.name)\": shape \(shape) holds no values")
    }
    var scalars: [Float] = []
    scalars.reserveCapacity(shape.reduce(1, *))
    try flatten(value, shape: shape[...], into: &scalars, spec: spec, path: [])
    return try Tensor(shape: shape, scalars: scalars)
  }

  private static func flatten(
    _ value: Any, shape: ArraySlice<Int>, into scalars: inout [Float], spec: TensorSpec, path: [Int]
  ) throws {
    guard let dimension = shape.first else {
      guard let number = value as? NSNumber, !(value is String) else {
        throw ServingError.invalidArgument(
          "input \"\(spec.name)\" at \(path): expected a number (\(spec.dtype)), got \(describe(value))")
      }
      let scalar = Float(number.doubleValue)
      guard scalar.isFinite else {
        throw ServingError.invalidArgument(
          "input \"\(spec.name)\" at \(path): \(number) is not a finite 32-bit float")
      }
      scalars.append(scalar)
      return
    }
    guard let list = value as? [Any], list.count == dimension else {
      let got = (value as? [Any]).map { "a list of \($0.count)" } ?? describe(value)
      throw ServingError.invalidArgument(
        "input \"\(spec.name)\" at \(path): expected a list of \(dimension) (a ragged or mistyped tensor), got \(got)")
    }
    for (index, element) in list.enumerated() {
      try flatten(element, shape: shape.dropFirst(), into: &scalars, spec: spec, path: path + [index])
    }
  }

  private static func describe(_ value: Any) -> String {
    switch value {
    case is String: return "a string"
    case is NSNull: return "null"
    case is [String: Any]: return "an object"
    case is [Any]: return "a list"
    default: return "\(value)"
    }
  }
}

/// Writes tensors as JSON nested lists (TensorFlow Serving's `predictions` and `outputs`).
enum JSONTensorWriter {
  /// `{"predictions": ...}` for row requests, `{"outputs": ...}` for columnar ones.
  static func response(_ outputs: [Tensor], specs: [TensorSpec], format: PredictRequest.Format) -> String {
    var text = ""
    text.reserveCapacity(64 + outputs.reduce(0) { $0 + $1.count * 12 })
    switch format {
    case .columnar where outputs.count == 1:
      text += "{\"outputs\":"
      append(outputs[0], rows: 0..<(outputs[0].shape.first ?? 0), to: &text)
    case .columnar:
      text += "{\"outputs\":{"
      for (index, (output, spec)) in zip(outputs, specs).enumerated() {
        if index > 0 { text += "," }
        text += quoted(spec.name) + ":"
        append(output, rows: 0..<(output.shape.first ?? 0), to: &text)
      }
      text += "}"
    case .row where outputs.count == 1:
      text += "{\"predictions\":"
      append(outputs[0], rows: 0..<(outputs[0].shape.first ?? 0), to: &text)
    case .row:
      text += "{\"predictions\":["
      let rows = outputs.first?.shape.first ?? 0
      for row in 0..<rows {
        if row > 0 { text += "," }
        text += "{"
        for (index, (output, spec)) in zip(outputs, specs).enumerated() {
          if index > 0 { text += "," }
          text += quoted(spec.name) + ":"
          appendRow(output, row, to: &text)
        }
        text += "}"
      }
      text += "]"
    }
    text += "}"
    return text
  }

  /// Rows `rows` of `tensor` as a JSON list of rows.
  static func append(_ tensor: Tensor, rows: Range<Int>, to text: inout String) {
    text += "["
    for row in rows {
      if row > rows.lowerBound { text += "," }
      appendRow(tensor, row, to: &text)
    }
    text += "]"
  }

  /// Row `row` of `tensor` (a number for a rank-1 tensor, nested lists otherwise).
  static func appendRow(_ tensor: Tensor, _ row: Int, to text: inout String) {
    let inner = Array(tensor.shape.dropFirst())
    let size = inner.reduce(1, *)
    tensor.withUnsafeBufferPointer { scalars in
      var offset = row * size
      appendNested(scalars, shape: inner[...], offset: &offset, to: &text)
    }
  }

  private static func appendNested(
    _ scalars: UnsafeBufferPointer<Float>, shape: ArraySlice<Int>, offset: inout Int, to text: inout String
  ) {
    guard let dimension = shape.first else {
      appendNumber(scalars[offset], to: &text)
      offset += 1
      return
    }
    text += "["
    for index in 0..<dimension {
      if index > 0 { text += "," }
      appendNested(scalars, shape: shape.dropFirst(), offset: &offset, to: &text)
    }
    text += "]"
  }

  private static func appendNumber(_ value: Float, to text: inout String) {
    if value.isNaN {
      text += "NaN"
    } else if value.isInfinite {
      text += value > 0 ? "Infinity" : "-Infinity"
    } else {
      text += value.description
    }
  }

  /// `value` as a JSON string literal.
  static func quoted(_ value: String) -> String {
    var text = "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": text += "\\\""
      case "\\": text += "\\\\"
      case "\n": text += "\\n"
      case _ where scalar.value < 0x20: text += String(format: "\\u%04x", scalar.value)
      default: text.unicodeScalars.append(scalar)
      }
    }
    return text + "\""
  }
}
