import Foundation
import Hummingbird
import HummingbirdTesting
import Keras
import KerasServing
import Testing

@Suite("Model base path in TensorFlow Serving's layout")
struct RepositoryTests {
  /// A temporary `BASE` with `BASE/tiny/<version>/model.keras` for each of `versions`.
  static func makeBase(versions: [Int64: Sequential]) throws -> URL {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("serve-base-\(UUID().uuidString)")
    for (version, model) in versions { try addVersion(version, model, to: base) }
    return base
  }

  static func addVersion(_ version: Int64, _ model: Sequential, to base: URL) throws {
    let directory = base.appendingPathComponent("tiny/\(version)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try model.save(directory.appendingPathComponent("model.keras").path)
  }

  @Test("the highest version is served; a new version directory replaces it without a restart")
  func newVersionIsPickedUp() async throws {
    let first = tinyModel(seed: 1)
    let second = tinyModel(seed: 2)
    let base = try Self.makeBase(versions: [1: first, 3: first])
    defer { try? FileManager.default.removeItem(at: base) }
    try FileManager.default.createDirectory(
      at: base.appendingPathComponent("tiny/not-a-version"), withIntermediateDirectories: true)
    let server = makeServer([:])
    let repository = ModelRepository(basePath: base.path, server: server)
    #expect(repository.poll().map(\.version) == [3])
    let x = Tensor([[1, 2, 3, 4]])
    try await withServer(server) { client async throws in
      let status = try await client.get("/v1/models/tiny")
      let versions = (status.body as? [String: Any])?["model_version_status"] as? [[String: Any]]
      #expect(versions?.map { $0["version"] as? String } == ["3"])
      let before = try await client.post("/v1/models/tiny:predict", #"{"instances": [[1, 2, 3, 4]]}"#)
      let beforeRows = try #require(rows((before.body as? [String: Any])?["predictions"] as Any))
      #expect(Tensor(beforeRows).isAlmostEqual(to: try first.predict(x, verbose: 0), tolerance: 1e-6))

      try Self.addVersion(7, second, to: base)
      #expect(repository.poll().map(\.version) == [7])
      #expect(repository.poll().isEmpty)
      let after = try await client.post("/v1/models/tiny:predict", #"{"instances": [[1, 2, 3, 4]]}"#)
      let afterRows = try #require(rows((after.body as? [String: Any])?["predictions"] as Any))
      #expect(Tensor(afterRows).isAlmostEqual(to: try second.predict(x, verbose: 0), tolerance: 1e-6))
      #expect(try await client.get("/v1/models/tiny/versions/7").status == 200)
      #expect(try await client.get("/v1/models/tiny/versions/3").status == 404)
    }
  }

  @Test("a version that fails to load is logged and skipped; the served version stays")
  func brokenVersionIsSkipped() async throws {
    let base = try Self.makeBase(versions: [1: tinyModel()])
    defer { try? FileManager.default.removeItem(at: base) }
    let server = makeServer([:])
    let repository = ModelRepository(basePath: base.path, server: server)
    repository.poll()
    let broken = base.appendingPathComponent("tiny/2")
    try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
    try Data("not a zip".utf8).write(to: broken.appendingPathComponent("model.keras"))
    #expect(repository.poll().isEmpty)
    #expect(server.registry.versions(of: "tiny").map(\.version) == [1])
  }
}

@Suite("Version reload during traffic")
struct ReloadDuringTrafficTests {
  @Test("a request held by the old version is answered by it after the new version took over", .holdsAThread)
  func oldVersionDrains() async throws {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("serve-drain-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: base) }
    @Sendable func addVersion(_ version: Int) throws {
      let directory = base.appendingPathComponent("gated/\(version)")
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try Data().write(to: directory.appendingPathComponent("model.keras"))
    }
    let old = GatedModel()
    let server = makeServer([:])
    // Version 1 is the gated model (row sums), version 2 answers minus the row sums.
    let repository = ModelRepository(basePath: base.path, server: server) { file in
      file.contains("/1/") ? old as any ServableModel : SumModel()
    }
    try addVersion(1)
    repository.poll()
    try await withServer(server) { client async throws in
      var released = false
      defer { if !released { old.release() } }
      let held = Task {
        let answer = try await client.post("/v1/models/gated:predict", #"{"instances": [[1, 2]]}"#)
        return (answer.status, rows((answer.body as? [String: Any])?["predictions"] as Any))
      }
      try await eventually { old.waiting == 1 }
      try addVersion(2)
      #expect(repository.poll().map(\.version) == [2])
      let fresh = try await client.post("/v1/models/gated:predict", #"{"instances": [[1, 2]]}"#)
      #expect(rows((fresh.body as? [String: Any])?["predictions"] as Any) == [[-3]])  // version 2 answers
      old.release()
      released = true
      let (status, predictions) = try await held.value
      #expect(status == 200)
      #expect(predictions == [[3]])  // version 1 finished it
      #expect(old.calls == [1])
    }
  }
}

/// A model of one input `x` `[N, 2]` whose output is minus the row sums, `[N, 1]`.
final class SumModel: ServableModel, @unchecked Sendable {
  let inputs = [TensorSpec(name: "x", shape: [nil, 2])]
  let outputs = [TensorSpec(name: "negated_sum", shape: [nil, 1])]

  func predict(_ inputs: [Tensor]) throws -> [Tensor] {
    let x = inputs[0].scalars
    let n = inputs[0].shape[0]
    return [try Tensor(shape: [n, 1], scalars: (0..<n).map { -(x[2 * $0] + x[2 * $0 + 1]) })]
  }
}
