import Foundation
import Testing

@testable import TensorCore

@Suite(".npy files move data to and from NumPy")
struct NPYTests {
  // Every file under Fixtures/npy was written by make_numpy_fixtures.py from np.arange(6).reshape(2, 3).
  let quarters = try! Tensor(shape: [2, 3], scalars: [0, 0.25, 0.5, 0.75, 1, 1.25])

  @Test("reads float32, float64, big-endian and Fortran-ordered files written by NumPy", arguments: [
    "float32.npy", "float64.npy", "bigendian.npy", "fortran.npy",
  ])
  func readsFloatFiles(_ name: String) throws {
    #expect(try NPY.read(Fixtures.path("npy/" + name)) == quarters)
  }

  @Test("reads int32 and int64 files as integers", arguments: ["int32.npy", "int64.npy"])
  func readsIntFiles(_ name: String) throws {
    let ints = try NPY.readInts(Fixtures.path("npy/" + name))
    #expect(ints == (try IntTensor(shape: [2, 3], scalars: [-2, -1, 0, 1, 2, 3])))
  }

  @Test("reads a scalar, a bool array and a rank-3 array")
  func readsOtherShapes() throws {
    #expect(try NPY.read(Fixtures.path("npy/scalar.npy")) == Tensor(2.5))
    #expect(try NPY.read(Fixtures.path("npy/bool.npy")) == Tensor([1, 0, 1]))
    let rank3 = try NPY.read(Fixtures.path("npy/rank3.npy"))
    #expect(rank3 == (try Tensor.arange(0, 24).reshaped(to: [2, 3, 4])))
  }

  @Test("written files read back identically, and match NumPy's own bytes for float32")
  func roundTrip() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("q.npy").path
    try NPY.write(quarters, to: path)
    #expect(try NPY.read(path) == quarters)
    // np.save writes the same header and data for this array.
    let ours = try Data(contentsOf: URL(fileURLWithPath: path))
    let numpy = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("npy/float32.npy")))
    #expect(ours == numpy)

    let ids = IntTensor([[3, 1], [4, 1]])
    try NPY.write(ids, to: path)
    #expect(try NPY.readInts(path) == ids)
  }

  @Test("a missing file, a non-.npy file and a truncated file throw errors naming the file")
  func badFiles() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }

    let missing = directory.appendingPathComponent("missing.npy").path
    #expect { try NPY.read(missing) } throws: { "\($0)".contains(missing) && "\($0)".contains("no such file") }

    let text = directory.appendingPathComponent("text.npy").path
    try Data("hello, world".utf8).write(to: URL(fileURLWithPath: text))
    #expect { try NPY.read(text) } throws: { "\($0)".contains(text) && "\($0)".contains("not a .npy file") }

    let truncated = directory.appendingPathComponent("truncated.npy").path
    let whole = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("npy/float32.npy")))
    try whole.prefix(whole.count - 4).write(to: URL(fileURLWithPath: truncated))
    #expect { try NPY.read(truncated) } throws: { "\($0)".contains(truncated) && "\($0)".contains("truncated") }

    let headerOnly = directory.appendingPathComponent("header.npy").path
    try whole.prefix(20).write(to: URL(fileURLWithPath: headerOnly))
    #expect { try NPY.read(headerOnly) } throws: { "\($0)".contains(headerOnly) }
  }

  @Test("an unsupported dtype is named in the error")
  func unsupportedDType() throws {
    var bytes = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("npy/float32.npy")))
    let range = bytes.range(of: Data("<f4".utf8))!
    bytes.replaceSubrange(range, with: Data("<c8".utf8))
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("complex-\(UUID().uuidString).npy").path
    try bytes.write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect { try NPY.read(path) } throws: { "\($0)".contains("'<c8'") }
  }
}
