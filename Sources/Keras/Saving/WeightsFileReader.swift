import HDF5

/// Read access to a weights file that reports every problem as a ``SavingError`` naming the file.
struct WeightsFileReader {
  /// The path as the caller gave it.
  let path: String
  /// The file's root group.
  let root: HDF5Group

  /// Opens the HDF5 file at `path` for reading.
  ///
  /// - Throws: ``SavingError/fileNotFound(file:)``, ``SavingError/notHDF5(file:)``,
  ///   ``SavingError/corruptFile(file:reason:)`` for a truncated file.
  init(path: String) throws {
    self.path = path
    do {
      root = try HDF5File(path: path, mode: .readOnly).root
    } catch let error as HDF5Error {
      throw Self.savingError(error, file: path)
    }
  }

  /// Runs `body`, turning HDF5 errors into ``SavingError``s about this file.
  func reading<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as HDF5Error {
      throw Self.savingError(error, file: path)
    }
  }

  /// The group at `path` (from the root), or nil when nothing is there.
  ///
  /// - Throws: ``SavingError/invalidFile(file:path:reason:)`` when a dataset is there.
  func groupIfPresent(_ path: String) throws -> HDF5Group? {
    try reading { try root.contains(path) ? try root.group(path) : nil }
  }

  /// Whether `group` or any group inside it (to a depth of 16) holds a dataset.
  func holdsDatasets(_ group: HDF5Group, depth: Int = 16) throws -> Bool {
    guard depth > 0 else { return false }
    return try reading {
      for name in try group.names() {
        switch try group.kind(of: name) {
        case .dataset: return true
        case .group: if try holdsDatasets(try group.group(name), depth: depth - 1) { return true }
        case .namedDatatype: continue
        }
      }
      return false
    }
  }

  /// The dataset at `path` inside `group` as a float tensor, checked to have `shape`.
  ///
  /// - Throws: ``SavingError/shapeMismatch(file:layer:variable:index:path:expected:found:)``
  ///   naming `layer`, `variable` and `index`; ``SavingError/invalidFile(file:path:reason:)``
  ///   when the dataset is missing or not numeric.
  func tensor(
    at path: String, in group: HDF5Group, shape: [Int], layer: String, variable: String, index: Int
  ) throws -> Tensor {
    try reading {
      let dataset = try group.dataset(path)
      guard dataset.shape == shape else {
        throw SavingError.shapeMismatch(
          file: self.path, layer: layer, variable: variable, index: index, path: dataset.path, expected: shape,
          found: dataset.shape)
      }
      return try Tensor(shape: shape, scalars: try dataset.read(as: Float.self))
    }
  }

  /// A list of strings stored as attribute `name` of `group` as Keras writes them: one array
  /// (fixed- or variable-length strings; an empty float array for none) or, when too long for
  /// one attribute, chunks `name0`, `name1`, ... Missing means empty.
  func stringList(_ name: String, of group: HDF5Object) throws -> [String] {
    try reading {
      func read(_ attribute: String) throws -> [String] {
        let info = try group.attributeInfo(attribute)
        if info.elementType != .string, info.shape.reduce(1, *) == 0 { return [] }
        return try group.attribute(attribute, as: [String].self)
      }
      if try group.hasAttribute(name) { return try read(name) }
      var strings: [String] = []
      var chunk = 0
      while try group.hasAttribute("\(name)\(chunk)") {
        strings += try read("\(name)\(chunk)")
        chunk += 1
      }
      return strings
    }
  }

  /// The ``SavingError`` for an HDF5 error met while reading `file`.
  static func savingError(_ error: HDF5Error, file: String) -> SavingError {
    let reason = error.attribute.map { "attribute '\($0)': \(error.reason)" } ?? error.reason
    switch error.kind {
    case .fileNotFound: return .fileNotFound(file: file)
    case .notHDF5: return .notHDF5(file: file)
    case .corruptFile, .limitExceeded, .libraryFailure:
      let location = error.objectPath.map { "at '\($0)': " } ?? ""
      return .corruptFile(file: file, reason: location + reason)
    case .notFound, .typeMismatch, .shapeMismatch, .invalidArgument, .alreadyExists:
      return .invalidFile(file: file, path: error.objectPath, reason: reason)
    case .ioFailure, .closed: return .ioFailure(file: file, reason: reason)
    }
  }
}
