import HDF5
import Testing

@Suite("Groups")
struct GroupTests {
  @Test("lists children in creation order in files it writes")
  func creationOrder() throws {
    let directory = try TemporaryDirectory()
    let file = try writeAndReopen(directory.file("order.h5")) { file in
      let root = try file.root
      for name in ["zeta", "alpha", "mid"] { try root.createGroup("layers/\(name)") }
      try root.createDataset("b_data", values: [1.0])
      try root.createGroup("a_group")
    }
    #expect(try file.root.names() == ["layers", "b_data", "a_group"])
    #expect(try file.root.group("layers").names() == ["zeta", "alpha", "mid"])
  }

  @Test("lists children in name order when asked")
  func nameOrder() throws {
    let directory = try TemporaryDirectory()
    let file = try writeAndReopen(directory.file("order.h5")) { file in
      for name in ["zeta", "alpha", "Mid"] { try file.root.createGroup(name) }
    }
    #expect(try file.root.names(order: .name) == ["Mid", "alpha", "zeta"])
  }

  @Test("opens nested groups by name, relative path and absolute path")
  func openByPath() throws {
    let directory = try TemporaryDirectory()
    let file = try writeAndReopen(directory.file("nested.h5")) { try $0.root.createGroup("a/b/c") }
    let root = try file.root
    #expect(try root.group("a").group("b").group("c").path == "/a/b/c")
    #expect(try root.group("a/b/c").name == "c")
    #expect(try root.group("a").group("/a/b").path == "/a/b")
    #expect(try root.group("a/./b//c/").path == "/a/b/c")
  }

  @Test("tells groups from datasets")
  func kinds() throws {
    let directory = try TemporaryDirectory()
    let file = try writeAndReopen(directory.file("kinds.h5")) { file in
      try file.root.createGroup("g")
      try file.root.createDataset("g/d", values: [1] as [Int32])
    }
    let root = try file.root
    #expect(try root.kind(of: "g") == .group)
    #expect(try root.kind(of: "g/d") == .dataset)
  }

  @Test("contains finds nested paths and rejects missing ones")
  func contains() throws {
    let directory = try TemporaryDirectory()
    let file = try writeAndReopen(directory.file("contains.h5")) { file in
      try file.root.createDataset("a/b/d", values: [1] as [Int32])
    }
    let root = try file.root
    #expect(try root.contains("a"))
    #expect(try root.contains("a/b/d"))
    #expect(try root.group("a").contains("b/d"))
    #expect(try root.contains("/"))
    #expect(try !root.contains("a/x"))
    #expect(try !root.contains("x/y/z"))
    #expect(try !root.contains("a/b/d/deeper"))
  }

  @Test("createGroup refuses an existing path")
  func createExisting() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("exists.h5")
    try HDF5File.write(to: path) { file in
      try file.root.createGroup("a")
      expectHDF5Error(.alreadyExists, mentioning: ["'/a'", path]) { try file.root.createGroup("a") }
    }
  }

  @Test("requireGroup opens an existing group or creates a missing one")
  func requireGroup() throws {
    let directory = try TemporaryDirectory()
    let file = try writeAndReopen(directory.file("require.h5")) { file in
      let root = try file.root
      try root.createGroup("a").setAttribute("marker", to: 1)
      #expect(try root.requireGroup("a").hasAttribute("marker"))
      try root.requireGroup("b/c")
    }
    #expect(try file.root.names() == ["a", "b"])
    #expect(try file.root.contains("b/c"))
  }

  @Test("remove deletes a dataset")
  func remove() throws {
    let directory = try TemporaryDirectory()
    let file = try writeAndReopen(directory.file("remove.h5")) { file in
      try file.root.createDataset("d", values: [1.0])
      try file.root.createDataset("e", values: [2.0])
      try file.root.remove("d")
    }
    #expect(try file.root.names() == ["e"])
  }
}
