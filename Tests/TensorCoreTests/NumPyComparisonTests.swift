import Foundation
import Testing

@testable import TensorCore

/// One golden case: an op, its inputs and arguments, and NumPy's result.
struct NumPyCase: Decodable, CustomTestStringConvertible, Sendable {
  struct Arguments: Decodable, Sendable {
    var axes: [Int]?
    var keepDims: Bool?
    var axis: Int?
    var shape: [Int]?
    var min: Float?
    var max: Float?
    var start: Int?
    var end: Int?
    var depth: Int?
  }
  let name: String
  let op: String
  let inputs: [ArrayFixture]
  let args: Arguments
  let expected: ArrayFixture

  var testDescription: String { name }

  /// Runs the TensorCore op this case names.
  func run() throws -> Tensor {
    let x = inputs.map(\.tensor)
    let a = args
    switch op {
    case "add": return try x[0] + x[1]
    case "subtract": return try x[0] - x[1]
    case "multiply": return try x[0] * x[1]
    case "divide": return try x[0] / x[1]
    case "maximum": return try x[0].maximum(x[1])
    case "minimum": return try x[0].minimum(x[1])
    case "pow": return try x[0].pow(x[1])
    case "where": return try Tensor.where(x[0], x[1], x[2])
    case "equal": return try x[0].equal(x[1])
    case "less": return try x[0].less(x[1])
    case "greater_equal": return try x[0].greaterEqual(x[1])
    case "sum": return try x[0].sum(axes: a.axes, keepDims: a.keepDims!)
    case "mean": return try x[0].mean(axes: a.axes, keepDims: a.keepDims!)
    case "max": return try x[0].max(axes: a.axes, keepDims: a.keepDims!)
    case "min": return try x[0].min(axes: a.axes, keepDims: a.keepDims!)
    case "variance": return try x[0].variance(axes: a.axes, keepDims: a.keepDims!)
    case "logSumExp": return try x[0].logSumExp(axes: a.axes, keepDims: a.keepDims!)
    case "argmax": return Tensor(try x[0].argmax(axis: a.axis!))
    case "argmin": return Tensor(try x[0].argmin(axis: a.axis!))
    case "relu": return x[0].relu()
    case "sigmoid": return x[0].sigmoid()
    case "tanh": return x[0].tanh()
    case "hard_sigmoid": return x[0].hardSigmoid()
    case "elu": return x[0].elu()
    case "selu": return x[0].selu()
    case "gelu": return x[0].gelu()
    case "gelu_approximate": return x[0].gelu(approximate: true)
    case "softplus": return x[0].softplus()
    case "softsign": return x[0].softsign()
    case "swish": return x[0].swish()
    case "leaky_relu": return x[0].leakyRelu()
    case "linear": return x[0].linear()
    case "exp": return x[0].exp()
    case "abs": return x[0].abs()
    case "square": return x[0].square()
    case "log": return x[0].log()
    case "sqrt": return x[0].sqrt()
    case "softmax": return try x[0].softmax(axis: a.axis!)
    case "log_softmax": return try x[0].logSoftmax(axis: a.axis!)
    case "clip": return x[0].clipped(min: a.min!, max: a.max!)
    case "permute": return try x[0].permuted(a.axes!)
    case "transpose": return x[0].transposed()
    case "reshape": return try x[0].reshaped(to: a.shape!)
    case "broadcast_to": return try x[0].broadcast(to: a.shape!)
    case "concatenate": return try Tensor.concatenate(x, axis: a.axis!)
    case "stack": return try Tensor.stack(x, axis: a.axis!)
    case "slice": return try x[0].slice(axis: a.axis!, a.start!..<a.end!)
    case "matmul": return try x[0].matmul(x[1])
    case "gather": return try x[0].gathering(IntTensor(x[1]))
    case "one_hot": return try Tensor.oneHot(IntTensor(x[0]), depth: a.depth!)
    default: throw TensorError.invalidArgument(operation: "NumPyCase", "unknown op \(op)")
    }
  }
}

struct NumPyCases: Decodable {
  let cases: [NumPyCase]
  static let all: [NumPyCase] = (try? Fixtures.load("numpy_cases.json", as: NumPyCases.self).cases) ?? []
}

@Suite("Ops match NumPy")
struct NumPyComparisonTests {
  @Test("the NumPy fixture file loads and holds every case")
  func fixtureLoads() {
    #expect(NumPyCases.all.count == 197)
  }

  @Test("op result matches NumPy's", arguments: NumPyCases.all)
  func matchesNumPy(_ golden: NumPyCase) throws {
    let result = try golden.run()
    // Float32 transcendental functions differ from NumPy's float64 reference in the last bits.
    let failure = mismatch(result, golden.expected.tensor, absolute: 2e-6, relative: 2e-6)
    #expect(failure == nil, "\(golden.name): \(failure ?? "")")
  }
}
