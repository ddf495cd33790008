import Foundation
import TensorCore

/// Reading the golden files that `Fixtures/make_numpy_fixtures.py` wrote with NumPy.
enum Fixtures {
  /// The path of a file under `Fixtures/`.
  static func path(_ name: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(name).path
  }

  /// A JSON file under `Fixtures/` decoded as `T`.
  static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(fileURLWithPath: path(name))))
  }
}

/// An array as the generator writes it: a shape and row-major data, with NaN and
/// infinities spelled as strings because JSON cannot hold them.
struct ArrayFixture: Decodable {
  let shape: [Int]
  let data: [Float]

  enum CodingKeys: String, CodingKey { case shape, data }

  init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    shape = try container.decode([Int].self, forKey: .shape)
    var values = try container.nestedUnkeyedContainer(forKey: .data)
    var data: [Float] = []
    while !values.isAtEnd {
      if let v = try? values.decode(Double.self) {
        data.append(Float(v))
      } else {
        switch try values.decode(String.self) {
        case "nan": data.append(.nan)
        case "inf": data.append(.infinity)
        default: data.append(-.infinity)
        }
      }
    }
    self.data = data
  }

  var tensor: Tensor { try! Tensor(shape: shape, scalars: data) }
}

/// Whether `actual` matches `expected` in shape and, elementwise, within `absolute + relative·|expected|`
/// (NaN matches NaN); on mismatch, a message naming the first differing element.
func mismatch(_ actual: Tensor, _ expected: Tensor, absolute: Float = 1e-5, relative: Float = 1e-5) -> String? {
  guard actual.shape == expected.shape else { return "shape \(actual.shape) != expected \(expected.shape)" }
  let a = actual.scalars
  let e = expected.scalars
  for i in 0..<a.count {
    if a[i].isNaN && e[i].isNaN { continue }
    if a[i] == e[i] { continue }
    if !(abs(a[i] - e[i]) <= absolute + relative * abs(e[i])) {
      return "element \(i): \(a[i]) != expected \(e[i])"
    }
  }
  return nil
}
