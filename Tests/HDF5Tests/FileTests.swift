import HDF5
import Testing

@Suite("HDF5File")
struct FileTests {
  @Test("creates a file and reopens it read-only")
  func createAndReopen() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("new.h5")
    let file = try HDF5File.create(path: path)
    try file.root.createDataset("x", values: [1, 2, 3] as [Float])
    try file.close()

    let reopened = try HDF5File(path: path)
    #expect(reopened.mode == .readOnly)
    #expect(try reopened.root.dataset("x").read(as: Float.self) == [1, 2, 3])
  }

  @Test("refuses to create over an existing file unless overwrite is set")
  func createRefusesExisting() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("exists.h5")
    try HDF5File.create(path: path).close()
    expectHDF5Error(.alreadyExists, mentioning: [path]) { _ = try HDF5File.create(path: path) }
    let replaced = try HDF5File.create(path: path, overwrite: true)
    #expect(try replaced.root.names().isEmpty)
  }

  @Test("opens an existing file read-write and adds to it")
  func readWrite() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("rw.h5")
    try HDF5File.write(to: path) { try $0.root.createGroup("a") }
    let file = try HDF5File(path: path, mode: .readWrite)
    try file.root.createGroup("b")
    try file.close()
    #expect(try HDF5File(path: path).root.names() == ["a", "b"])
  }

  @Test("read-only files refuse writes")
  func readOnlyRefusesWrites() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("ro.h5")
    try HDF5File.write(to: path) { try $0.root.createGroup("a") }
    let root = try HDF5File(path: path).root
    expectHDF5Error(.invalidArgument, mentioning: ["read-only"]) { try root.createGroup("b") }
    expectHDF5Error(.invalidArgument, mentioning: ["read-only"]) {
      try root.setAttribute("x", to: 1)
    }
  }

  @Test("close closes every open group and dataset")
  func closeClosesChildren() throws {
    let directory = try TemporaryDirectory()
    let file = try HDF5File.create(path: directory.file("close.h5"))
    let group = try file.root.createGroup("g")
    let dataset = try group.createDataset("d", values: [1.0, 2.0])
    try file.close()
    try file.close()
    #expect(!file.isOpen && !group.isOpen && !dataset.isOpen)
    expectHDF5Error(.closed, mentioning: ["/g/d"]) { _ = try dataset.read(as: Double.self) }
    expectHDF5Error(.closed) { _ = try file.root }
  }

  @Test("leaves no libhdf5 objects open")
  func noLeaks() throws {
    let directory = try TemporaryDirectory()
    let file = try HDF5File.create(path: directory.file("leaks.h5"))
    do {
      let group = try file.root.createGroup("a/b")
      try group.setAttribute("names", to: ["x", "y"], encoding: .fixedLength)
      try group.setAttribute("note", to: "hello")
      let dataset = try group.createDataset("d", shape: [2], strings: ["p", "q"])
      _ = try dataset.readStrings()
      _ = try group.attribute("names", as: [String].self)
      _ = try group.attribute("note", as: String.self)
      _ = try file.root.names()
      _ = try group.attributeNames()
      _ = try? file.root.dataset("missing")
      _ = try? group.attribute("note", as: Int.self)
      #expect(try file.openObjectCount > 1)
    }
    #expect(try file.openObjectCount == 1)
  }
}
