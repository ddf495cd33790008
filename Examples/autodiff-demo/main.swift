// A first look at TensorCore: tensors that print like NumPy, broadcasting,
// matmul on oneDNN, and reverse-mode gradients, ending with a tiny linear
// regression fitted by gradient descent.
import TensorCore

setRandomSeed(42)

let a = Tensor([[1, 2, 3], [4, 5, 6]])
let b = Tensor([10, 20, 30])
print("a =\n\(a)")
print("a + b (broadcast) =\n\(try a + b)")
print("a · aᵀ =\n\(try a.matmul(a, transposeB: true))")
print("softmax(a) =\n\(try a.softmax())")

let (value, grad) = try valueWithGradient(at: a) { x in try (x * x).sum(axes: [1]).sqrt().sum() }
print("d/da sum(‖row‖) =\n\(grad)   (value \(value))")

// Fit y = 3x - 2 with a weight and a bias.
let x = Tensor.randomUniform([64, 1], min: -1, max: 1)
let y = 3 * x - 2
let w = Variable(.zeros([1, 1]), name: "kernel")
let bias = Variable(.zeros([1]), name: "bias")
for step in 1...200 {
  let (loss, grads) = try valueWithGradient(for: [w, bias]) {
    try (x.matmul(w.value) + bias.value - y).square().mean()
  }
  w.value = try w.value - 0.1 * grads[0]
  bias.value = try bias.value - 0.1 * grads[1]
  if step % 50 == 0 { print("step \(step): loss \(loss.scalar)") }
}
print("learned w = \(w.value.scalar), b = \(bias.value.scalar) (true 3, -2)")
