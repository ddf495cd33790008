import AtomicFile
import Foundation
import ZIPFoundation

/// The zip container of a `.keras` file: `metadata.json`, `config.json` and `model.weights.h5`,
/// stored uncompressed as Keras writes them.
///
/// Reading is defensive: every entry name is checked (no absolute paths, no `..`), the
/// declared sizes are checked against ``maxTotalSize`` and the compression ratio against
/// ``maxCompressionRatio`` before anything is extracted, the bytes extracted may not exceed
/// what an entry declares, and the weights are streamed to disk rather than held in memory.
struct KerasArchive {
  /// The entry with Keras' version and the save date.
  static let metadataEntry = "metadata.json"
  /// The entry with the serialized model.
  static let configEntry = "config.json"
  /// The entry with the weights and optimizer state, laid out as a `.weights.h5` file.
  static let weightsEntry = "model.weights.h5"
  /// The most all entries together may hold once extracted (2 GiB).
  static let maxTotalSize: UInt64 = 2 << 30
  /// The most a JSON entry may hold (64 MiB).
  static let maxJSONSize: UInt64 = 64 << 20
  /// The most an entry over 1 MiB may expand when extracted. Keras stores entries
  /// uncompressed, and deflated float32 weights shrink far less than this; a zip bomb expands
  /// up to about 1030:1.
  static let maxCompressionRatio: UInt64 = 100

  /// The path of the `.keras` file as the caller gave it.
  let path: String
  private let archive: Archive
  private let entries: [String: Entry]

  /// Opens the archive at `path` and checks every entry's name and declared size.
  ///
  /// - Throws: ``SavingError/fileNotFound(file:)``; ``SavingError/invalidArchive(file:entry:reason:)``
  ///   for a file that is not a zip archive (or is truncated), an unsafe entry name, entries
  ///   declaring more than ``maxTotalSize``, or an entry expanding more than ``maxCompressionRatio``.
  init(path: String) throws {
    self.path = path
    guard FileManager.default.fileExists(atPath: path) else { throw SavingError.fileNotFound(file: path) }
    let archive: Archive
    do {
      archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
    } catch {
      throw SavingError.invalidArchive(
        file: path, entry: nil, reason: "not a zip archive, or a truncated one (a .keras file is a zip archive)")
    }
    var entries: [String: Entry] = [:]
    var total: UInt64 = 0
    for entry in archive {
      let name = entry.path
      guard Self.isSafe(name) else {
        throw SavingError.invalidArchive(
          file: path, entry: name, reason: "the entry name leaves the archive (absolute path or '..'); refusing it")
      }
      let (sum, overflow) = total.addingReportingOverflow(entry.uncompressedSize)
      guard !overflow, sum <= Self.maxTotalSize else {
        throw SavingError.invalidArchive(
          file: path, entry: name,
          reason: "the entries declare more than \(Self.maxTotalSize) bytes uncompressed; refusing a possible zip bomb")
      }
      total = sum
      let expansion = entry.uncompressedSize / max(entry.compressedSize, 1)
      guard entry.uncompressedSize <= 1 << 20 || expansion <= Self.maxCompressionRatio else {
        throw SavingError.invalidArchive(
          file: path, entry: name,
          reason: "the entry expands \(entry.compressedSize) bytes to \(entry.uncompressedSize), more than "
            + "\(Self.maxCompressionRatio):1; refusing a possible zip bomb")
      }
      entries[name] = entry
    }
    self.archive = archive
    self.entries = entries
  }

  /// Whether the file at `path` starts as a zip archive does (`PK`), as every `.keras` file.
  static func isArchive(_ path: String) -> Bool {
    leadingBytes(path, count: 2).starts(with: [0x50, 0x4B])
  }

  /// What the file at `path` is, for an error saying it is not a model file: a NumPy array, or
  /// neither a zip archive nor an HDF5 file.
  static func describeUnknownFile(_ path: String) -> String {
    if leadingBytes(path, count: 6).starts(with: [0x93] + Array("NUMPY".utf8)) {
      return "it is a NumPy `.npy` array (read it with NPY.read), not a model file"
    }
    return "it is neither a `.keras` zip archive nor an HDF5 `.h5` file"
  }

  /// The first `count` bytes of the file at `path` (fewer for a short or unreadable file).
  private static func leadingBytes(_ path: String, count: Int) -> Data {
    guard let handle = FileHandle(forReadingAtPath: path) else { return Data() }
    defer { try? handle.close() }
    return (try? handle.read(upToCount: count)) ?? Data()
  }

  /// Whether `name` stays inside the archive: relative, without `..` components or backslashes.
  static func isSafe(_ name: String) -> Bool {
    guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\\"), !name.contains("\0") else { return false }
    return !name.split(separator: "/", omittingEmptySubsequences: false).contains("..")
  }

  /// The bytes of the entry `name`, at most `limit` of them.
  ///
  /// - Throws: ``SavingError/invalidArchive(file:entry:reason:)`` when the entry is missing, not
  ///   a file, larger than `limit`, yields more or fewer bytes than it declares, or is damaged.
  func data(_ name: String, limit: UInt64 = KerasArchive.maxTotalSize) throws -> Data {
    let entry = try fileEntry(name, limit: limit)
    var data = Data()
    data.reserveCapacity(Int(entry.uncompressedSize))
    try extract(entry, name) { data.append($0) }
    return data
  }

  /// Extracts the entry `name` into a new file at `destination`, chunk by chunk, so that only a
  /// chunk is in memory at a time.
  ///
  /// - Throws: ``SavingError/invalidArchive(file:entry:reason:)`` as ``data(_:limit:)``;
  ///   ``SavingError/ioFailure(file:reason:)`` when `destination` cannot be written.
  func extract(_ name: String, to destination: String, limit: UInt64 = KerasArchive.maxTotalSize) throws {
    let entry = try fileEntry(name, limit: limit)
    guard FileManager.default.createFile(atPath: destination, contents: nil),
      let handle = FileHandle(forWritingAtPath: destination)
    else {
      throw SavingError.ioFailure(file: path, reason: "cannot extract '\(name)' to '\(destination)'")
    }
    defer { try? handle.close() }
    try extract(entry, name) { chunk in
      do {
        try handle.write(contentsOf: chunk)
      } catch {
        throw SavingError.ioFailure(file: path, reason: "cannot extract '\(name)' to '\(destination)': \(error)")
      }
    }
  }

  /// The uncompressed size the entry `name` declares (already checked against ``maxTotalSize``),
  /// 0 when there is no such entry.
  func declaredSize(_ name: String) -> UInt64 { entries[name]?.uncompressedSize ?? 0 }

  /// The file entry `name`, checked to declare at most `limit` bytes.
  private func fileEntry(_ name: String, limit: UInt64) throws -> Entry {
    guard let entry = entries[name] else {
      throw SavingError.invalidArchive(
        file: path, entry: name,
        reason: "the archive has no '\(name)' entry; it holds [\(entries.keys.sorted().joined(separator: ", "))]")
    }
    guard entry.type == .file else {
      throw SavingError.invalidArchive(file: path, entry: name, reason: "the entry is not a file")
    }
    guard entry.uncompressedSize <= limit else {
      throw SavingError.invalidArchive(
        file: path, entry: name,
        reason: "the entry declares \(entry.uncompressedSize) bytes, more than the \(limit) allowed")
    }
    return entry
  }

  /// Passes the bytes of `entry` to `consume` chunk by chunk, stopping as soon as they exceed
  /// what the entry declares, and checks that exactly that many came.
  private func extract(_ entry: Entry, _ name: String, _ consume: (Data) throws -> Void) throws {
    let declared = entry.uncompressedSize
    var count: UInt64 = 0
    do {
      _ = try archive.extract(entry) { chunk in
        count += UInt64(chunk.count)
        guard count <= declared else { throw ExtractionOverflow() }
        try consume(chunk)
      }
    } catch is ExtractionOverflow {
      throw SavingError.invalidArchive(
        file: path, entry: name, reason: "the entry holds more than the \(declared) bytes it declares")
    } catch let error as SavingError {
      throw error
    } catch {
      throw SavingError.invalidArchive(file: path, entry: name, reason: "the entry is damaged or truncated (\(error))")
    }
    guard count == declared else {
      throw SavingError.invalidArchive(
        file: path, entry: name, reason: "the entry holds \(count) bytes but declares \(declared)")
    }
  }

  /// Thrown from the extraction consumer when an entry yields more than it declared.
  private struct ExtractionOverflow: Error {}

  /// Writes a stored (uncompressed) zip archive of `entries` to `path`, atomically: the archive
  /// is written under a temporary name in the same directory and renamed into place.
  ///
  /// - Throws: ``SavingError/ioFailure(file:reason:)``; an existing file at `path` is kept.
  static func write(_ entries: [(name: String, data: Data)], to path: String) throws {
    do {
      try AtomicFile.write(to: path) { temporary in
        let archive = try Archive(url: URL(fileURLWithPath: temporary), accessMode: .create)
        for (name, data) in entries {
          try archive.addEntry(
            with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .none
          ) { position, size in
            data.subdata(in: Int(position)..<(Int(position) + size))
          }
        }
      }
    } catch let failure as AtomicFile.Failure {
      throw SavingError.ioFailure(file: path, reason: failure.description)
    } catch {
      throw SavingError.ioFailure(file: path, reason: "cannot write the zip archive: \(error)")
    }
  }

}
