import Foundation
import TensorCore

/// One batch of a ``TextDataset``: texts and their class indices.
public struct TextBatch: Sendable {
  /// The files' contents.
  public var texts: [String]
  /// Per text, the index of its class in ``TextDataset/classNames`` (empty without labels).
  public var labels: [Int]
}

/// Text files and their labels, read a batch at a time (`text_dataset_from_directory`'s result):
/// ``textDatasetFromDirectory(_:batchSize:shuffle:seed:validationSplit:subset:classNames:)`` makes one.
/// Its batches hold strings; ``map(_:)`` turns them into a ``Dataset`` of tensors (through a
/// `TextVectorization` layer, say) for `fit`.
public struct TextDataset: Sendable {
  /// The files, in the order batches read them.
  public let filePaths: [String]
  /// Per file, the index of its class in ``classNames``.
  public let labels: [Int]
  /// The class names: the subfolders, sorted as Keras sorts them.
  public let classNames: [String]
  /// Files per batch.
  public let batchSize: Int

  /// Batches in one pass.
  public var batchCount: Int { (filePaths.count + batchSize - 1) / batchSize }

  /// The texts and labels of files `index * batchSize ..< (index + 1) * batchSize`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for an index out of range or a file that
  ///   cannot be read as UTF-8 (naming it).
  public func batch(at index: Int) throws -> TextBatch {
    guard index >= 0, index < batchCount else {
      throw KerasError.invalidArgument("TextDataset: batch \(index) is outside 0..<\(batchCount)")
    }
    let range = (index * batchSize)..<Swift.min((index + 1) * batchSize, filePaths.count)
    let texts = try filePaths[range].map { path in
      guard let data = FileManager.default.contents(atPath: path) else {
        throw KerasError.invalidArgument("TextDataset: cannot read '\(path)'")
      }
      return String(decoding: data, as: UTF8.self)
    }
    return TextBatch(texts: texts, labels: Array(labels[range]))
  }

  /// A ``Dataset`` of tensors made from these batches by `transform` (run on the prefetch
  /// thread as batches are read): the texts turned into ids, the labels into a target.
  ///
  /// ```swift
  /// let train = try textDatasetFromDirectory("aclImdb/train", batchSize: 32)
  /// let ids = train.map { batch in
  ///   DatasetBatch(x: try vectorize(batch.texts), y: Tensor(batch.labels.map(Float.init)))
  /// }
  /// ```
  public func map(_ transform: @escaping (TextBatch) throws -> DatasetBatch) -> MappedDataset {
    MappedDataset(batchCount: batchCount) { try transform(self.batch(at: $0)) }
  }
}

/// The `.txt` files under `directory`'s subfolders, labelled by subfolder, as Keras'
/// `text_dataset_from_directory` (with `labels="inferred"`, `label_mode="int"`) finds them: the
/// classes are the subfolders (not starting with `.`) sorted by name, or `classNames` in the
/// order given; each class's files are found recursively, folder by folder in sorted order,
/// files sorted within a folder.
///
/// `batchSize` files make a batch. `shuffle` shuffles the files once, from `seed` (Keras
/// shuffles with NumPy's generator, so the order differs from Keras'; without shuffling it is
/// Keras' order exactly); `fit`'s `shuffle` then reshuffles the batch order every epoch.
/// `validationSplit` and `subset` keep the last `Int(validationSplit * files)` files (after
/// shuffling) for `subset` `"validation"`, the rest for `"training"`, as Keras; give the same
/// `seed` to both calls.
///
/// - Throws: ``KerasError/invalidArgument(_:)`` for a folder that does not exist, holds no class
///   folder, `classNames` that are not its subfolders, a `validationSplit` outside (0, 1), a
///   `subset` other than "training" or "validation" (or one without the other), shuffling a
///   split without a `seed`, or a split that leaves no file.
public func textDatasetFromDirectory(
  _ directory: String, batchSize: Int = 32, shuffle: Bool = true, seed: UInt64? = nil, validationSplit: Double? = nil,
  subset: String? = nil, classNames: [String]? = nil
) throws -> TextDataset {
  let files = FileManager.default
  var isDirectory: ObjCBool = false
  guard files.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
    throw KerasError.invalidArgument("textDatasetFromDirectory: '\(directory)' is not a directory")
  }
  guard batchSize > 0 else {
    throw KerasError.invalidArgument("textDatasetFromDirectory: batchSize must be positive, got \(batchSize)")
  }
  if let validationSplit, !(validationSplit > 0 && validationSplit < 1) {
    throw KerasError.invalidArgument("textDatasetFromDirectory: validationSplit must be between 0 and 1, got \(validationSplit)")
  }
  guard (validationSplit == nil) == (subset == nil) else {
    throw KerasError.invalidArgument("textDatasetFromDirectory: if subset is set, validationSplit must be set, and inversely")
  }
  if let subset, subset != "training" && subset != "validation" {
    throw KerasError.invalidArgument("textDatasetFromDirectory: subset must be \"training\" or \"validation\", got \"\(subset)\"")
  }
  if validationSplit != nil && shuffle && seed == nil {
    throw KerasError.invalidArgument(
      "textDatasetFromDirectory: give a seed when shuffling with validationSplit, so the training and validation subsets do not overlap")
  }
  func isFolder(_ path: String) -> Bool {
    var folder: ObjCBool = false
    return files.fileExists(atPath: path, isDirectory: &folder) && folder.boolValue
  }
  let root = URL(fileURLWithPath: directory)
  let subfolders = try files.contentsOfDirectory(atPath: directory).sorted(by: pythonOrder)
    .filter { !$0.hasPrefix(".") && isFolder(root.appendingPathComponent($0).path) }
  let classes = classNames ?? subfolders
  if let classNames, let missing = classNames.first(where: { !subfolders.contains($0) }) {
    throw KerasError.invalidArgument(
      "textDatasetFromDirectory: class '\(missing)' is not a subfolder of '\(directory)'; its subfolders are \(subfolders)")
  }
  guard !classes.isEmpty else {
    throw KerasError.invalidArgument("textDatasetFromDirectory: '\(directory)' holds no class subfolder")
  }
  var paths: [String] = []
  var labels: [Int] = []
  for (label, name) in classes.enumerated() {
    let classFolder = root.appendingPathComponent(name).path
    // os.walk visits folders (sorted by path), then files sorted within each.
    var folders = [classFolder]
    var visit = [classFolder]
    while let folder = visit.popLast() {
      let children = (try? files.contentsOfDirectory(atPath: folder)) ?? []
      for child in children {
        let path = folder + "/" + child
        if isFolder(path), (try? files.destinationOfSymbolicLink(atPath: path)) == nil {
          folders.append(path)
          visit.append(path)
        }
      }
    }
    for folder in folders.sorted(by: pythonOrder) {
      let texts = ((try? files.contentsOfDirectory(atPath: folder)) ?? []).filter {
        $0.lowercased().hasSuffix(".txt") && !isFolder(folder + "/" + $0)
      }
      for file in texts.sorted(by: pythonOrder) {
        paths.append(folder + "/" + file)
        labels.append(label)
      }
    }
  }
  if shuffle {
    var generator = RandomGenerator(seed: seed ?? RandomGenerator.withCurrent { $0.next() })
    let order = generator.permutation(paths.count)
    paths = order.map { paths[$0] }
    labels = order.map { labels[$0] }
  }
  if let validationSplit, let subset {
    let validationCount = Int(validationSplit * Double(paths.count))
    guard validationCount > 0, validationCount < paths.count else {
      throw KerasError.invalidArgument(
        "textDatasetFromDirectory: validationSplit \(validationSplit) of \(paths.count) files leaves no training or no validation file")
    }
    let kept = subset == "training" ? 0..<(paths.count - validationCount) : (paths.count - validationCount)..<paths.count
    paths = Array(paths[kept])
    labels = Array(labels[kept])
  }
  return TextDataset(filePaths: paths, labels: labels, classNames: classes, batchSize: batchSize)
}

/// Python's string order (by code point), which `sorted` and `os.walk`'s sort use.
private func pythonOrder(_ a: String, _ b: String) -> Bool { a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) }
