import Foundation
import Testing

@testable import Keras

@Suite("NumPy .npz archives")
struct NPZTests {
  func fixture(_ name: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/npz/\(name)").path
  }

  func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("npz-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  @Test(
    "read takes archives np.savez stores and np.savez_compressed deflates", arguments: ["stored.npz", "compressed.npz"])
  func readsNumPyArchives(file: String) throws {
    // make_npz_fixtures.py: a = arange(6).reshape(2, 3) as float64, b = arange(4) as int64.
    let arrays = try NPZ.read(fixture(file))
    #expect(arrays.map(\.name) == ["a", "b"])
    #expect(arrays[0].tensor == (try Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])))
    #expect(arrays[1].tensor == Tensor([0, 1, 2, 3]))
  }

  @Test("write stores each array as <name>.npy in the given order, and read gives them back")
  func roundTrip() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("arrays.npz").path
    let scores = try Tensor(shape: [2, 1], scalars: [0.25, -1.5])
    let probabilities = try Tensor(shape: [2, 3], scalars: [0.1, 0.2, 0.7, 1, 0, 0])
    try NPZ.write([("score", scores), ("probabilities", probabilities)], to: path)
    let arrays = try NPZ.read(path)
    #expect(arrays.map(\.name) == ["score", "probabilities"])
    #expect(arrays[0].tensor == scores)
    #expect(arrays[1].tensor == probabilities)
    // Nothing else is left beside it (the temporary file was renamed into place).
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["arrays.npz"])
  }

  @Test("write refuses repeated and unsafe names, keeping an existing file")
  func refusesBadNames() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("arrays.npz").path
    try NPZ.write([("kept", Tensor([1]))], to: path)
    #expect(throws: KerasError.self) { try NPZ.write([("a", Tensor([1])), ("a", Tensor([2]))], to: path) }
    #expect(throws: KerasError.self) { try NPZ.write([("../a", Tensor([1]))], to: path) }
    #expect(throws: KerasError.self) { try NPZ.write([("", Tensor([1]))], to: path) }
    #expect(try NPZ.read(path).map(\.name) == ["kept"])
  }

  @Test("read names the file that is missing or not an .npz archive")
  func readErrors() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(throws: SavingError.fileNotFound(file: "/nonexistent/a.npz")) { try NPZ.read("/nonexistent/a.npz") }
    let npy = directory.appendingPathComponent("a.npy").path
    try NPY.write(Tensor([1, 2]), to: npy)
    do {
      _ = try NPZ.read(npy)
      Issue.record("a .npy file read as an .npz archive")
    } catch {
      #expect("\(error)".contains(npy))
      #expect("\(error)".contains("not a zip archive"))
    }
  }
}
