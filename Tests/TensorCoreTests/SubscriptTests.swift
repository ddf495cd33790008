import Testing

@testable import TensorCore

/// One NumPy index expression of `Fixtures/subscripts.json` (written by `make_subscript_fixtures.py`):
/// its input, NumPy's result, an upstream gradient `u`, and the gradient of `sum(x[...] * u)`.
struct SubscriptCase: Decodable, CustomTestStringConvertible, Sendable {
  let name: String
  let swift: String
  let input: ArrayFixture
  let expected: ArrayFixture
  let upstream: ArrayFixture
  let gradient: ArrayFixture

  var testDescription: String { "\(name) as \(swift)" }

  static let all: [SubscriptCase] = (try? Fixtures.load("subscripts.json", as: File.self).cases) ?? []
  struct File: Decodable { let cases: [SubscriptCase] }

  /// Each NumPy expression of the fixture file written as a Swift subscript (the `swift` field spells it).
  static let expressions: [String: @Sendable (Tensor) throws -> Tensor] = [
    "x[:, :, 0]": { x in try x[.all, .all, 0] },
    "x[..., -1]": { x in try x[.ellipsis, -1] },
    "x[::2]": { x in try x[.slice(by: 2)] },
    "x[:, None]": { x in try x[.all, .newAxis] },
    "x[[0, 2, 1, 2]]": { x in try x[[0, 2, 1, 2]] },
    "x[1]": { x in x[1] },
    "x[-1]": { x in x[-1] },
    "x[1:3]": { x in x[1..<3] },
    "x[-2:]": { x in try x[(-2)...] },
    "x[:, 1:3, -1]": { x in try x[.all, 1..<3, -1] },
    "x[0, 1:, ::-2]": { x in try x[0, 1..., .slice(by: -2)] },
    "x[1, 2]": { x in try x[1, 2] as Tensor },
    "x[0, 0, 0]": { x in try x[0, 0, 0] as Tensor },
    "x[-1, ..., 1]": { x in try x[-1, .ellipsis, 1] },
    "x[1:3, None, ..., ::2]": { x in try x[1..<3, .newAxis, .ellipsis, .slice(by: 2)] },
    "x[:, :0]": { x in try x[.all, ..<0] },
    "x[0, :, [0, 2]]": { x in try x[0, .all, [0, 2]] },
    "x[:, [0, 2], 0]": { x in try x[.all, [0, 2], 0] },
    "x[[0, 2], :, [1, -1]]": { x in try x[[0, 2], .all, [1, -1]] },
    "x[:, [[0], [2]], [1, 2, 3]]": { x in try x[.all, IntTensor([[0], [2]]), [1, 2, 3]] },
    "x[:, 1, None, [0, 3]]": { x in try x[.all, 1, .newAxis, [0, 3]] },
    "x[[1, 1, 0], 1:3]": { x in try x[[1, 1, 0], 1..<3] },
    "x[[2, 0, 2], -1]": { x in try x[[2, 0, 2], -1] },
    "x[::-1]": { x in try x[.slice(by: -1)] },
    "x[1:6:2]": { x in try x[.slice(from: 1, to: 6, by: 2)] },
    "x[-1:0:-2]": { x in try x[.slice(from: -1, to: 0, by: -2)] },
    "x[2:100]": { x in x[2..<100] },
    "x[-3:-1]": { x in x[(-3)..<(-1)] },
    "x[1:4]": { x in try x[1...3] },
    "x[-3:]": { x in try x[(-3)...(-1)] },
    "x[:3]": { x in try x[..<3] },
    "x[:4]": { x in try x[...3] },
    "x[0:6:2]": { x in try x[stride(from: 0, to: 6, by: 2)] },
    "x[5:0:-2]": { x in try x[stride(from: 5, through: 1, by: -2)] },
    "x[np.array([[0, 1], [2, 0]])]": { x in try x[IntTensor([[0, 1], [2, 0]])] },
    "x[:, [-1, 0]]": { x in try x[.all, [-1, 0]] },
    "x[None, ..., None]": { x in try x[.newAxis, .ellipsis, .newAxis] },
    "x[...]": { x in x[...] },
  ]
}

@Suite("NumPy-style subscripts match NumPy, gradients included")
struct SubscriptTests {
  @Test("the fixture file loads and every case has its Swift subscript")
  func fixtureCoversExpressions() {
    #expect(SubscriptCase.all.count == 38)
    #expect(Set(SubscriptCase.all.map(\.name)) == Set(SubscriptCase.expressions.keys))
  }

  @Test("the result matches NumPy's", arguments: SubscriptCase.all)
  func forward(_ golden: SubscriptCase) throws {
    let subscripted = try #require(SubscriptCase.expressions[golden.name])
    let result = try subscripted(golden.input.tensor)
    #expect(mismatch(result, golden.expected.tensor, absolute: 0, relative: 0) == nil, "\(golden.name)")
  }

  @Test("the gradient matches np.add.at of the upstream gradient", arguments: SubscriptCase.all)
  func gradient(_ golden: SubscriptCase) throws {
    let subscripted = try #require(SubscriptCase.expressions[golden.name])
    let upstream = golden.upstream.tensor
    let g = try TensorCore.gradient(at: golden.input.tensor) { x in try (subscripted(x) * upstream).sum() }
    #expect(mismatch(g, golden.gradient.tensor, absolute: 0, relative: 0) == nil, "\(golden.name)")
  }

  @Test("the documented examples give the documented shapes")
  func documentedShapes() throws {
    let x = Tensor.ones([4, 6, 8])
    #expect(try x[.all, .all, 0].shape == [4, 6])
    #expect(try x[.ellipsis, -1].shape == [4, 6])
    #expect(try x[.slice(by: 2)].shape == [2, 6, 8])
    #expect(try x[1..<3, .newAxis].shape == [2, 1, 6, 8])
    #expect(try x[0..., .newAxis].shape == [4, 1, 6, 8])
    #expect(try x[.all, [0, 2, 5], -1].shape == [4, 3])
    let lastStep: [any TensorIndexConvertible] = [.all, -1]
    #expect(try x.indexed(by: lastStep) == x[.all, -1])
    let listed: [TensorIndex] = [.all, [0, 2], .slice(by: 3)]
    #expect(try x.indexed(by: listed) == x[.all, [0, 2], .slice(by: 3)])
  }

  @Test("the Indexing section of TensorCore.md runs and gives the shapes it states")
  func documentationSection() throws {
    let x = Tensor.ones([4, 6, 8])
    let lastStep = try x[.ellipsis, -1]
    let everyOther = try x[.all, .slice(by: 2)]
    let picked = try x[.all, [0, 2, 5], -1]
    let steps: [any TensorIndexConvertible] = [.all, 1..<3]
    let middle = try x.indexed(by: steps)
    let g = try TensorCore.gradient(at: x) { x in try x[.ellipsis, -1].sum() }
    #expect(lastStep.shape == [4, 6] && everyOther.shape == [4, 3, 8] && picked.shape == [4, 3])
    #expect(middle.shape == [4, 2, 8])
    #expect(try g[.ellipsis, -1] == .ones([4, 6]) && g.sum().scalar == 24)
  }

  @Test("the older spellings keep their types: x[i] and x[a..<b] a Tensor, x[i, j] with every axis a Float")
  func olderSpellings() throws {
    let x = Tensor([[1, 2, 3], [4, 5, 6]])
    let row = x[1]
    let rows = x[0..<1]
    let element = x[1, 2]
    #expect(row == Tensor([4, 5, 6]))
    #expect(rows == Tensor([[1, 2, 3]]))
    #expect(element == 6)
    #expect(x[...] == x)
    #expect(try x.slice(axis: 1, 1..<3) == x[.all, 1..<3])
  }

  @Test("x[i] with one Int out of range stops the program with the message the throwing form gives")
  func nonThrowingIndexStops() async throws {
    let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3])[5]
    }
    let message = String(decoding: result.standardErrorContent, as: UTF8.self)
    #expect(message.contains("Tensor subscript [5]: index 5 is out of range -2..<2 for axis 0 of shape [2, 3]"))
    #expect(message.contains("`try x.indexed(by: [...])` does"))
  }

  @Test("x[i, j] with too few integers for an element stops the program and says how to take a sub-tensor")
  func elementSubscriptWithTooFewIntegersStops() async throws {
    let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3, 4])[0, 1] as Float
    }
    let message = String(decoding: result.standardErrorContent, as: UTF8.self)
    #expect(message.contains("Tensor subscript [0, 1]: 2 integers for shape [2, 3, 4]"))
    #expect(message.contains("for a sub-tensor write `try x[0, 1, .ellipsis]`"))
  }

  @Test("an integer out of range names the subscript, the index, the axis and the shape")
  func integerOutOfRange() {
    let x = Tensor.zeros([2, 4])
    #expect { try x[.all, 5] } throws: {
      "\($0)" == "Tensor subscript [.all, 5]: index 5 is out of range -4..<4 for axis 1 of shape [2, 4]"
    }
    #expect { try x[-3, .ellipsis] } throws: {
      "\($0)" == "Tensor subscript [-3, .ellipsis]: index -3 is out of range -2..<2 for axis 0 of shape [2, 4]"
    }
    #expect { try x.indexed(by: [2]) } throws: {
      "\($0)" == "Tensor subscript [2]: index 2 is out of range -2..<2 for axis 0 of shape [2, 4]"
    }
  }

  @Test("an index array entry out of range names its value and position")
  func arrayOutOfRange() {
    let x = Tensor.zeros([5, 3])
    #expect { try x[[0, 7, 1]] } throws: {
      "\($0)" == "Tensor subscript [[0, 7, 1]]: index 7 at position 1 of [0, 7, 1] is out of range -5..<5"
        + " for axis 0 of shape [5, 3]"
    }
    #expect { try x[[0, 1], [0, 1, 2]] } throws: {
      "\($0)" == "Tensor subscript [[0, 1], [0, 1, 2]]: the index arrays' shapes [2], [3] do not broadcast"
    }
  }

  @Test("too many indices, two ellipses and a zero step are refused with the reason")
  func malformedSubscripts() {
    let x = Tensor.zeros([2, 4])
    #expect { try x[0, 0, .all] } throws: {
      "\($0)" == "Tensor subscript [0, 0, .all]: it indexes 3 axes but the tensor of shape [2, 4] has 2 axes"
        + " (.newAxis and .ellipsis index none)"
    }
    #expect { try Tensor(3)[.all] } throws: {
      "\($0)".contains("it indexes 1 axis but the tensor of shape [] has 0 axes")
    }
    #expect { try x[.ellipsis, 0, .ellipsis] } throws: {
      "\($0)" == "Tensor subscript [.ellipsis, 0, .ellipsis]: an index may hold one .ellipsis, this one holds 2"
    }
    #expect { try x[.all, .slice(from: 1, by: 0)] } throws: {
      "\($0)" == "Tensor subscript [.all, .slice(from: 1, by: 0)]: .slice(from: 1, by: 0) has a step of 0"
        + " for axis 1 of shape [2, 4]; a step must not be 0"
    }
  }

  @Test("a Swift stride's positions must lie in the axis")
  func swiftStrideOutOfRange() {
    let x = Tensor.zeros([4])
    #expect { try x[stride(from: 0, to: 7, by: 3)] } throws: {
      "\($0)" == "Tensor subscript [stride(from: 0, through: 6, by: 3)]: position 6 of"
        + " stride(from: 0, through: 6, by: 3) is out of range 0..<4 for axis 0 of shape [4]"
    }
    #expect { try x[stride(from: -1, to: -3, by: -1)] } throws: {
      "\($0)".hasSuffix("; .slice(from:to:by:) counts negative bounds from the end")
    }
  }

  @Test("index spellings that select alike are equal")
  func indexEquality() {
    #expect((0..<3).tensorIndex == TensorIndex.slice(from: 0, to: 3, by: 1))
    #expect((0...2).tensorIndex == (0..<3).tensorIndex)
    #expect((0...2).tensorIndex.description == "0...2")
    #expect((0..<3).tensorIndex != (0..<4).tensorIndex)
  }

  @Test("gathering rows of a variable with a subscript keeps them as row slices (IndexedSlices)")
  func gatherFromVariableStaysSparse() throws {
    let table = Variable(Tensor([[1, 2], [3, 4], [5, 6]]), name: "embeddings")
    let (_, gradients, sparse) = try valueWithSparseGradient(for: [table]) { try table.value[[2, 0, 2]].sum() }
    #expect(gradients[0] == Tensor([[1, 1], [0, 0], [2, 2]]))
    let rows = try #require(sparse[0])
    #expect(rows.map(\.indices) == [IntTensor([2, 0, 2])])
  }

  @Test("a subscript of a tensor being differentiated is recorded; one of a constant is not")
  func recordsOnlyWhenDifferentiated() throws {
    let c = Tensor([1, 2, 3])
    let g = try TensorCore.gradient(at: Tensor([10, 20, 30])) { x in
      #expect(try x[.slice(by: -1)].isRecorded)
      #expect(try !c[.slice(by: -1)].isRecorded)
      return try (x * c[.slice(by: -1)]).sum()
    }
    #expect(g == Tensor([3, 2, 1]))
    let twice = try TensorCore.gradient(at: Tensor([1, 2, 3, 4])) { x in try (x[1...] + x[..<3]).sum() }
    #expect(twice == Tensor([1, 2, 2, 1]))
  }
}
