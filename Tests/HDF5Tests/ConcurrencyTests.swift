import HDF5
import Testing

@Suite("Concurrency")
struct ConcurrencyTests {
  @Test("many tasks writing and reading files at once get their own data back")
  func parallelReadWrite() async throws {
    let directory = try TemporaryDirectory()
    let fixture = try h5pyFixturePath()
    let shared = try HDF5File(path: fixture)
    try await withThrowingTaskGroup(of: Void.self) { group in
      for task in 0..<16 {
        let path = directory.file("task\(task).h5")
        group.addTask {
          let values = (0..<256).map { Float(task * 1000 + $0) }
          try HDF5File.write(to: path) { file in
            try file.root.createDataset("layers/dense/vars/0", shape: [16, 16], values: values)
            try file.root.setAttribute("task", to: task)
          }
          let file = try HDF5File(path: path)
          #expect(try file.root.dataset("layers/dense/vars/0").read(as: Float.self) == values)
          #expect(try file.root.attribute("task", as: Int.self) == task)
          #expect(try shared.root.group("ordered").names() == ["zeta", "alpha", "mid", "beta"])
        }
      }
      try await group.waitForAll()
    }
  }
}
