import Testing

@testable import TensorCore

@Suite("withRandomSeed gives a task its own generator")
struct RandomScopeTests {
  @Test("Draws inside a scope repeat for the same seed, whatever the global generator does")
  func scopedDrawsRepeat() {
    let first = withRandomSeed(42) { Tensor.randomUniform([8]).scalars }
    let second = withRandomSeed(42) {
      #expect(RandomGenerator.withCurrent { $0 } == RandomGenerator(seed: 42))
      return Tensor.randomUniform([8]).scalars
    }
    #expect(first == second)
    var expected = RandomGenerator(seed: 42)
    #expect(first == Tensor.randomUniform([8], using: &expected).scalars)
  }

  @Test("setRandomSeed inside a scope seeds the scope's generator, and state round-trips")
  func seedAndStateInsideScope() throws {
    withRandomSeed(1) {
      setRandomSeed(9)
      #expect(RandomGenerator.withCurrent { $0 } == RandomGenerator(seed: 9))
      let saved = RandomGenerator.withCurrent { $0.state }
      let drawn = Tensor.randomNormal([4]).scalars
      RandomGenerator.withCurrent { $0.state = saved }
      #expect(Tensor.randomNormal([4]).scalars == drawn)
    }
  }
}
