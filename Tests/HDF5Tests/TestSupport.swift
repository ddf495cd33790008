import Foundation
import HDF5
import Testing

/// A fresh directory under the system temporary directory, removed when the
/// value goes away.
final class TemporaryDirectory {
  let path: String

  init() throws {
    path =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("hdf5-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// The path of `name` inside the directory.
  func file(_ name: String) -> String { path + "/" + name }

  /// The names of the files in the directory.
  func contents() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: path).sorted()
  }
}

/// The h5py-written fixture (see Fixtures/make_h5py_fixture.py).
func h5pyFixturePath() throws -> String {
  try #require(
    Bundle.module.path(forResource: "h5py_written", ofType: "h5", inDirectory: "Fixtures"))
}

/// Expects `body` to throw an `HDF5Error` of `kind` whose description
/// contains every string in `fragments`; returns the error.
@discardableResult
func expectHDF5Error(
  _ kind: HDF5Error.Kind, mentioning fragments: [String] = [],
  sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> HDF5Error? {
  let error = #expect(throws: HDF5Error.self, sourceLocation: sourceLocation) { try body() }
  guard let error else { return nil }
  #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
  for fragment in fragments {
    #expect(
      error.description.contains(fragment), "\(error) should mention \(fragment)",
      sourceLocation: sourceLocation)
  }
  return error
}

/// Writes a file with `body` and reopens it read-only.
func writeAndReopen(_ path: String, _ body: (HDF5File) throws -> Void) throws -> HDF5File {
  try HDF5File.write(to: path, body)
  return try HDF5File(path: path)
}
