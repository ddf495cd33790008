import Foundation
import Keras

/// The three input formats the fuzzer feeds the loaders.
enum Format: String, CaseIterable {
  /// Whole-model legacy `.h5` (Keras 3 and tf_keras), read by `loadModel`.
  case h5
  /// `.weights.h5` (Keras 3) and legacy weights `.h5`, read by `Sequential.loadWeights`.
  case weights
  /// `.keras` zip archives, read by `loadModel`.
  case keras
}

/// One clean corpus file with what the mutators need from it, parsed once.
struct Seed {
  let name: String
  let format: Format
  let bytes: [UInt8]
  /// The extension the mutated input is saved under.
  let fileExtension: String
  /// Offsets of HDF5 metadata signatures (`OHDR`, `TREE`, `HEAP`, ...), where byte mutations
  /// hit structure rather than float data.
  let hotOffsets: [Int]
  /// The HDF5 content (whole-model `.h5` and weights files).
  let tree: HDF5Tree?
  /// The archive's entries (`.keras`).
  let zipEntries: [ZipEntry]?
  /// The HDF5 content of a `.keras` file's `model.weights.h5`.
  let innerWeights: HDF5Tree?
  /// The model config (`config.json` or `model_config`).
  let config: ConfigValue?
  /// For weights files: the clean `.keras` file whose model the weights are loaded into.
  let architecture: String?
}

/// Loads the corpus from a directory of model files (`name.keras`, `name.h5`, `name.tf_keras.h5`).
enum CorpusLoader {
  static let signatures = [
    "OHDR", "OCHK", "TREE", "HEAP", "SNOD", "GCOL", "BTHD", "BTLF", "FRHP", "FHDB", "FSHD", "FSSE",
  ]

  static func load(directory: String, scratch: String) throws -> [Format: [Seed]] {
    let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    var seeds: [Format: [Seed]] = [:]
    for name in names {
      let path = "\(directory)/\(name)"
      let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
      let stem = String(name.prefix { $0 != "." })
      let architecture = names.contains("\(stem).keras") ? "\(directory)/\(stem).keras" : nil
      if name.hasSuffix(".keras") {
        guard let entries = ZipWriter.entries(of: bytes) else { continue }
        let config = entries.first { $0.name == "config.json" }.flatMap {
          try? ConfigValue.parse(json: String(decoding: $0.payload, as: UTF8.self))
        }
        var inner: HDF5Tree? = nil
        if let weights = entries.first(where: { $0.name == "model.weights.h5" }) {
          let weightsPath = "\(scratch)/corpus-\(stem).weights.h5"
          try Data(weights.payload).write(to: URL(fileURLWithPath: weightsPath))
          inner = try HDF5Tree.read(path: weightsPath)
          seeds[.weights, default: []].append(
            Seed(
              name: "\(name):model.weights.h5", format: .weights, bytes: weights.payload, fileExtension: ".weights.h5",
              hotOffsets: hotOffsets(weights.payload), tree: inner, zipEntries: nil, innerWeights: nil, config: nil,
              architecture: path))
        }
        seeds[.keras, default: []].append(
          Seed(
            name: name, format: .keras, bytes: bytes, fileExtension: ".keras", hotOffsets: hotOffsets(bytes), tree: nil,
            zipEntries: entries, innerWeights: inner, config: config, architecture: nil))
      } else if name.hasSuffix(".h5") {
        let tree = try HDF5Tree.read(path: path)
        let modelConfig = tree.root.attributes.first { $0.name == "model_config" }.flatMap {
          attribute -> ConfigValue? in
          guard case .strings(_, let values) = attribute.value, let text = values.first else { return nil }
          return try? ConfigValue.parse(json: text)
        }
        let offsets = hotOffsets(bytes)
        seeds[.h5, default: []].append(
          Seed(
            name: name, format: .h5, bytes: bytes, fileExtension: ".h5", hotOffsets: offsets, tree: tree,
            zipEntries: nil,
            innerWeights: nil, config: modelConfig, architecture: nil))
        if let architecture {
          seeds[.weights, default: []].append(
            Seed(
              name: name, format: .weights, bytes: bytes, fileExtension: ".h5", hotOffsets: offsets, tree: tree,
              zipEntries: nil, innerWeights: nil, config: nil, architecture: architecture))
        }
      }
    }
    return seeds
  }

  /// Offsets of the HDF5 structure signatures in `bytes`, plus the superblock.
  static func hotOffsets(_ bytes: [UInt8]) -> [Int] {
    let patterns = signatures.map { Array($0.utf8) }
    var offsets = [0]
    guard bytes.count >= 4 else { return offsets }
    for position in 0..<(bytes.count - 3) {
      for pattern in patterns
      where bytes[position] == pattern[0] && bytes[position + 1] == pattern[1] && bytes[position + 2] == pattern[2]
        && bytes[position + 3] == pattern[3]
      {
        offsets.append(position)
      }
    }
    return offsets
  }
}
