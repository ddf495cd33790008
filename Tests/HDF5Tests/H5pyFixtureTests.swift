import HDF5
import Testing

/// Reads Fixtures/h5py_written.h5; every expected value is the one
/// Fixtures/make_h5py_fixture.py writes.
@Suite("Files written by h5py")
struct H5pyFixtureTests {
  private let file: HDF5File

  init() throws {
    file = try HDF5File(path: try h5pyFixturePath())
  }

  @Test("reads a float32 2-D dataset written by h5py")
  func float32Kernel() throws {
    let kernel = try file.root.dataset("model_weights/dense/dense/kernel:0")
    #expect(kernel.shape == [2, 3])
    #expect(kernel.elementType == .float32)
    #expect(try kernel.read(as: Float.self) == [0, 0.25, 0.5, 0.75, 1, 1.25])
    #expect(
      try file.root.dataset("/model_weights/dense/dense/bias:0").read(as: Float.self) == [
        0.5, -1.5, 2.25,
      ])
  }

  @Test("reads float64, int32, int64 and uint8 datasets written by h5py")
  func numericDatasets() throws {
    let numbers = try file.root.group("numbers")
    let float64 = try numbers.dataset("float64")
    #expect(float64.elementType == .float64)
    #expect(try float64.read(as: Double.self) == [0, 0.25, 0.5, 0.75, 1])
    let int32 = try numbers.dataset("int32")
    #expect(int32.elementType == .int32)
    #expect(int32.shape == [2, 3])
    #expect(try int32.read(as: Int32.self) == [-3, -2, -1, 0, 1, 2])
    #expect(try int32.read(as: Float.self) == [-3, -2, -1, 0, 1, 2])
    let int64 = try numbers.dataset("int64")
    #expect(int64.elementType == .int64)
    #expect(
      try int64.read(as: Int.self) == [0, 1_000_000_000_000, 2_000_000_000_000, 3_000_000_000_000])
    let uint8 = try numbers.dataset("uint8")
    #expect(uint8.elementType == .uint8)
    #expect(try uint8.read(as: Float.self) == [250, 251, 252, 253, 254, 255])
  }

  @Test("reads a float16 dataset written by h5py as Float")
  func float16() throws {
    let dataset = try file.root.dataset("numbers/float16")
    #expect(dataset.elementType == .float16)
    #expect(try dataset.read(as: Float.self) == [0.5, 1.5, -2.0])
  }

  @Test("reads a scalar dataset written by h5py")
  func scalar() throws {
    let scalar = try file.root.dataset("numbers/scalar")
    #expect(scalar.shape == [])
    #expect(try scalar.readScalar(as: Double.self) == 3.5)
  }

  @Test("reads variable-length and fixed-length string datasets written by h5py")
  func stringDatasets() throws {
    #expect(try file.root.dataset("strings/variable").readStrings() == ["alpha", "βeta", ""])
    #expect(try file.root.dataset("strings/fixed").readStrings() == ["ab", "cde"])
  }

  @Test("reads Keras 2 fixed-length weight_names and layer_names")
  func keras2Names() throws {
    let dense = try file.root.group("model_weights/dense")
    #expect(
      try dense.attribute("weight_names", as: [String].self) == ["dense/kernel:0", "dense/bias:0"])
    #expect(try file.root.attribute("layer_names", as: [String].self) == ["dense", "dense_1"])
    #expect(try file.root.attribute("keras_version", as: String.self) == "2.15.0")
  }

  @Test("reads string and numeric root attributes written by h5py")
  func rootAttributes() throws {
    let root = try file.root
    #expect(try root.attribute("backend", as: String.self) == "tensorflow")
    #expect(try root.attribute("tags", as: [String].self) == ["alpha", "βeta"])
    #expect(try root.attribute("epochs", as: Int.self) == 12)
    #expect(try root.attribute("learning_rate", as: Double.self) == 0.001)
    #expect(try root.attribute("scale", as: Float.self) == 0.5)
    #expect(try root.attribute("shape", as: [Int].self) == [2, 3])
    #expect(try root.attribute("means", as: [Double].self) == [0.25, 0.5, 0.75])
    #expect(
      try root.attributeInfo("shape")
        == HDF5AttributeInfo(name: "shape", shape: [2], elementType: .int32))
    #expect(try root.hasAttribute("backend"))
    #expect(
      try Set(root.attributeNames())
        == [
          "backend", "keras_version", "layer_names", "epochs", "learning_rate", "scale", "shape",
          "means", "tags",
        ])
  }

  @Test("reads an attribute on a dataset written by h5py")
  func datasetAttribute() throws {
    let kernel = try file.root.dataset("model_weights/dense/dense/kernel:0")
    #expect(try kernel.attribute("units", as: Int.self) == 3)
  }

  @Test("iterates an h5py track_order group in creation order, others by name")
  func trackOrder() throws {
    #expect(try file.root.group("ordered").names() == ["zeta", "alpha", "mid", "beta"])
    #expect(try file.root.group("ordered").names(order: .name) == ["alpha", "beta", "mid", "zeta"])
    #expect(try file.root.group("unordered").names() == ["alpha", "mid", "zeta"])
    #expect(try file.root.kind(of: "ordered/beta") == .dataset)
    #expect(try file.root.kind(of: "ordered/zeta") == .group)
  }

  @Test("refuses to read a dataset with more elements than the limit")
  func tooManyElements() throws {
    let dataset = try file.root.dataset("hostile/too_many_elements")
    #expect(dataset.shape == [65536, 65536])
    expectHDF5Error(.limitExceeded, mentioning: ["'/hostile/too_many_elements'", "limit"]) {
      _ = try dataset.read(as: Float.self)
    }
  }

  @Test("refuses to read a dataset larger than its file could hold")
  func tooManyBytes() throws {
    expectHDF5Error(.limitExceeded, mentioning: ["'/hostile/too_many_bytes'", "more than a file"]) {
      _ = try file.root.dataset("hostile/too_many_bytes").read(as: Float.self)
    }
  }

  @Test("refuses to read strings longer than 64 MiB")
  func tooLongString() throws {
    expectHDF5Error(.limitExceeded, mentioning: ["'/hostile/too_long_string'"]) {
      _ = try file.root.dataset("hostile/too_long_string").readStrings()
    }
  }
}
