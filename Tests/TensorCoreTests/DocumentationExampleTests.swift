import Foundation
import TensorCore
import Testing

@Suite("The example of the TensorCore documentation")
struct TensorCoreDocumentationExampleTests {
  @Test("The landing page's code runs (Docs/TensorCore.docc/TensorCore.md)")
  func landingPage() throws {
    let a = Tensor([[1, 2, 3], [4, 5, 6]])
    #expect(try "\(a + Tensor([10, 20, 30]))" == "[[11. 22. 33.]\n [14. 25. 36.]]")
    #expect(try a.matmul(a, transposeB: true).shape == [2, 2])
    #expect(try a.softmax(axis: -1).shape == [2, 3])

    let (value, grad) = try valueWithGradient(at: a) { x in try (x * x).sum(axes: [1]).sqrt().sum() }
    #expect(value.shape == [] && grad.shape == [2, 3])

    let w = Variable(.zeros([3, 1]), name: "kernel")
    let (loss, grads) = try valueWithGradient(for: [w]) { try a.matmul(w.value).square().mean() }
    #expect(loss.scalars == [0] && grads[0].shape == [3, 1])

    setRandomSeed(42)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("noise-\(UUID().uuidString).npy").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try NPY.write(Tensor.truncatedNormal([3, 3], standardDeviation: 0.05), to: path)
    #expect(try NPY.read(path).shape == [3, 3])
  }
}
