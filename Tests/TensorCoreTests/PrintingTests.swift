import Testing

@testable import TensorCore

struct PrintingCase: Decodable, Sendable, CustomTestStringConvertible {
  let shape: [Int]
  let text: String
  private let array: ArrayFixture

  enum CodingKeys: String, CodingKey { case shape, text }

  init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    shape = try container.decode([Int].self, forKey: .shape)
    text = try container.decode(String.self, forKey: .text)
    array = try ArrayFixture(from: decoder)
  }

  var tensor: Tensor { array.tensor }
  var testDescription: String { "shape \(shape): \(text.prefix(40))" }
}

extension ArrayFixture: @unchecked Sendable {}

struct PrintingCases: Decodable {
  let cases: [PrintingCase]
  static let all: [PrintingCase] = (try? Fixtures.load("printing.json", as: PrintingCases.self).cases) ?? []
}

@Suite("Tensors print like NumPy")
struct PrintingTests {
  @Test("the printing fixture loads")
  func fixtureLoads() { #expect(PrintingCases.all.count == 18) }

  @Test("description equals NumPy's str()", arguments: PrintingCases.all)
  func printsLikeNumPy(_ golden: PrintingCase) {
    #expect(golden.tensor.description == golden.text)
  }

  @Test("integer tensors print with right-aligned columns")
  func intTensorPrinting() throws {
    // np.array([[1, -20], [300, 4]]) prints as below.
    #expect(IntTensor([[1, -20], [300, 4]]).description == "[[  1 -20]\n [300   4]]")
  }
}
