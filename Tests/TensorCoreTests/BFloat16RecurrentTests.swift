import Testing

@testable import TensorCore

/// The fused recurrent op with `precision: .bfloat16`.
///
/// Forward, against the step-by-step reference of ``RecurrentScenario`` whose every product
/// rounds both operands to bfloat16 (`x` after its dropout mask and `W`; the previous `h` after
/// its dropout mask and `U`; GRU reset-before's `r·h` and `U_h`) and multiplies them in float32:
/// the kernel's definition. The two differ by float32 summation order, and where that moves an
/// `h` across a bfloat16 rounding boundary, by one bfloat16 step of that operand (2⁻⁸ relative)
/// in the next product: hence a tolerance of 2e-3 rather than float32's 1e-5. That the kernel
/// does round is shown by its distance from the float32 reference on the wide layers.
///
/// Backward, the kernel also rounds the gate gradients it multiplies; the tape-based reference
/// cannot, so gradients are compared with the float32 reference's within bfloat16's precision.
@Suite("Fused recurrent kernel in bfloat16")
struct BFloat16RecurrentTests {
  static let scenarios = RecurrentScenario.all.map { scenario in
    var scenario = scenario
    scenario.precision = .bfloat16
    return scenario
  }

  @Test("forward equals the reference with bfloat16-rounded operands", arguments: scenarios)
  func forwardMatchesReference(_ scenario: RecurrentScenario) throws {
    let operands = scenario.operands()
    let fused = try scenario.fused(operands)
    let reference = try scenario.reference(operands)
    #expect(mismatch(fused.output, reference.output, absolute: 2e-3) == nil)
    for (state, expected) in zip(fused.states, reference.states) {
      #expect(mismatch(state, expected, absolute: 2e-3) == nil)
    }
  }

  @Test(
    "the products are rounded: wide layers differ from float32",
    arguments: scenarios.filter { $0.name.hasPrefix("wide") })
  func differsFromFloat32(_ scenario: RecurrentScenario) throws {
    var float32 = scenario
    float32.precision = .float32
    let operands = scenario.operands()
    let fused = try scenario.fused(operands)
    let exact = try float32.reference(operands)
    let rounded = try scenario.reference(operands)
    func largest(_ a: Tensor, _ b: Tensor) -> Float { zip(a.scalars, b.scalars).map { abs($0 - $1) }.max()! }
    let fromFloat32 = largest(fused.output, exact.output)
    #expect(fromFloat32 > 1e-3)
    #expect(largest(fused.output, rounded.output) < fromFloat32 / 10)
  }

  @Test(
    "gradients agree with float32's within bfloat16 precision",
    arguments: scenarios.filter {
      $0.name == "masked sequences from initial states" || $0.name == "per-gate dropout masks"
    })
  func gradients(_ scenario: RecurrentScenario) throws {
    var float32 = scenario
    float32.precision = .float32
    let operands = scenario.operands()
    let inputs = scenario.differentiable(operands)
    let (_, fused) = try valueWithGradient(at: inputs) {
      try scenario.loss(scenario.fused(scenario.replacing(operands, with: $0)))
    }
    let (_, exact) = try valueWithGradient(at: inputs) {
      try float32.loss(float32.fused(float32.replacing(operands, with: $0)))
    }
    for (k, (fused, exact)) in zip(fused, exact).enumerated() {
      let difference = mismatch(fused, exact, absolute: 3e-2, relative: 3e-2)
      #expect(difference == nil, "gradient \(k): \(difference ?? "")")
    }
  }

  /// Parts of 1 and 2 rows (batch 3 in 2 parts) multiply with primitives of two shapes, which
  /// may read `U` in different layouts: both must give the rows' own results.
  @Test(
    "splitting the batch rows across threads gives the same results",
    arguments: scenarios.filter {
      $0.name == "masked sequences from initial states" || $0.name == "per-gate dropout masks"
    })
  func batchParts(_ scenario: RecurrentScenario) throws {
    let operands = scenario.operands()
    let whole = scenario.forwardAndBackward(operands, parts: 1)
    for parts in [2, 3] {
      let split = scenario.forwardAndBackward(operands, parts: parts)
      for (a, b) in zip(whole, split) { #expect(mismatch(a, b, absolute: 1e-5) == nil, "\(parts) parts") }
    }
  }
}
