import Foundation
import HDF5
import Testing

@Suite("The example of the HDF5 documentation")
struct HDF5DocumentationExampleTests {
  @Test("The landing page's code writes and reads a weights file (Docs/HDF5.docc/HDF5.md)")
  func landingPage() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("model.weights.h5")
    // The article's code, with the file name replaced by `path`.
    try HDF5File.write(to: path) { file in  // written atomically
      let vars = try file.root.createGroup("layers/dense/vars")
      try vars.createDataset("0", shape: [4, 1], values: [Float](repeating: 0.5, count: 4))
      try vars.setAttribute("name", to: "dense")
    }

    let file = try HDF5File(path: path, mode: .readOnly)
    let kernel = try file.root.dataset("layers/dense/vars/0")
    #expect(kernel.shape == [4, 1])
    #expect("\(kernel.elementType)" == "float32")
    let values: [Float] = try kernel.read()
    #expect(values == [0.5, 0.5, 0.5, 0.5])
  }
}
