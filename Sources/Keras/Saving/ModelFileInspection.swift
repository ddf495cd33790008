import Foundation
import HDF5
import ZIPFoundation

/// The structure of a Keras model file as text (`swift-keras inspect`): for an HDF5 file
/// (`.h5`, `.weights.h5`) its groups, datasets (shape, type) and attributes with the Keras
/// version; for a `.keras` archive its entries, `metadata.json`, and the tree of its weights.
///
/// - Parameters:
///   - path: the `.keras`, `.h5` or `.weights.h5` file to describe.
///   - attributeWidth: the longest attribute text shown before it is cut.
/// - Throws: ``SavingError`` or an `HDF5Error` naming the file when it is missing or unreadable.
public func inspectModelFile(_ path: String, attributeWidth: Int = 100) throws -> String {
  var inspector = ModelFileInspector(attributeWidth: attributeWidth)
  guard FileManager.default.fileExists(atPath: path) else { throw SavingError.fileNotFound(file: path) }
  if path.hasSuffix(".keras") {
    try inspector.inspectArchive(path)
  } else {
    try inspector.inspectHDF5(path, label: path)
  }
  return inspector.text
}

/// Builds the text of ``inspectModelFile(_:attributeWidth:)-(String,Int)``.
struct ModelFileInspector {
  let attributeWidth: Int
  var text = ""

  init(attributeWidth: Int) { self.attributeWidth = attributeWidth }

  mutating func line(_ s: String) { text += s + "\n" }

  /// Lists a `.keras` zip's entries, prints its metadata, and walks its `model.weights.h5`.
  mutating func inspectArchive(_ file: String) throws {
    let archive: Archive
    do {
      archive = try Archive(url: URL(fileURLWithPath: file), accessMode: .read)
    } catch {
      throw SavingError.invalidFile(file: file, path: nil, reason: "not a .keras archive (not a zip file)")
    }
    line("\(file): .keras archive")
    for entry in archive { line("  \(entry.path)  \(entry.uncompressedSize) bytes") }
    if let metadata = archive["metadata.json"], metadata.uncompressedSize < 1 << 20 {
      var data = Data()
      _ = try archive.extract(metadata, consumer: { data.append($0) })
      line("metadata.json: \(String(decoding: data, as: UTF8.self))")
    }
    guard let weights = archive["model.weights.h5"] else { return }
    guard weights.uncompressedSize < 4 << 30 else {
      throw SavingError.invalidFile(file: file, path: nil, reason: "model.weights.h5 declares \(weights.uncompressedSize) bytes")
    }
    let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-\(UUID().uuidString).h5")
    defer { try? FileManager.default.removeItem(at: temporary) }
    _ = try archive.extract(weights, to: temporary)
    try inspectHDF5(temporary.path, label: "\(file)/model.weights.h5")
  }

  /// Prints the tree of an HDF5 file: groups, datasets with shape and type, attributes.
  mutating func inspectHDF5(_ path: String, label: String) throws {
    let h5 = try HDF5File(path: path)
    defer { try? h5.close() }
    let root = try h5.root
    line("\(label): HDF5")
    if let version = try? root.attribute("keras_version", as: String.self) { line("keras_version: \(version)") }
    if let backend = try? root.attribute("backend", as: String.self) { line("backend: \(backend)") }
    try printAttributes(of: root, indent: "  ")
    try walk(root, indent: "  ", depth: 0)
  }

  mutating func walk(_ group: HDF5Group, indent: String, depth: Int) throws {
    guard depth < 64 else {
      line("\(indent)… (deeper than 64 levels; stopped)")
      return
    }
    for name in try group.names() {
      switch try group.kind(of: name) {
      case .group:
        let child = try group.group(name)
        line("\(indent)\(name)/")
        try printAttributes(of: child, indent: indent + "    ")
        try walk(child, indent: indent + "  ", depth: depth + 1)
      case .dataset:
        let dataset = try group.dataset(name)
        line("\(indent)\(name)  \(dataset.shape)  \(dataset.elementType)")
        try printAttributes(of: dataset, indent: indent + "    ")
      default:
        line("\(indent)\(name)  (other object)")
      }
    }
  }

  mutating func printAttributes(of object: HDF5Object, indent: String) throws {
    for name in try object.attributeNames() {
      let info = try object.attributeInfo(name)
      let text: String
      if info.elementType == .string {
        let values = (try? object.attribute(name, as: [String].self)) ?? []
        text = values.count == 1 && info.shape.isEmpty ? values[0] : "\(values)"
      } else if let numbers = try? object.attribute(name, as: [Double].self) {
        text = info.shape.isEmpty && numbers.count == 1 ? "\(numbers[0])" : "\(numbers)"
      } else {
        text = "(\(info.elementType))"
      }
      let shown = text.count > attributeWidth ? String(text.prefix(attributeWidth)) + "… (\(text.count) characters)" : text
      line("\(indent)@\(name) = \(shown)")
    }
  }
}
