import Foundation
import ZIPFoundation

/// Reading and writing NumPy `.npz` files: a zip archive of `.npy` arrays, one entry
/// `<name>.npy` per array, as `np.savez` writes it (`np.load(path)["name"]` reads one back).
///
/// Writing stores the entries uncompressed, as `np.savez` does, under a temporary name renamed
/// into place. Reading takes stored and deflated entries (`np.savez_compressed`).
public enum NPZ {
  /// The most all entries together may hold once extracted (2 GiB).
  static let maxTotalSize: UInt64 = 2 << 30

  /// Writes `arrays` to `path` as `.npz`, in the order given, each as `<name>.npy` (`<f4`).
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for an empty, repeated or unsafe name (one
  ///   with `/`, `\` or `..`); ``SavingError/ioFailure(file:reason:)`` when the file cannot be
  ///   written, in which case an existing file at `path` is kept.
  public static func write(_ arrays: [(name: String, tensor: Tensor)], to path: String) throws {
    var seen = Set<String>()
    for (name, _) in arrays {
      guard !name.isEmpty, !name.contains("/"), !name.contains("\\"), !name.contains("\0"), name != ".", name != ".."
      else {
        throw KerasError.invalidArgument("NPZ.write(\(path)): '\(name)' cannot name an array (an entry of the archive)")
      }
      guard seen.insert(name).inserted else {
        throw KerasError.invalidArgument("NPZ.write(\(path)): two arrays are named '\(name)'")
      }
    }
    try KerasArchive.write(arrays.map { (name: "\($0.name).npy", data: NPY.encode($0.tensor)) }, to: path)
  }

  /// Writes `arrays` to the file at `url` as `.npz`; see ``write(_:to:)-(_,String)``.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for a URL that is not a file URL, or as
  ///   ``write(_:to:)-(_,String)``.
  public static func write(_ arrays: [(name: String, tensor: Tensor)], to url: URL) throws {
    try write(arrays, to: try filePath(url))
  }

  /// The arrays of the `.npz` file at `path`, in the archive's order, named without `.npy`.
  ///
  /// - Throws: ``SavingError/fileNotFound(file:)``; ``SavingError/ioFailure(file:reason:)`` for
  ///   a file that is not a zip archive, an entry that is not a `.npy` file or is damaged, or
  ///   entries declaring more than 2 GiB; `TensorError.file` naming `path/entry` for
  ///   an entry that is not a valid `.npy` array.
  public static func read(_ path: String) throws -> [(name: String, tensor: Tensor)] {
    guard FileManager.default.fileExists(atPath: path) else { throw SavingError.fileNotFound(file: path) }
    let archive: Archive
    do {
      archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
    } catch {
      throw SavingError.ioFailure(
        file: path, reason: "not a zip archive, or a truncated one (an .npz file is a zip of .npy files)")
    }
    let entries = archive.filter { $0.type == .file }
    let declared = entries.reduce(UInt64(0)) { $0 &+ $1.uncompressedSize }
    guard declared <= maxTotalSize else {
      throw SavingError.ioFailure(
        file: path, reason: "the entries declare \(declared) bytes, more than \(maxTotalSize)")
    }
    return try entries.map { entry in
      guard entry.path.hasSuffix(".npy") else {
        throw SavingError.ioFailure(file: path, reason: "the entry '\(entry.path)' is not a .npy array")
      }
      var data = Data()
      data.reserveCapacity(Int(entry.uncompressedSize))
      do {
        _ = try archive.extract(entry) { chunk in
          guard UInt64(data.count + chunk.count) <= entry.uncompressedSize else {
            throw CocoaError(.fileReadCorruptFile)
          }
          data.append(chunk)
        }
      } catch {
        throw SavingError.ioFailure(file: path, reason: "the entry '\(entry.path)' is damaged or truncated")
      }
      return (String(entry.path.dropLast(4)), try NPY.decode(data, source: "\(path)/\(entry.path)"))
    }
  }

  /// The arrays of the `.npz` file at `url`; see ``read(_:)-(String)``.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` for a URL that is not a file URL, or as ``read(_:)-(String)``.
  public static func read(_ url: URL) throws -> [(name: String, tensor: Tensor)] { try read(try filePath(url)) }

  private static func filePath(_ url: URL) throws -> String {
    guard url.isFileURL else {
      throw KerasError.invalidArgument("\(url.absoluteString) is not a file URL; pass a path, or URL(fileURLWithPath:)")
    }
    return url.path
  }
}
