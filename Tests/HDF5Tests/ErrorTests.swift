import Foundation
import HDF5
import Testing

@Suite("Errors")
struct ErrorTests {
  /// A small real file with a group, a float dataset, a string dataset and
  /// a string attribute.
  private func sampleFile(in directory: TemporaryDirectory) throws -> String {
    let path = directory.file("model.weights.h5")
    try HDF5File.write(to: path) { file in
      let vars = try file.root.createGroup("layers/dense/vars")
      try vars.createDataset("0", shape: [2, 2], values: [1, 2, 3, 4] as [Float])
      try vars.createDataset("names", strings: ["kernel", "bias"])
      try vars.setAttribute("note", to: "text")
      try vars.setAttribute("values", to: [1, 2, 3])
      try file.root.createDataset("padding", values: [Float](repeating: 0, count: 4096))
    }
    return path
  }

  @Test("a missing file is reported with its path")
  func missingFile() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("absent.h5")
    let error = expectHDF5Error(.fileNotFound) { _ = try HDF5File(path: path) }
    #expect(error?.description == "HDF5: cannot open file '\(path)': no such file")
  }

  @Test("a file that is not HDF5 is reported with its path")
  func notHDF5() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("notes.h5")
    try Data("these are not the bytes you are looking for\n".utf8).write(
      to: URL(fileURLWithPath: path))
    expectHDF5Error(.notHDF5, mentioning: [path, "not an HDF5 file"]) {
      _ = try HDF5File(path: path)
    }
  }

  @Test("a truncated file is reported with its path")
  func truncated() throws {
    let directory = try TemporaryDirectory()
    let path = try sampleFile(in: directory)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.truncate(atOffset: handle.seekToEnd() / 2)
    try handle.close()
    expectHDF5Error(.corruptFile, mentioning: [path, "truncated"]) { _ = try HDF5File(path: path) }
  }

  @Test("a global heap object of size 0, on which libhdf5 1.10 loops forever, is refused at open")
  func stalledGlobalHeap() throws {
    let directory = try TemporaryDirectory()
    let path = try sampleFile(in: directory)
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    // The collection holding the variable-length strings; its first object header follows the
    // 16-byte collection header. Make it free space (index 0) of size 0, as a fuzzer did.
    let collection = try #require(
      (0..<(bytes.count - 4)).first { bytes[$0..<($0 + 4)].elementsEqual(Array("GCOL".utf8)) })
    let object = collection + 16
    bytes.replaceSubrange(object..<(object + 2), with: [0, 0])
    bytes.replaceSubrange((object + 8)..<(object + 16), with: [UInt8](repeating: 0, count: 8))
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    expectHDF5Error(.corruptFile, mentioning: [path, "global heap collection at byte \(collection)", "size 0"]) {
      _ = try HDF5File(path: path)
    }
  }

  @Test("a missing dataset is reported with file and inner path")
  func missingDataset() throws {
    let directory = try TemporaryDirectory()
    let path = try sampleFile(in: directory)
    let root = try HDF5File(path: path).root
    let error = expectHDF5Error(.notFound) { _ = try root.dataset("layers/dense/vars/7") }
    #expect(
      error?.description
        == "HDF5: cannot open dataset '/layers/dense/vars/7' in '\(path)': not found")
    #expect(error?.objectPath == "/layers/dense/vars/7")
  }

  @Test("a missing group is reported with file, inner path and the missing part")
  func missingGroup() throws {
    let directory = try TemporaryDirectory()
    let path = try sampleFile(in: directory)
    let layers = try HDF5File(path: path).root.group("layers")
    expectHDF5Error(
      .notFound, mentioning: ["'/layers/lstm/cell'", path, "'/layers/lstm' does not exist"]
    ) {
      _ = try layers.group("lstm/cell")
    }
  }

  @Test("a missing attribute is reported with attribute, object and file")
  func missingAttribute() throws {
    let directory = try TemporaryDirectory()
    let path = try sampleFile(in: directory)
    let vars = try HDF5File(path: path).root.group("layers/dense/vars")
    let error = expectHDF5Error(.notFound) {
      _ = try vars.attribute("weight_names", as: [String].self)
    }
    #expect(
      error?.description
        == "HDF5: cannot read attribute 'weight_names' of '/layers/dense/vars' in '\(path)': not found"
    )
  }

  @Test("reading a string attribute as a number is a type mismatch")
  func stringAsNumber() throws {
    let directory = try TemporaryDirectory()
    let path = try sampleFile(in: directory)
    let vars = try HDF5File(path: path).root.group("layers/dense/vars")
    expectHDF5Error(
      .typeMismatch, mentioning: ["'note'", "/layers/dense/vars", path, "not numbers"]
    ) {
      _ = try vars.attribute("note", as: Int.self)
    }
    expectHDF5Error(.typeMismatch, mentioning: ["'values'", "not strings"]) {
      _ = try vars.attribute("values", as: [String].self)
    }
  }

  @Test("reading numbers from a string dataset is a type mismatch")
  func stringDatasetAsNumbers() throws {
    let directory = try TemporaryDirectory()
    let path = try sampleFile(in: directory)
    let names = try HDF5File(path: path).root.dataset("layers/dense/vars/names")
    expectHDF5Error(.typeMismatch, mentioning: ["'/layers/dense/vars/names'", path]) {
      _ = try names.read(as: Float.self)
    }
  }

  @Test("opening a group as a dataset, or through a dataset, is a type mismatch")
  func groupAsDataset() throws {
    let directory = try TemporaryDirectory()
    let path = try sampleFile(in: directory)
    let root = try HDF5File(path: path).root
    expectHDF5Error(.typeMismatch, mentioning: ["'/layers/dense'", "not a dataset"]) {
      _ = try root.dataset("layers/dense")
    }
    expectHDF5Error(.typeMismatch, mentioning: ["'/padding' is not a group"]) {
      _ = try root.group("padding/x")
    }
  }

  @Test("reading one value from many is a shape mismatch")
  func scalarFromArray() throws {
    let directory = try TemporaryDirectory()
    let path = try sampleFile(in: directory)
    let vars = try HDF5File(path: path).root.group("layers/dense/vars")
    expectHDF5Error(.shapeMismatch, mentioning: ["'values'", "3 values"]) {
      _ = try vars.attribute("values", as: Int.self)
    }
    expectHDF5Error(.shapeMismatch, mentioning: ["'/layers/dense/vars/0'"]) {
      _ = try vars.dataset("0").readScalar(as: Float.self)
    }
  }

  @Test("strings with NUL bytes and empty attribute names are refused")
  func invalidArguments() throws {
    let directory = try TemporaryDirectory()
    try HDF5File.write(to: directory.file("invalid.h5")) { file in
      let root = try file.root
      expectHDF5Error(.invalidArgument, mentioning: ["NUL"]) {
        try root.setAttribute("a", to: "x\u{0}y")
      }
      expectHDF5Error(.invalidArgument, mentioning: ["NUL"]) {
        try root.createDataset("s", strings: ["\u{0}"])
      }
      expectHDF5Error(.invalidArgument) { try root.setAttribute("", to: 1) }
      #expect(try !root.contains("s"))
      #expect(try root.attributeNames().isEmpty)
    }
  }
}
