import Foundation
import HDF5
import Keras

/// Mutations built with the project's own HDF5 writer (wrong dtypes, absurd shapes, missing and
/// extra weights, huge attribute strings, hostile `weight_names`, mutated configs) and with a
/// hand-written zip writer (names leaving the archive, duplicates, bombs, lying sizes).
struct StructuredMutator {
  let scratch: String

  /// The marker dimension of a dataset whose declared shape is then patched to something absurd.
  static let markerDimension: UInt64 = 4099

  static let hostilePaths = [
    "/", "..", "../model_weights", ".", "", "/model_weights", "a/../../b", "//", "vars/../vars/0",
    String(repeating: "n", count: 70_000), "/layers/../../x", "\u{0}", "name\u{0}hidden",
  ]

  // MARK: HDF5

  func mutate(_ tree: HDF5Tree, config: ConfigValue?, using random: inout SeededGenerator) throws -> (
    bytes: [UInt8], note: String
  ) {
    let copy = tree.copy()
    var notes: [String] = []
    var patchMarker = false
    for _ in 0..<(1 + random.below(2)) {
      let nodes = copy.root.walk()
      let datasets = nodes.filter { $0.node.data != nil }
      let groups = nodes.filter { $0.node.data == nil }
      switch random.below(11) {
      case 0:
        guard let (path, node) = datasets.isEmpty ? nil : random.pick(datasets),
          case .numbers(let shape, let values, _)? = node.data
        else { continue }
        let choice = random.below(4)
        switch choice {
        case 0: node.data = .numbers(shape: shape, values: values, type: .int64)
        case 1: node.data = .numbers(shape: shape, values: values, type: .float64)
        case 2: node.data = .strings(shape: shape, values: values.map { "\($0)" })
        default: node.data = .numbers(shape: shape, values: values, type: .uint8)
        }
        notes.append("dtype#\(choice) \(path)")
      case 1:
        guard let (path, node) = datasets.isEmpty ? nil : random.pick(datasets),
          case .numbers(let shape, let values, let type)? = node.data
        else { continue }
        let shapes: [[Int]] = [
          shape.reversed(), shape + [1], [1] + shape, [values.count], Array(shape.dropLast()), [0], [],
        ]
        let newShape = random.pick(shapes)
        let count = newShape.reduce(1, *)
        let newValues = (0..<count).map { values.isEmpty ? 0 : values[$0 % values.count] }
        node.data = .numbers(shape: newShape, values: newValues, type: type)
        notes.append("reshape \(path) \(shape)->\(newShape)")
      case 2:
        guard let (path, node) = datasets.isEmpty ? nil : random.pick(datasets) else { continue }
        node.data = .numbers(
          shape: [1, Int(Self.markerDimension)], values: Array(repeating: 0.5, count: Int(Self.markerDimension)),
          type: .float32)
        patchMarker = true
        notes.append("absurd shape \(path)")
      case 3:
        let removable = nodes.filter { $0.path != "/" }
        guard !removable.isEmpty else { continue }
        let path = random.pick(removable).path
        remove(path, from: copy.root)
        notes.append("remove \(path)")
      case 4:
        let (path, group) = random.pick(groups)
        let extra = HDF5Tree.Node()
        let count = random.below(5)
        extra.data = .numbers(shape: [count], values: Array(repeating: 1, count: count), type: .float32)
        let name = random.pick(["\(group.children.count)", "99", "extra", "vars", "0"])
        if group.children.contains(where: { $0.name == name }) {
          group.children.removeAll { $0.name == name }
        }
        group.children.append((name, extra))
        notes.append("extra \(path)/\(name)")
      case 5:
        let (path, node) = random.pick(nodes)
        let size = random.pick([1 << 16, 1 << 20, 4 << 20, 16 << 20])
        let huge = String(repeating: random.pick(["x", "é", "{"]), count: size)
        if let index = node.attributes.indices.randomElement(using: &random), random.chance(0.7) {
          node.attributes[index].value = .strings(shape: [], values: [huge])
          notes.append("huge attribute \(path)@\(node.attributes[index].name) \(size)")
        } else {
          let name = random.pick(["model_config", "layer_names", "weight_names", "name", "training_config"])
          node.attributes.removeAll { $0.name == name }
          node.attributes.append(.init(name: name, value: .strings(shape: [], values: [huge])))
          notes.append("huge attribute \(path)@\(name) \(size)")
        }
      case 6:
        let withAttributes = nodes.filter { !$0.node.attributes.isEmpty }
        guard let (path, node) = withAttributes.isEmpty ? nil : random.pick(withAttributes) else { continue }
        let index = random.below(node.attributes.count)
        switch random.below(4) {
        case 0: node.attributes[index].value = .numbers(shape: [3], values: [1, 2, 3], type: .int64)
        case 1: node.attributes[index].value = .numbers(shape: [0], values: [], type: .float32)
        case 2:
          let count = random.pick([1000, 100_000])
          node.attributes[index].value = .strings(shape: [count], values: Array(repeating: "dense", count: count))
        default:
          node.attributes[index].fixedLength.toggle()
        }
        notes.append("attribute type \(path)@\(node.attributes[index].name)")
      case 7:
        let lists = nodes.flatMap { entry in
          entry.node.attributes.indices.compactMap { index -> (String, HDF5Tree.Node, Int)? in
            guard case .strings(let shape, let values) = entry.node.attributes[index].value, !shape.isEmpty,
              !values.isEmpty
            else { return nil }
            return (entry.path, entry.node, index)
          }
        }
        guard let (path, node, index) = lists.isEmpty ? nil : random.pick(lists),
          case .strings(_, var values) = node.attributes[index].value
        else { continue }
        let position = random.below(values.count)
        if random.chance(0.3) {
          values.append(values[position])
        } else {
          values[position] = random.pick(Self.hostilePaths)
        }
        node.attributes[index].value = .strings(shape: [values.count], values: values)
        notes.append("hostile name \(path)@\(node.attributes[index].name)[\(position)]")
      case 8:
        let configAttributes = copy.root.attributes.indices.filter {
          ["model_config", "training_config"].contains(copy.root.attributes[$0].name)
        }
        guard let index = configAttributes.isEmpty ? nil : random.pick(configAttributes),
          case .strings(let shape, let values) = copy.root.attributes[index].value, let text = values.first,
          let parsed = try? ConfigValue.parse(json: text)
        else { continue }
        let (mutated, note) = ConfigMutator.mutate(parsed, using: &random)
        copy.root.attributes[index].value = .strings(shape: shape, values: [mutated])
        notes.append("\(copy.root.attributes[index].name): \(note)")
      case 9:
        let renamable = nodes.filter { $0.node.children.count > 0 }
        guard let (path, node) = renamable.isEmpty ? nil : random.pick(renamable) else { continue }
        let index = random.below(node.children.count)
        let newName = random.pick(["vars", "0", "00", "cell", "layers", "x", "model_weights", "optimizer"])
        guard !node.children.contains(where: { $0.name == newName }) else { continue }
        notes.append("rename \(path)/\(node.children[index].name)->\(newName)")
        node.children[index].name = newName
      default:
        guard datasets.count >= 2 else { continue }
        let (fromPath, from) = random.pick(datasets)
        let (toPath, to) = random.pick(datasets)
        to.data = from.data
        notes.append("copy \(fromPath)->\(toPath)")
      }
    }
    _ = config
    var bytes = try copy.bytes(scratch: "\(scratch)/structured.h5")
    if patchMarker {
      let absurd = random.pick([UInt64(1) << 31, 1 << 40, 1 << 62, UInt64.max, UInt64(Int64.max), 0])
      patch(&bytes, marker: Self.markerDimension, with: absurd)
      notes.append("dimension=\(absurd)")
    }
    return (bytes, notes.joined(separator: "; "))
  }

  private func remove(_ path: String, from root: HDF5Tree.Node) {
    var components = path.split(separator: "/").map(String.init)
    guard let last = components.popLast() else { return }
    var node = root
    for component in components {
      guard let child = node.children.first(where: { $0.name == component })?.node else { return }
      node = child
    }
    node.children.removeAll { $0.name == last }
  }

  /// Overwrites every 8-byte little-endian `marker` in `bytes` with `value`.
  private func patch(_ bytes: inout [UInt8], marker: UInt64, with value: UInt64) {
    guard bytes.count >= 8 else { return }
    for position in 0...(bytes.count - 8) where bytes[position] == UInt8(marker & 0xFF) {
      var matches = true
      for index in 0..<8 where bytes[position + index] != UInt8(truncatingIfNeeded: marker >> UInt64(8 * index)) {
        matches = false
        break
      }
      guard matches else { continue }
      for index in 0..<8 { bytes[position + index] = UInt8(truncatingIfNeeded: value >> UInt64(8 * index)) }
    }
  }

  // MARK: Zip

  /// A deflated bomb of about 256 MiB of zeros, made once.
  nonisolated(unsafe) static var bomb: (payload: [UInt8], size: Int)? = nil

  func mutateArchive(_ entries: [ZipEntry], using random: inout SeededGenerator) -> (bytes: [UInt8], note: String) {
    var entries = entries
    var note = ""
    switch random.below(10) {
    case 0:
      let name = random.pick([
        "../evil.txt", "../../../../tmp/evil", "/etc/evil", "assets/../../x", "..\\evil", "a/./../..",
        "model.weights.h5/../../x",
      ])
      entries.insert(ZipEntry(name: name, stored: Array("x".utf8)), at: random.below(entries.count + 1))
      note = "traversal \(name)"
    case 1:
      let index = random.below(entries.count)
      var duplicate = entries[index]
      if random.chance(0.5) {
        duplicate = ZipEntry(name: duplicate.name, stored: Array("{}".utf8))
      }
      entries.insert(duplicate, at: random.below(entries.count + 1))
      note = "duplicate \(entries[index].name)"
    case 2:
      let index = random.below(entries.count)
      note = "missing \(entries[index].name)"
      entries.remove(at: index)
    case 3, 4:
      if Self.bomb == nil { Self.bomb = DeflateBomb.zeros(copies: (256 << 20) / 258) }
      let bomb = Self.bomb!
      let index =
        entries.firstIndex { $0.name == random.pick(["model.weights.h5", "config.json", "metadata.json"]) } ?? 0
      let declared: UInt32 = random.pick([UInt32(bomb.size), 1000, UInt32(bomb.size) / 2, 0, UInt32.max])
      entries[index] = ZipEntry(
        name: entries[index].name, deflated: bomb.payload, crc: 0x1234_5678, uncompressedSize: declared)
      note = "bomb \(entries[index].name) declaring \(declared) of \(bomb.size)"
    case 5:
      let index = random.below(entries.count)
      let lie = random.pick([
        UInt32(0), 1, entries[index].uncompressedSize / 2, entries[index].uncompressedSize + 1, UInt32.max,
      ])
      entries[index].uncompressedSize = lie
      note = "size lie \(entries[index].name) \(lie)"
    case 6:
      let index = random.below(entries.count)
      entries[index].externalAttributes = random.pick([0o120777 << 16, 0o040755 << 16, 0])
      if entries[index].externalAttributes == 0o120777 << 16 { entries[index].payload = Array("/etc/passwd".utf8) }
      note = "type \(entries[index].name)"
    case 7:
      let index = random.below(entries.count)
      entries[index].crc ^= 1
      note = "crc \(entries[index].name)"
    case 8:
      let index = random.below(entries.count)
      entries[index].method = random.pick([8, 12, 14, 99])
      note = "method \(entries[index].method) \(entries[index].name)"
    default:
      let index = random.below(entries.count)
      entries[index].name = random.pick([
        "config.json/", "CONFIG.JSON", "config.json\u{0}", String(repeating: "a", count: 65_000), "",
      ])
      note = "name \(index)"
    }
    return (ZipWriter.archive(entries), note)
  }
}
