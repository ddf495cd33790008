import HDF5
import Testing

@Suite("Attributes")
struct AttributeTests {
  /// Writes attributes onto the root group with `body`, reopens the file
  /// read-only and returns its root group.
  private func reopenedRoot(_ body: (HDF5Group) throws -> Void) throws -> HDF5Group {
    let directory = try TemporaryDirectory()
    return try writeAndReopen(directory.file("attributes.h5")) { try body($0.root) }.root
  }

  @Test("round-trips a variable-length string attribute")
  func string() throws {
    let root = try reopenedRoot {
      try $0.setAttribute("model_config", to: #"{"name": "séquence"}"#)
    }
    #expect(try root.attribute("model_config", as: String.self) == #"{"name": "séquence"}"#)
    #expect(try root.attribute("model_config", as: [String].self) == [#"{"name": "séquence"}"#])
    #expect(
      try root.attributeInfo("model_config")
        == HDF5AttributeInfo(name: "model_config", shape: [], elementType: .string))
  }

  @Test("round-trips a variable-length string array attribute")
  func variableLengthStrings() throws {
    let root = try reopenedRoot { try $0.setAttribute("names", to: ["dense", "", "dense_1"]) }
    #expect(try root.attribute("names", as: [String].self) == ["dense", "", "dense_1"])
  }

  @Test("round-trips a fixed-length string array attribute")
  func fixedLengthStrings() throws {
    let root = try reopenedRoot {
      try $0.setAttribute(
        "weight_names", to: ["dense/kernel:0", "dense/bias:0"], encoding: .fixedLength)
      try $0.setAttribute("utf8", to: ["é", "abc"], encoding: .fixedLength)
    }
    #expect(
      try root.attribute("weight_names", as: [String].self) == ["dense/kernel:0", "dense/bias:0"])
    #expect(try root.attribute("utf8", as: [String].self) == ["é", "abc"])
    #expect(try root.attributeInfo("weight_names").shape == [2])
  }

  @Test("round-trips numeric scalar attributes")
  func numericScalars() throws {
    let root = try reopenedRoot { root in
      try root.setAttribute("epochs", to: 12)
      try root.setAttribute("rate", to: 0.001)
      try root.setAttribute("scale", to: Float(0.5))
    }
    #expect(try root.attribute("epochs", as: Int.self) == 12)
    #expect(try root.attribute("rate", as: Double.self) == 0.001)
    #expect(try root.attribute("scale", as: Float.self) == 0.5)
    #expect(try root.attribute("epochs", as: Double.self) == 12)
    #expect(try root.attributeInfo("epochs").elementType == .int64)
    #expect(try root.attributeInfo("scale").elementType == .float32)
  }

  @Test("round-trips numeric array attributes")
  func numericArrays() throws {
    let root = try reopenedRoot { root in
      try root.setAttribute("shape", to: [60, 1])
      try root.setAttribute("means", to: [0.25, 0.5])
      try root.setAttribute("floats", to: [1.5, -2] as [Float])
      try root.setAttribute("none", to: [] as [Int32])
    }
    #expect(try root.attribute("shape", as: [Int].self) == [60, 1])
    #expect(try root.attribute("means", as: [Double].self) == [0.25, 0.5])
    #expect(try root.attribute("floats", as: [Float].self) == [1.5, -2])
    #expect(try root.attribute("none", as: [Int32].self) == [])
    #expect(try root.attributeInfo("shape").shape == [2])
  }

  @Test("lists attribute names in creation order, or by name when asked")
  func names() throws {
    let root = try reopenedRoot { root in
      for name in ["zeta", "alpha", "mid"] { try root.setAttribute(name, to: 1) }
    }
    #expect(try root.attributeNames() == ["zeta", "alpha", "mid"])
    #expect(try root.attributeNames(order: .name) == ["alpha", "mid", "zeta"])
  }

  @Test("hasAttribute and removeAttribute")
  func hasAndRemove() throws {
    let root = try reopenedRoot { root in
      try root.setAttribute("keep", to: "k")
      try root.setAttribute("drop", to: "d")
      try root.removeAttribute("drop")
    }
    #expect(try root.hasAttribute("keep"))
    #expect(try !root.hasAttribute("drop"))
  }

  @Test("setting an existing attribute replaces it, even with many attributes")
  func replace() throws {
    let root = try reopenedRoot { root in
      for index in 0..<20 { try root.setAttribute("a\(index)", to: index) }
      try root.setAttribute("a3", to: "now a string")
      try root.setAttribute("a15", to: [1.5, 2.5])
    }
    #expect(try root.attribute("a3", as: String.self) == "now a string")
    #expect(try root.attribute("a15", as: [Double].self) == [1.5, 2.5])
    #expect(try root.attribute("a19", as: Int.self) == 19)
    #expect(try root.attributeNames().count == 20)
  }

  @Test("groups and datasets carry their own attributes")
  func onObjects() throws {
    let directory = try TemporaryDirectory()
    let file = try writeAndReopen(directory.file("objects.h5")) { file in
      try file.root.setAttribute("where", to: "root")
      try file.root.createGroup("g").setAttribute("where", to: "group")
      try file.root.createDataset("g/d", values: [1.0]).setAttribute("where", to: "dataset")
    }
    let root = try file.root
    #expect(try root.attribute("where", as: String.self) == "root")
    #expect(try root.group("g").attribute("where", as: String.self) == "group")
    #expect(try root.dataset("g/d").attribute("where", as: String.self) == "dataset")
  }

  @Test("stores a large string attribute")
  func largeString() throws {
    let config = String(repeating: "{\"layer\": \"dense\"}, ", count: 20_000)
    let root = try reopenedRoot { try $0.setAttribute("model_config", to: config) }
    #expect(try root.attribute("model_config", as: String.self) == config)
  }
}
