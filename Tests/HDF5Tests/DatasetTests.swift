import HDF5
import Testing

@Suite("Datasets")
struct DatasetTests {
  /// Writes `values` with `shape` and reads them back as `T`.
  private func roundTrip<T: HDF5Numeric & Equatable>(_ values: [T], shape: [Int]) throws
    -> HDF5Dataset
  {
    let directory = try TemporaryDirectory()
    let file = try writeAndReopen(directory.file("round-trip.h5")) { file in
      try file.root.createDataset("data", shape: shape, values: values)
    }
    let dataset = try file.root.dataset("data")
    #expect(dataset.shape == shape)
    #expect(try dataset.read(as: T.self) == values)
    return dataset
  }

  @Test("round-trips a float32 2-D dataset")
  func float32() throws {
    let dataset = try roundTrip(
      [0, 0.5, -1.25, 3e-8, .greatestFiniteMagnitude, -7] as [Float], shape: [2, 3])
    #expect(dataset.elementType == .float32)
    #expect(dataset.count == 6)
  }

  @Test("round-trips a float64 dataset")
  func float64() throws {
    #expect(try roundTrip([0.1, -2.5e300, .pi], shape: [3]).elementType == .float64)
  }

  @Test("round-trips an int32 dataset")
  func int32() throws {
    #expect(try roundTrip([Int32.min, -1, 0, Int32.max], shape: [2, 2]).elementType == .int32)
  }

  @Test("round-trips an int64 dataset")
  func int64() throws {
    #expect(try roundTrip([Int64.min, 0, Int64.max], shape: [3, 1]).elementType == .int64)
  }

  @Test("round-trips an Int dataset as int64")
  func int() throws {
    #expect(try roundTrip([1, -2, 3_000_000_000], shape: [3]).elementType == .int64)
  }

  @Test("round-trips uint8, int8, int16 and uint64 datasets")
  func smallIntegers() throws {
    #expect(try roundTrip([0, 200, 255] as [UInt8], shape: [3]).elementType == .uint8)
    #expect(try roundTrip([-128, 127] as [Int8], shape: [2]).elementType == .int8)
    #expect(try roundTrip([-300, 300] as [Int16], shape: [2]).elementType == .int16)
    #expect(try roundTrip([UInt64.max] as [UInt64], shape: [1]).elementType == .uint64)
  }

  @Test("round-trips an empty dataset")
  func empty() throws {
    #expect(try roundTrip([] as [Float], shape: [0, 4]).count == 0)
  }

  @Test("round-trips a string dataset")
  func strings() throws {
    let directory = try TemporaryDirectory()
    let values = ["alpha", "", "βeta", "日本語", String(repeating: "x", count: 10_000)]
    let file = try writeAndReopen(directory.file("strings.h5")) { file in
      try file.root.createDataset("s", strings: values)
    }
    let dataset = try file.root.dataset("s")
    #expect(dataset.elementType == .string)
    #expect(dataset.shape == [5])
    #expect(try dataset.readStrings() == values)
  }

  @Test("round-trips scalar datasets")
  func scalars() throws {
    let directory = try TemporaryDirectory()
    let file = try writeAndReopen(directory.file("scalars.h5")) { file in
      try file.root.createDataset("number", scalar: 2.5)
      try file.root.createDataset("count", scalar: Int32(7))
      try file.root.createDataset("text", scalar: "héllo")
    }
    let number = try file.root.dataset("number")
    #expect(number.shape == [])
    #expect(number.count == 1)
    #expect(try number.readScalar(as: Double.self) == 2.5)
    #expect(try number.read(as: Float.self) == [2.5])
    #expect(try file.root.dataset("count").readScalar(as: Int.self) == 7)
    #expect(try file.root.dataset("text").readString() == "héllo")
  }

  @Test("reads any numeric type as Float, Double and Int")
  func conversions() throws {
    let directory = try TemporaryDirectory()
    let file = try writeAndReopen(directory.file("convert.h5")) { file in
      try file.root.createDataset("int32", values: [-2, 0, 5] as [Int32])
      try file.root.createDataset("uint8", values: [1, 255] as [UInt8])
      try file.root.createDataset("float64", values: [0.5, 1e10])
      try file.root.createDataset("float32", values: [1.0, -3.0] as [Float])
    }
    let root = try file.root
    #expect(try root.dataset("int32").read(as: Float.self) == [-2, 0, 5])
    #expect(try root.dataset("uint8").read(as: Float.self) == [1, 255])
    #expect(try root.dataset("float64").read(as: Float.self) == [0.5, 1e10])
    #expect(try root.dataset("int32").read(as: Double.self) == [-2, 0, 5])
    #expect(try root.dataset("float32").read(as: Int.self) == [1, -3])
    #expect(try root.dataset("uint8").read(as: Int.self) == [1, 255])
  }

  @Test("overwrites a dataset in place")
  func overwrite() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("overwrite.h5")
    try HDF5File.write(to: path) { file in
      try file.root.createDataset("d", shape: [2, 2], values: [1, 2, 3, 4] as [Float])
      try file.root.createDataset("s", strings: ["a", "b"])
    }
    let file = try HDF5File(path: path, mode: .readWrite)
    try file.root.dataset("d").write([5, 6, 7, 8] as [Double])
    try file.root.dataset("s").write(strings: ["c", "d"])
    try file.close()
    let reopened = try HDF5File(path: path)
    #expect(try reopened.root.dataset("d").read(as: Float.self) == [5, 6, 7, 8])
    #expect(try reopened.root.dataset("s").readStrings() == ["c", "d"])
  }

  @Test("refuses values that do not fill the shape")
  func countMismatch() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("mismatch.h5")
    try HDF5File.write(to: path) { file in
      let root = try file.root
      expectHDF5Error(.shapeMismatch, mentioning: ["'/w'", path, "[2, 3]"]) {
        try root.createDataset("w", shape: [2, 3], values: [1, 2, 3] as [Float])
      }
      #expect(try !root.contains("w"))
      let dataset = try root.createDataset("v", values: [1, 2] as [Float])
      expectHDF5Error(.shapeMismatch, mentioning: ["'/v'", path]) {
        try dataset.write([1, 2, 3] as [Float])
      }
      expectHDF5Error(.invalidArgument, mentioning: ["negative"]) {
        try root.createDataset("n", shape: [-1], values: [] as [Float])
      }
    }
  }
}
