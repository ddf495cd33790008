import Testing

@testable import TensorCore

// Every differentiable op checked against central finite differences: the analytic
// gradient of `sum(f(xs) · R)`, with `R` a fixed random tensor of the output's shape,
// must match `(L(x + h) - L(x - h)) / 2h` for every element of every input.

/// One finite-difference check: an op applied to seeded inputs.
struct GradientCase: Sendable, CustomTestStringConvertible {
  let name: String
  let inputs: [Tensor]
  /// The finite-difference step; smaller than the distance of every input to a kink or tie.
  let step: Float
  let function: @Sendable ([Tensor]) throws -> Tensor

  init(
    _ name: String, _ inputs: [Tensor], step: Float = 1e-2, _ function: @escaping @Sendable ([Tensor]) throws -> Tensor
  ) {
    self.name = name
    self.inputs = inputs
    self.step = step
    self.function = function
  }

  var testDescription: String { name }
}

/// Expects the gradients `valueWithGradient(at:of:)` gives for `sum(f(xs) · R)` to match
/// central finite differences at `inputs`.
func checkGradients(
  _ name: String, _ inputs: [Tensor], step: Float = 1e-2, _ f: ([Tensor]) throws -> Tensor
) throws {
  let weights = Tensor.randomUniform(try f(inputs).shape, min: -1, max: 1, seed: 2024)
  let (_, analytic) = try valueWithGradient(at: inputs) { xs in try (f(xs) * weights).sum() }
  try expectFiniteDifferences(of: name, at: inputs, weights: weights, step: step, match: analytic, f)
}

/// Expects `analytic` to be the gradients of `sum(f(xs) · weights)` at `inputs`, within
/// `2e-3 + 2e-2·|numeric|` of the central differences (the loss is accumulated in `Double`).
func expectFiniteDifferences(
  of name: String, at inputs: [Tensor], weights: Tensor, step: Float = 1e-2, match analytic: [Tensor],
  _ f: ([Tensor]) throws -> Tensor
) throws {
  func loss(_ xs: [Tensor]) throws -> Double {
    let output = try f(xs)
    try #require(output.shape == weights.shape, "\(name): output shape \(output.shape), weights \(weights.shape)")
    return zip(output.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
  }
  try #require(analytic.count == inputs.count, "\(name): \(analytic.count) gradients for \(inputs.count) inputs")
  for (input, (x, gradient)) in zip(inputs, analytic).enumerated() {
    try #require(gradient.shape == x.shape, "\(name): input \(input) has shape \(x.shape), gradient \(gradient.shape)")
    for element in 0..<x.count {
      var plus = inputs
      var minus = inputs
      plus[input].withUnsafeMutableBufferPointer { $0[element] += step }
      minus[input].withUnsafeMutableBufferPointer { $0[element] -= step }
      let actualStep = Double(plus[input].scalars[element]) - Double(minus[input].scalars[element])
      let numeric = (try loss(plus) - loss(minus)) / actualStep
      let value = Double(gradient.scalars[element])
      #expect(
        Swift.abs(value - numeric) <= 2e-3 + 2e-2 * Swift.abs(numeric),
        "\(name): input \(input), element \(element): analytic \(value), numeric \(numeric)")
    }
  }
}

/// Seeded uniform samples in `range`, pushed at least `margin` away from each of `kinks`.
func sample(
  _ shape: [Int], _ range: ClosedRange<Float> = -1...1, seed: UInt64, avoiding kinks: [Float] = [],
  margin: Float = 0.1
) -> Tensor {
  var values = Tensor.randomUniform(shape, min: range.lowerBound, max: range.upperBound, seed: seed)
  values.withUnsafeMutableBufferPointer { buffer in
    for i in buffer.indices {
      for kink in kinks where Swift.abs(buffer[i] - kink) < margin {
        buffer[i] = buffer[i] < kink ? kink - margin : kink + margin
      }
    }
  }
  return values
}

/// A seeded shuffle of evenly spaced values centred on `offset`: no two elements tie.
func distinct(_ shape: [Int], seed: UInt64, spacing: Float = 0.25, offset: Float = 0) -> Tensor {
  var generator = RandomGenerator(seed: seed)
  let order = generator.permutation(Shape.count(shape))
  return try! Tensor(shape: shape, scalars: order.map { Float($0 - order.count / 2) * spacing + offset })
}

extension GradientCase {
  static let arithmetic: [GradientCase] = {
    let operators: [(String, @Sendable (Tensor, Tensor) throws -> Tensor)] = [
      ("+", { try $0 + $1 }), ("-", { try $0 - $1 }), ("*", { try $0 * $1 }), ("/", { try $0 / $1 }),
    ]
    let shapePairs: [([Int], [Int])] = [
      ([2, 3], [2, 3]), ([2, 3], [3]), ([2, 1], [1, 3]), ([], [2, 3]), ([2, 3], []),
    ]
    var cases: [GradientCase] = []
    for (symbol, op) in operators {
      for (seed, (lhs, rhs)) in shapePairs.enumerated() {
        let denominatorRange: ClosedRange<Float> = symbol == "/" ? 0.5...1.5 : -1...1
        cases.append(
          GradientCase(
            "\(lhs) \(symbol) \(rhs)",
            [sample(lhs, seed: UInt64(seed)), sample(rhs, denominatorRange, seed: UInt64(seed) + 100)]
          ) { try op($0[0], $0[1]) })
      }
    }
    let x = sample([2, 3], seed: 10)
    let positive = sample([2, 3], 0.5...2, seed: 11)
    return cases + [
      GradientCase("x + 2", [x]) { $0[0] + 2 },
      GradientCase("2 + x", [x]) { 2 + $0[0] },
      GradientCase("x - 2", [x]) { $0[0] - 2 },
      GradientCase("2 - x", [x]) { 2 - $0[0] },
      GradientCase("x * 3", [x]) { $0[0] * 3 },
      GradientCase("3 * x", [x]) { 3 * $0[0] },
      GradientCase("x / 4", [x]) { $0[0] / 4 },
      GradientCase("4 / x", [positive], step: 1e-3) { 4 / $0[0] },
      GradientCase("-x", [x]) { -$0[0] },
      GradientCase("pow with an exponent of the same shape", [positive, sample([2, 3], -1.5...1.5, seed: 12)]) {
        try $0[0].pow($0[1])
      },
      GradientCase("pow with a broadcast [3] exponent", [positive, sample([3], -1.5...1.5, seed: 13)]) {
        try $0[0].pow($0[1])
      },
      GradientCase("pow with a scalar-shape exponent", [positive, sample([], -1.5...1.5, seed: 14)]) {
        try $0[0].pow($0[1])
      },
      GradientCase(
        "pow of a broadcast [3] base", [sample([3], 0.5...2, seed: 15), sample([2, 3], -1.5...1.5, seed: 16)]
      ) {
        try $0[0].pow($0[1])
      },
      GradientCase("pow(2.5)", [positive]) { $0[0].pow(2.5) },
      GradientCase("pow(-1.5)", [positive], step: 1e-3) { $0[0].pow(-1.5) },
      GradientCase("pow(3) of negative bases", [x]) { $0[0].pow(3) },
      GradientCase(
        "minimum of equal shapes", [distinct([2, 3], seed: 17), distinct([2, 3], seed: 18, offset: 0.125)]
      ) {
        try $0[0].minimum($0[1])
      },
      GradientCase(
        "maximum of equal shapes", [distinct([2, 3], seed: 17), distinct([2, 3], seed: 18, offset: 0.125)]
      ) {
        try $0[0].maximum($0[1])
      },
      GradientCase(
        "minimum broadcast [2, 3] with [3]", [distinct([2, 3], seed: 19), distinct([3], seed: 20, offset: 0.125)]
      ) {
        try $0[0].minimum($0[1])
      },
      GradientCase(
        "maximum broadcast [2, 1] with [1, 3]",
        [distinct([2, 1], seed: 21), distinct([1, 3], seed: 22, offset: 0.125)]
      ) {
        try $0[0].maximum($0[1])
      },
      GradientCase("minimum(0.3)", [sample([2, 3], seed: 23, avoiding: [0.3])]) { $0[0].minimum(0.3) },
      GradientCase("maximum(-0.2)", [sample([2, 3], seed: 24, avoiding: [-0.2])]) { $0[0].maximum(-0.2) },
      GradientCase("clipped(min: -0.5, max: 0.5)", [sample([3, 4], seed: 25, avoiding: [-0.5, 0.5])]) {
        $0[0].clipped(min: -0.5, max: 0.5)
      },
      GradientCase("where with equal shapes", [sample([2, 3], seed: 26), sample([2, 3], seed: 27)]) {
        try Tensor.where(Tensor([[1, 0, 1], [0, 0, 1]]), $0[0], $0[1])
      },
      GradientCase(
        "where with a [3] condition and a [2, 1] branch", [sample([2, 3], seed: 28), sample([2, 1], seed: 29)]
      ) {
        try Tensor.where(Tensor([0, 1, 1]), $0[0], $0[1])
      },
      GradientCase("where with a scalar-shape branch and a [3] branch", [sample([], seed: 30), sample([3], seed: 31)]) {
        try Tensor.where(Tensor([[1, 0, 0], [0, 1, 1]]), $0[0], $0[1])
      },
    ]
  }()

  static let unaryMath: [GradientCase] = {
    let x = sample([2, 3], -2...2, seed: 40)
    let positive = sample([2, 3], 0.5...2, seed: 41)
    return [
      GradientCase("exp", [x]) { $0[0].exp() },
      GradientCase("log", [positive], step: 1e-3) { $0[0].log() },
      GradientCase("log1p", [sample([2, 3], -0.5...1, seed: 42)]) { $0[0].log1p() },
      GradientCase("sqrt", [positive]) { $0[0].sqrt() },
      GradientCase("rsqrt", [positive], step: 1e-3) { $0[0].rsqrt() },
      GradientCase("square", [x]) { $0[0].square() },
      GradientCase("abs", [sample([2, 3], -2...2, seed: 43, avoiding: [0])]) { $0[0].abs() },
      GradientCase("sin", [x]) { $0[0].sin() },
      GradientCase("cos", [x]) { $0[0].cos() },
    ]
  }()

  static let activations: [GradientCase] = {
    let x = sample([2, 3], -3...3, seed: 50)
    let awayFromZero = sample([2, 4], -3...3, seed: 51, avoiding: [0])
    var cases = [
      GradientCase("relu", [awayFromZero]) { $0[0].relu() },
      GradientCase("sigmoid", [x]) { $0[0].sigmoid() },
      GradientCase("hardSigmoid", [sample([2, 4], -4...4, seed: 52, avoiding: [-3, 3])]) { $0[0].hardSigmoid() },
      GradientCase("tanh", [x]) { $0[0].tanh() },
      GradientCase("elu", [awayFromZero]) { $0[0].elu() },
      GradientCase("elu(alpha: 0.5)", [awayFromZero]) { $0[0].elu(alpha: 0.5) },
      GradientCase("selu", [awayFromZero]) { $0[0].selu() },
      GradientCase("gelu", [x]) { $0[0].gelu() },
      GradientCase("gelu(approximate: true)", [x]) { $0[0].gelu(approximate: true) },
      GradientCase("softplus", [x]) { $0[0].softplus() },
      GradientCase("softsign", [awayFromZero]) { $0[0].softsign() },
      GradientCase("swish", [x]) { $0[0].swish() },
      GradientCase("silu", [x]) { $0[0].silu() },
      GradientCase("leakyRelu", [awayFromZero]) { $0[0].leakyRelu() },
      GradientCase("leakyRelu(negativeSlope: 0.1)", [awayFromZero]) { $0[0].leakyRelu(negativeSlope: 0.1) },
      GradientCase("linear", [x]) { $0[0].linear() },
    ]
    let logits = sample([2, 3, 2], -2...2, seed: 53)
    for axis in [0, 1, 2, -1] {
      cases.append(GradientCase("softmax along axis \(axis)", [logits]) { try $0[0].softmax(axis: axis) })
      cases.append(GradientCase("logSoftmax along axis \(axis)", [logits]) { try $0[0].logSoftmax(axis: axis) })
    }
    return cases
  }()

  static let reductions: [GradientCase] = {
    let reductions: [(String, @Sendable (Tensor, [Int]?, Bool) throws -> Tensor)] = [
      ("sum", { try $0.sum(axes: $1, keepDims: $2) }),
      ("mean", { try $0.mean(axes: $1, keepDims: $2) }),
      ("max", { try $0.max(axes: $1, keepDims: $2) }),
      ("min", { try $0.min(axes: $1, keepDims: $2) }),
      ("variance", { try $0.variance(axes: $1, keepDims: $2) }),
      ("standardDeviation", { try $0.standardDeviation(axes: $1, keepDims: $2) }),
      ("logSumExp", { try $0.logSumExp(axes: $1, keepDims: $2) }),
    ]
    let axisChoices: [[Int]?] = [nil, [1], [-1], [0, 2], [0, 1]]
    let x = distinct([2, 3, 4], seed: 60)
    var cases: [GradientCase] = []
    for (name, reduce) in reductions {
      for axes in axisChoices {
        for keepDims in [false, true] {
          let over = axes.map { "axes \($0)" } ?? "all axes"
          cases.append(
            GradientCase("\(name) over \(over), keepDims \(keepDims)", [x]) { try reduce($0[0], axes, keepDims) })
        }
      }
    }
    return cases + [
      GradientCase("sum()", [x]) { $0[0].sum() },
      GradientCase("mean()", [x]) { $0[0].mean() },
      GradientCase("sum(axis: 0)", [x]) { try $0[0].sum(axis: 0) },
      GradientCase("mean(axis: -1, keepDims: true)", [x]) { try $0[0].mean(axis: -1, keepDims: true) },
      GradientCase("max(axis: 1)", [x]) { try $0[0].max(axis: 1) },
      GradientCase("min(axis: -2, keepDims: true)", [x]) { try $0[0].min(axis: -2, keepDims: true) },
    ]
  }()

  static let shapeOps: [GradientCase] = {
    let x = sample([2, 3, 4], seed: 70)
    let matrix = sample([2, 6], seed: 71)
    let ones = sample([1, 3, 1], seed: 72)
    /// A scalar that weights every element of every piece differently.
    @Sendable func weightedSum(_ pieces: [Tensor]) throws -> Tensor {
      try pieces.enumerated().reduce(Tensor(0)) { total, piece in
        try total + (piece.element.square() * Float(piece.offset + 1)).sum()
      }
    }
    return [
      GradientCase("reshaped to [4, -1]", [x]) { try $0[0].reshaped(to: [4, -1]) },
      GradientCase("flattened", [x]) { $0[0].flattened() },
      GradientCase("permuted [2, 0, 1]", [x]) { try $0[0].permuted([2, 0, 1]) },
      GradientCase("permuted [0, -1, 1]", [x]) { try $0[0].permuted([0, -1, 1]) },
      GradientCase("transposed rank 2", [matrix]) { $0[0].transposed() },
      GradientCase("transposed rank 3", [x]) { $0[0].transposed() },
      GradientCase("expandingDims at 0", [matrix]) { try $0[0].expandingDims(at: 0) },
      GradientCase("expandingDims at 1", [matrix]) { try $0[0].expandingDims(at: 1) },
      GradientCase("expandingDims at -1", [matrix]) { try $0[0].expandingDims(at: -1) },
      GradientCase("squeezing every size-1 axis", [ones]) { try $0[0].squeezing() },
      GradientCase("squeezing axis 0", [ones]) { try $0[0].squeezing(axes: [0]) },
      GradientCase("slice along axis 1", [x]) { try $0[0].slice(axis: 1, 1..<3) },
      GradientCase("slice along axis -1", [x]) { try $0[0].slice(axis: -1, 0..<2) },
      GradientCase("subscript [1]", [x]) { $0[0][1] },
      GradientCase("subscript [-1]", [sample([3, 2, 2], seed: 73)]) { $0[0][-1] },
      GradientCase("subscript [1..<3]", [sample([4, 2], seed: 74)]) { $0[0][1..<3] },
      GradientCase(
        "concatenate three along axis 0",
        [sample([1, 3], seed: 75), sample([2, 3], seed: 76), sample([1, 3], seed: 77)]
      ) { try Tensor.concatenate($0, axis: 0) },
      GradientCase(
        "concatenate three along axis 1",
        [sample([2, 1], seed: 78), sample([2, 3], seed: 79), sample([2, 2], seed: 80)]
      ) { try Tensor.concatenate($0, axis: 1) },
      GradientCase(
        "concatenate three rank-3 along axis -1",
        [sample([2, 1, 2], seed: 81), sample([2, 1, 1], seed: 82), sample([2, 1, 3], seed: 83)]
      ) { try Tensor.concatenate($0, axis: -1) },
      GradientCase(
        "stack three along axis 0", [sample([2, 3], seed: 84), sample([2, 3], seed: 85), sample([2, 3], seed: 86)]
      ) {
        try Tensor.stack($0, axis: 0)
      },
      GradientCase(
        "stack three along axis -1", [sample([2, 3], seed: 84), sample([2, 3], seed: 85), sample([2, 3], seed: 86)]
      ) {
        try Tensor.stack($0, axis: -1)
      },
      GradientCase("split(sizes: [1, 3, 2], axis: 1), middle piece", [matrix]) {
        try $0[0].split(sizes: [1, 3, 2], axis: 1)[1]
      },
      GradientCase("split(sizes: [1, 3, 2], axis: 1), weighted sum of every piece", [matrix]) {
        try weightedSum($0[0].split(sizes: [1, 3, 2], axis: 1))
      },
      GradientCase("split(count: 3), last piece", [sample([6, 2], seed: 87)]) { try $0[0].split(count: 3)[2] },
      GradientCase("split(count: 3, axis: -1), weighted sum of every piece", [matrix]) {
        try weightedSum($0[0].split(count: 3, axis: -1))
      },
      GradientCase("broadcast [3] to [2, 3]", [sample([3], seed: 88)]) { try $0[0].broadcast(to: [2, 3]) },
      GradientCase("broadcast [2, 1] to [2, 2, 3]", [sample([2, 1], seed: 89)]) { try $0[0].broadcast(to: [2, 2, 3]) },
      GradientCase("broadcast [] to [2, 2]", [sample([], seed: 90)]) { try $0[0].broadcast(to: [2, 2]) },
    ]
  }()

  static let matmul: [GradientCase] = {
    var cases: [GradientCase] = []
    for transposeA in [false, true] {
      for transposeB in [false, true] {
        let left = transposeA ? [3, 2] : [2, 3]
        let right = transposeB ? [4, 3] : [3, 4]
        let flags = "transposeA \(transposeA), transposeB \(transposeB)"
        cases.append(
          GradientCase("rank 2, \(flags)", [sample(left, seed: 100), sample(right, seed: 101)]) {
            try $0[0].matmul($0[1], transposeA: transposeA, transposeB: transposeB)
          })
        cases.append(
          GradientCase(
            "batched rank 3 × rank 3, \(flags)", [sample([2] + left, seed: 102), sample([2] + right, seed: 103)]
          ) {
            try $0[0].matmul($0[1], transposeA: transposeA, transposeB: transposeB)
          })
        cases.append(
          GradientCase("rank 3 × shared rank 2, \(flags)", [sample([2] + left, seed: 104), sample(right, seed: 105)]) {
            try $0[0].matmul($0[1], transposeA: transposeA, transposeB: transposeB)
          })
      }
    }
    return cases
  }()

  static let gathering: [GradientCase] = [
    GradientCase("embedding lookup with repeated ids", [sample([5, 3], seed: 110)]) {
      try $0[0].gathering(IntTensor([[0, 2, 0], [4, 2, 2]]))
    },
    GradientCase("gathering along axis 1 with a repeated index", [sample([2, 4, 3], seed: 111)]) {
      try $0[0].gathering(IntTensor([3, 1, 3]), axis: 1)
    },
    GradientCase("gathering along axis -1 with a repeated index", [sample([2, 3], seed: 112)]) {
      try $0[0].gathering(IntTensor([2, 2, 0]), axis: -1)
    },
  ]
}

/// A reduction over tied elements and the gradient worked out by hand.
struct TieCase: Sendable, CustomTestStringConvertible {
  let name: String
  let input: Tensor
  let expected: Tensor
  let function: @Sendable (Tensor) throws -> Tensor

  var testDescription: String { name }

  static let all = [
    TieCase(name: "max of [1, 3, 3]", input: Tensor([1, 3, 3]), expected: Tensor([0, 0.5, 0.5])) { try $0.max() },
    TieCase(name: "min of [2, 1, 5, 1]", input: Tensor([2, 1, 5, 1]), expected: Tensor([0, 0.5, 0, 0.5])) {
      try $0.min()
    },
    TieCase(name: "max of four equal elements", input: Tensor([2, 2, 2, 2]), expected: .full([4], 0.25)) {
      try $0.max()
    },
    TieCase(
      name: "max along axis 1", input: Tensor([[1, 3, 3], [4, 2, 4]]),
      expected: Tensor([[0, 0.5, 0.5], [0.5, 0, 0.5]])
    ) { try $0.max(axis: 1) },
    TieCase(
      name: "min along axis 0 with keepDims", input: Tensor([[1, 3, 3], [1, 2, 3]]),
      expected: Tensor([[0.5, 0, 0.5], [0.5, 1, 0.5]])
    ) { try $0.min(axis: 0, keepDims: true) },
  ]
}

@Suite("Gradients match finite differences")
struct GradientTests {
  @Test(
    "gradient of broadcasting arithmetic, pow, minimum/maximum, clipped and where matches finite differences",
    arguments: GradientCase.arithmetic)
  func arithmetic(_ check: GradientCase) throws {
    try checkGradients(check.name, check.inputs, step: check.step, check.function)
  }

  @Test("gradient of unary math matches finite differences", arguments: GradientCase.unaryMath)
  func unaryMath(_ check: GradientCase) throws {
    try checkGradients(check.name, check.inputs, step: check.step, check.function)
  }

  @Test("gradient of an activation matches finite differences", arguments: GradientCase.activations)
  func activation(_ check: GradientCase) throws {
    try checkGradients(check.name, check.inputs, step: check.step, check.function)
  }

  @Test("gradient of a reduction matches finite differences", arguments: GradientCase.reductions)
  func reduction(_ check: GradientCase) throws {
    try checkGradients(check.name, check.inputs, step: check.step, check.function)
  }

  @Test("gradient of a shape op matches finite differences", arguments: GradientCase.shapeOps)
  func shapeOp(_ check: GradientCase) throws {
    try checkGradients(check.name, check.inputs, step: check.step, check.function)
  }

  @Test("gradient of matmul matches finite differences", arguments: GradientCase.matmul)
  func matmul(_ check: GradientCase) throws {
    try checkGradients(check.name, check.inputs, step: check.step, check.function)
  }

  @Test("gradient of gathering scatter-adds into repeated rows", arguments: GradientCase.gathering)
  func gathering(_ check: GradientCase) throws {
    try checkGradients(check.name, check.inputs, step: check.step, check.function)
  }

  @Test("valueWithGradient(for:) matches finite differences for two variables, one read twice")
  func variables() throws {
    let x = sample([4, 3], seed: 120)
    let kernel = Variable(sample([3, 2], seed: 121), name: "kernel")
    let bias = Variable(sample([2], seed: 122), name: "bias")
    let loss = { try (x.matmul(kernel.value) + bias.value).tanh().sum() + 0.5 * kernel.value.square().sum() }
    let initial = [kernel.value, bias.value]
    let (_, analytic) = try valueWithGradient(for: [kernel, bias], of: loss)
    try expectFiniteDifferences(of: "two variables", at: initial, weights: Tensor(1), match: analytic) { xs in
      kernel.value = xs[0]
      bias.value = xs[1]
      return try loss()
    }
  }

  @Test("max and min share the gradient equally among tied elements, as TensorFlow", arguments: TieCase.all)
  func tiedExtrema(_ tie: TieCase) throws {
    let tiedGradient = try gradient(at: tie.input, of: tie.function)
    #expect(tiedGradient.isAlmostEqual(to: tie.expected, tolerance: 1e-6), "\(tie.name): \(tiedGradient)")
  }

  @Test("elementwise maximum and minimum send a tied gradient to the receiver, as TensorFlow")
  func tiedElementwise() throws {
    let a = Tensor([1, 2, 3])
    let b = Tensor([1, 0, 3])
    let maximum = try valueWithGradient(at: [a, b]) { xs in try xs[0].maximum(xs[1]) }.gradients
    #expect(maximum == [Tensor([1, 1, 1]), Tensor([0, 0, 0])])
    let minimum = try valueWithGradient(at: [a, b]) { xs in try xs[0].minimum(xs[1]) }.gradients
    #expect(minimum == [Tensor([1, 0, 1]), Tensor([0, 1, 0])])
  }
}
