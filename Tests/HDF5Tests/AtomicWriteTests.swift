import Foundation
import HDF5
import Testing

@Suite("Atomic write")
struct AtomicWriteTests {
  struct Interrupted: Error {}

  @Test("atomic write replaces the file and leaves no temporary file")
  func replaces() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("model.h5")
    try HDF5File.write(to: path) { try $0.root.createDataset("v", values: [1] as [Int32]) }
    try HDF5File.write(to: path) { try $0.root.createDataset("v", values: [2] as [Int32]) }
    #expect(try HDF5File(path: path).root.dataset("v").read(as: Int32.self) == [2])
    #expect(try directory.contents() == ["model.h5"])
  }

  @Test("atomic write leaves the old file intact when the body throws")
  func keepsOldFileOnError() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("model.h5")
    try HDF5File.write(to: path) { try $0.root.createDataset("v", values: [1.5]) }
    let before = try Data(contentsOf: URL(fileURLWithPath: path))

    #expect(throws: Interrupted.self) {
      try HDF5File.write(to: path) { file in
        try file.root.createDataset("v", values: [9.5])
        throw Interrupted()
      }
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    #expect(try HDF5File(path: path).root.dataset("v").read(as: Double.self) == [1.5])
    #expect(try directory.contents() == ["model.h5"])
  }

  @Test("atomic write creates no file when the body throws and none existed")
  func noFileOnError() throws {
    let directory = try TemporaryDirectory()
    #expect(throws: Interrupted.self) {
      try HDF5File.write(to: directory.file("model.h5")) { _ in throw Interrupted() }
    }
    #expect(try directory.contents().isEmpty)
  }

  @Test("errors inside an atomic write name the target file, not the temporary one")
  func errorsNameTarget() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("model.h5")
    let error = expectHDF5Error(.notFound, mentioning: ["'\(path)'", "/missing"]) {
      try HDF5File.write(to: path) { _ = try $0.root.group("missing") }
    }
    #expect(error?.file == path)
  }

  @Test("atomic write into a missing directory fails naming the file")
  func missingDirectory() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("no/such/dir/model.h5")
    expectHDF5Error(.ioFailure, mentioning: [path, "no such directory"]) {
      try HDF5File.write(to: path) { _ in }
    }
  }
}
