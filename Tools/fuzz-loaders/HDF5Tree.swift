import Foundation
import HDF5

/// An HDF5 file held in memory (groups, datasets and attributes), read from a clean corpus file
/// with the project's HDF5 module and written back with it after a structured mutation.
struct HDF5Tree {
  enum Values {
    case numbers(shape: [Int], values: [Double], type: HDF5ElementType)
    case strings(shape: [Int], values: [String])
  }

  struct Attribute {
    var name: String
    var value: Values
    /// Write string arrays fixed-length (as Keras 2 wrote `weight_names`).
    var fixedLength = false
  }

  final class Node {
    var attributes: [Attribute] = []
    /// Nil for a group.
    var data: Values?
    var children: [(name: String, node: Node)] = []

    init() {}

    func copy() -> Node {
      let node = Node()
      node.attributes = attributes
      node.data = data
      node.children = children.map { ($0.name, $0.node.copy()) }
      return node
    }

    /// Every node below (and including) this one with its path.
    func walk(_ path: String = "") -> [(path: String, node: Node)] {
      [(path.isEmpty ? "/" : path, self)] + children.flatMap { $0.node.walk("\(path)/\($0.name)") }
    }
  }

  var root: Node

  func copy() -> HDF5Tree { HDF5Tree(root: root.copy()) }

  // MARK: Reading

  static func read(path: String) throws -> HDF5Tree {
    let file = try HDF5File(path: path)
    defer { try? file.close() }
    let root = try file.root
    return HDF5Tree(root: try readGroup(root))
  }

  private static func readAttributes(_ object: HDF5Object) throws -> [Attribute] {
    try object.attributeNames().map { name in
      let info = try object.attributeInfo(name)
      if info.elementType == .string {
        return Attribute(
          name: name, value: .strings(shape: info.shape, values: try object.attribute(name, as: [String].self)))
      }
      return Attribute(
        name: name,
        value: .numbers(
          shape: info.shape, values: try object.attribute(name, as: [Double].self), type: info.elementType))
    }
  }

  private static func readGroup(_ group: HDF5Group) throws -> Node {
    let node = Node()
    node.attributes = try readAttributes(group)
    for name in try group.names() {
      switch try group.kind(of: name) {
      case .group: node.children.append((name, try readGroup(try group.group(name))))
      case .dataset:
        let dataset = try group.dataset(name)
        let child = Node()
        child.attributes = try readAttributes(dataset)
        child.data =
          dataset.elementType == .string
          ? .strings(shape: dataset.shape, values: try dataset.readStrings())
          : .numbers(shape: dataset.shape, values: try dataset.read(as: Double.self), type: dataset.elementType)
        node.children.append((name, child))
      case .namedDatatype: continue
      }
    }
    return node
  }

  // MARK: Writing

  /// The file's bytes, written with the HDF5 module into `scratch` and read back.
  func bytes(scratch: String) throws -> [UInt8] {
    try? FileManager.default.removeItem(atPath: scratch)
    try HDF5File.write(to: scratch) { file in try Self.write(root, to: try file.root) }
    return [UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch)))
  }

  private static func write(_ node: Node, to group: HDF5Group) throws {
    try writeAttributes(node.attributes, to: group)
    for (name, child) in node.children {
      if let data = child.data {
        let dataset: HDF5Dataset
        switch data {
        case .numbers(let shape, let values, let type):
          let integers = values.map { Int64(clamping: Int(exactly: $0.rounded()) ?? 0) }
          if shape.isEmpty, let first = values.first {
            switch type {
            case .float64: dataset = try group.createDataset(name, scalar: first)
            case .float16, .float32: dataset = try group.createDataset(name, scalar: Float(first))
            default: dataset = try group.createDataset(name, scalar: integers[0])
            }
          } else {
            switch type {
            case .float64: dataset = try group.createDataset(name, shape: shape, values: values)
            case .float16, .float32:
              dataset = try group.createDataset(name, shape: shape, values: values.map { Float($0) })
            default: dataset = try group.createDataset(name, shape: shape, values: integers)
            }
          }
        case .strings(let shape, let values):
          dataset = try group.createDataset(name, shape: shape.isEmpty ? nil : shape, strings: values)
        }
        try writeAttributes(child.attributes, to: dataset)
      } else {
        try write(child, to: try group.createGroup(name))
      }
    }
  }

  private static func writeAttributes(_ attributes: [Attribute], to object: HDF5Object) throws {
    for attribute in attributes {
      switch attribute.value {
      case .strings(let shape, let values):
        if shape.isEmpty, values.count == 1 {
          try object.setAttribute(attribute.name, to: values[0])
        } else {
          try object.setAttribute(
            attribute.name, to: values, encoding: attribute.fixedLength ? .fixedLength : .variableLength)
        }
      case .numbers(let shape, let values, let type):
        let integer = type != .float32 && type != .float64 && type != .float16
        if shape.isEmpty, values.count == 1 {
          if integer {
            try object.setAttribute(attribute.name, to: Int64(clamping: Int(exactly: values[0].rounded()) ?? 0))
          } else {
            try object.setAttribute(attribute.name, to: values[0])
          }
        } else if integer {
          try object.setAttribute(attribute.name, to: values.map { Int64(clamping: Int(exactly: $0.rounded()) ?? 0) })
        } else {
          try object.setAttribute(attribute.name, to: values.map { Float($0) })
        }
      }
    }
  }
}
