import CSV
import Foundation
import TensorCore

/// A column of a CSV file: by its name in the header row, or by its 0-based position.
public enum CSVColumn: Hashable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, CustomStringConvertible {
  /// The column the header row names so.
  case name(String)
  /// The column at this 0-based position.
  case index(Int)

  /// `"temp"` for `.name("temp")`.
  public init(stringLiteral value: String) { self = .name(value) }
  /// `3` for `.index(3)`.
  public init(integerLiteral value: Int) { self = .index(value) }

  /// The name quoted, or `column N`.
  public var description: String {
    switch self {
    case .name(let name): "'\(name)'"
    case .index(let index): "column \(index)"
    }
  }
}

/// A ``Dataset`` streamed from a CSV file of numbers: each batch holds the next `batchSize` rows'
/// feature columns as the input `[B, features]` and their label columns as the target
/// `[B, labels]` (no target without label columns). Rows are parsed as they are read (with
/// yaslab's CSV.swift), so only a batch is in memory; the file is counted once when opened.
///
/// ```swift
/// let data = try CSVDataset(path: "weather.csv", featureColumns: ["T (degC)", "p (mbar)"],
///                           labelColumns: ["rho (g/m**3)"], batchSize: 64)
/// try model.fit(data.shuffled(buffer: 1024, seed: 1), epochs: 3)
/// ```
///
/// Batches are read in order (``Dataset/readsInOrder``): `fit` does not shuffle their order;
/// mix rows with ``Dataset/shuffled(buffer:seed:)``.
public final class CSVDataset: Dataset, @unchecked Sendable {
  /// The file.
  public let path: String
  /// The header row's names (empty without a header).
  public let header: [String]
  /// The positions of the feature columns (the input's columns, in order).
  public let featureIndices: [Int]
  /// The positions of the label columns (the target's columns, in order).
  public let labelIndices: [Int]
  /// Rows per batch.
  public let batchSize: Int
  /// Data rows in the file.
  public let count: Int
  private let delimiter: UnicodeScalar
  private let hasHeader: Bool
  private var reader: CSVReader?
  private var nextBatch = 0
  private var line = 0

  /// The file at `path`; `featureColumns` are the model input's columns, in order (`nil` takes
  /// every column that is not a label column); `labelColumns` the target's (none for a dataset
  /// that only feeds `predict`); `header` says whether the first row names the columns (needed
  /// to select columns by name); fields are separated by `delimiter`; `batchSize` rows a batch.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the file when it cannot be read, or a
  ///   column that is not in the header or out of range (listing the header).
  public init(
    path: String, featureColumns: [CSVColumn]? = nil, labelColumns: [CSVColumn] = [], header: Bool = true,
    delimiter: UnicodeScalar = ",", batchSize: Int = 32
  ) throws {
    guard batchSize > 0 else { throw KerasError.invalidArgument("CSVDataset: batchSize must be positive, got \(batchSize)") }
    self.path = path
    self.delimiter = delimiter
    self.hasHeader = header
    self.batchSize = batchSize
    let counter = try Self.open(path, header: header, delimiter: delimiter)
    let names = counter.headerRow ?? []
    var rows = 0
    var width = names.count
    while let row = counter.next() {
      if row == [""] { continue }
      if rows == 0 && width == 0 { width = row.count }
      rows += 1
    }
    try Self.check(counter, path)
    func position(_ column: CSVColumn) throws -> Int {
      switch column {
      case .name(let name):
        guard let i = names.firstIndex(of: name) else {
          throw KerasError.invalidArgument(
            "CSVDataset: '\(path)' has no column '\(name)'"
              + (header ? "; its columns are \(names.map { "'\($0)'" }.joined(separator: ", "))" : " (header is false: select columns by index)"))
        }
        return i
      case .index(let i):
        guard i >= 0, i < width else {
          throw KerasError.invalidArgument("CSVDataset: '\(path)' has \(width) columns, no column \(i)")
        }
        return i
      }
    }
    let labels = try labelColumns.map(position)
    let features = try featureColumns.map { try $0.map(position) } ?? (0..<width).filter { !labels.contains($0) }
    labelIndices = labels
    featureIndices = features
    guard !features.isEmpty else { throw KerasError.invalidArgument("CSVDataset: no feature column selected in '\(path)'") }
    self.header = names
    count = rows
  }

  private static func open(_ path: String, header: Bool, delimiter: UnicodeScalar) throws -> CSVReader {
    guard let stream = InputStream(fileAtPath: path), FileManager.default.isReadableFile(atPath: path) else {
      throw KerasError.invalidArgument("CSVDataset: cannot read '\(path)'")
    }
    do {
      return try CSVReader(stream: stream, hasHeaderRow: header, trimFields: true, delimiter: delimiter)
    } catch {
      throw KerasError.invalidArgument("CSVDataset: cannot parse '\(path)': \(error)")
    }
  }

  /// Throws the error `reader` stopped on. On Linux, Foundation's file stream reports bytes
  /// available at its end, so CSV.swift meets the end of the file as `cannotReadFile`: that one
  /// is the end, not an error.
  private static func check(_ reader: CSVReader, _ path: String) throws {
    guard let error = reader.error else { return }
    if let error = error as? CSVError, case .cannotReadFile = error { return }
    throw KerasError.invalidArgument("CSVDataset: cannot parse '\(path)': \(error)")
  }

  /// Batches in the file: `count` rows in batches of `batchSize`, the last one shorter.
  public var batchCount: Int? { (count + batchSize - 1) / batchSize }

  /// `true`: the file is read from its first row to its last.
  public var readsInOrder: Bool { true }

  /// The next rows of the file: batch 0 starts again from the first row.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for an index that is not the next one (or 0),
  ///   a short row, or a cell that is not a number (naming the line and the column).
  public func batch(at index: Int) throws -> DatasetBatch {
    if index == 0 || reader == nil {
      guard index == 0 else { throw KerasError.invalidArgument("CSVDataset: batches are read in order from 0; asked for \(index)") }
      reader = try Self.open(path, header: hasHeader, delimiter: delimiter)
      nextBatch = 0
      line = hasHeader ? 1 : 0
    }
    guard index == nextBatch, index < batchCount! else {
      throw KerasError.invalidArgument(
        "CSVDataset: batches are read in order; asked for \(index), the next is \(nextBatch) of \(batchCount!)")
    }
    let rows = Swift.min(batchSize, count - index * batchSize)
    var features: [Float] = []
    var labels: [Float] = []
    features.reserveCapacity(rows * featureIndices.count)
    labels.reserveCapacity(rows * labelIndices.count)
    var read = 0
    while read < rows, let row = reader!.next() {
      line += 1
      if row == [""] { continue }
      for (indices, values) in [(featureIndices, 0), (labelIndices, 1)] {
        for i in indices {
          guard i < row.count else {
            throw KerasError.invalidArgument("CSVDataset: line \(line) of '\(path)' has \(row.count) fields, no column \(i)")
          }
          guard let value = Float(row[i]) else {
            let column = i < header.count ? "'\(header[i])'" : "column \(i)"
            throw KerasError.invalidArgument("CSVDataset: line \(line) of '\(path)', \(column): '\(row[i])' is not a number")
          }
          if values == 0 { features.append(value) } else { labels.append(value) }
        }
      }
      read += 1
    }
    try Self.check(reader!, path)
    guard read == rows else { throw KerasError.invalidArgument("CSVDataset: '\(path)' ended early (changed since it was opened?)") }
    nextBatch = index + 1
    let x = try Tensor(shape: [rows, featureIndices.count], scalars: features)
    let y = labelIndices.isEmpty ? nil : try Tensor(shape: [rows, labelIndices.count], scalars: labels)
    return DatasetBatch(x: x, y: y)
  }
}
