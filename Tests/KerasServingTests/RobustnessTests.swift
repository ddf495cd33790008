import Foundation
import Hummingbird
import HummingbirdTesting
import Keras
import KerasServing
import Testing

@Suite("Bad requests are answered, never fatal")
struct RobustnessTests {
  static let badBodies: [(String, String)] = [
    ("malformed JSON", #"{"instances": [[1, 2, 3, 4]"#),
    ("not an object", #"[[1, 2, 3, 4]]"#),
    ("neither instances nor inputs", #"{"data": [[1, 2, 3, 4]]}"#),
    ("both instances and inputs", #"{"instances": [[1, 2, 3, 4]], "inputs": [[1, 2, 3, 4]]}"#),
    ("wrong width", #"{"instances": [[1, 2, 3]]}"#),
    ("wrong rank", #"{"instances": [1, 2, 3, 4]}"#),
    ("ragged rows", #"{"instances": [[1, 2, 3, 4], [1, 2]]}"#),
    ("a string", #"{"instances": [[1, 2, "3", 4]]}"#),
    ("null", #"{"instances": [[1, 2, null, 4]]}"#),
    ("NaN", #"{"instances": [[1, 2, NaN, 4]]}"#),
    ("a number beyond Float", #"{"instances": [[1, 2, 1e39, 4]]}"#),
    ("empty instances", #"{"instances": []}"#),
    ("unknown signature", #"{"signature_name": "other", "instances": [[1, 2, 3, 4]]}"#),
    ("unknown input name", #"{"inputs": {"x": [[1, 2, 3, 4]]}}"#),
    ("empty body", ""),
  ]

  @Test("each malformed or mistyped body is 400 with a message, and the server still serves")
  func badBodiesAre400() async throws {
    let server = makeServer(["tiny": try SequentialServable(tinyModel())])
    try await withServer(server) { client async throws in
      for (what, body) in Self.badBodies {
        let answer = try await client.post("/v1/models/tiny:predict", body)
        #expect(answer.status == 400, "\(what)")
        let message = (answer.body as? [String: Any])?["error"] as? String
        #expect(message?.isEmpty == false, "\(what)")
      }
      #expect(try await client.post("/v1/models/tiny:predict", #"{"instances": [[1, 2, 3, 4]]}"#).status == 200)
    }
  }

  @Test("a body over the limit is 413 with a message, and the server still serves")
  func bodyLimit() async throws {
    let server = makeServer(["tiny": try SequentialServable(tinyModel())], maxBodyBytes: 1000)
    try await withServer(server) { client async throws in
      let big = "{\"instances\": [" + Array(repeating: "[1, 2, 3, 4]", count: 500).joined(separator: ",") + "]}"
      let answer = try await client.post("/v1/models/tiny:predict", big)
      #expect(answer.status == 413)
      #expect(((answer.body as? [String: Any])?["error"] as? String)?.contains("1000 bytes") == true)
      #expect(try await client.post("/v1/models/tiny:predict", #"{"instances": [[1, 2, 3, 4]]}"#).status == 200)
    }
  }

  @Test("random mutations of a valid body get 200 or a 4xx with a message, never a crash")
  func bodyFuzz() async throws {
    let server = makeServer(["tiny": try SequentialServable(tinyModel())])
    let valid = Array(#"{"instances": [[1, 2.5, -3, 4e-1], [0, 0, 0, 1]]}"#.utf8)
    let alphabet = Array(#"{}[],:"0123456789.eE+-naNtrufls \"#.utf8) + [0, 0xff, 0xc3]
    var random = SplitMix(seed: 18)
    var mutated: [[UInt8]] = []
    for _ in 0..<150 {
      var body = valid
      for _ in 0...(random.next() % 4) {
        let position = Int(random.next() % UInt64(body.count + 1))
        switch random.next() % 3 {
        case 0 where position < body.count: body.remove(at: position)
        case 1: body.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: position)
        default: if position < body.count { body[position] = alphabet[Int(random.next() % UInt64(alphabet.count))] }
        }
      }
      mutated.append(body)
    }
    let bodies = mutated
    try await withServer(server) { client async throws in
      var seen: [Int: Int] = [:]
      for body in bodies {
        let (status, message) = try await client.execute(
          uri: "/v1/models/tiny:predict", method: .post, body: ByteBuffer(bytes: body)
        ) { response -> (Int, Bool) in
          let json = try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
          return (response.status.code, json?["predictions"] != nil || json?["error"] is String)
        }
        #expect(status == 200 || (400..<500).contains(status), "body \(String(decoding: body, as: UTF8.self))")
        #expect(message, "body \(String(decoding: body, as: UTF8.self))")
        seen[status, default: 0] += 1
      }
      #expect(seen[400, default: 0] > 0)
      #expect(try await client.post("/v1/models/tiny:predict", #"{"instances": [[1, 2, 3, 4]]}"#).status == 200)
    }
  }
}

/// A small seeded generator (SplitMix64), so the fuzz test sends the same bodies every run.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
