import Foundation
import Testing

@testable import Keras

/// A short, seeded pass of the loader fuzzer (`Tools/fuzz-loaders`) over each file format. The
/// fuzzer runs as a child process, so a crash in a loader fails this test instead of the runner.
@Suite("Fuzzing the model loaders")
struct FuzzPassTests {
  let corpus = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/model_files")

  @Test(
    "mutated model files end in a thrown error or a usable model, never a crash, hang or memory blow-up",
    arguments: ["h5", "weights", "keras"])
  func shortPass(format: String) throws {
    let crashDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-pass-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: crashDirectory) }
    let result = try CommandLineTool("fuzz-loaders").run([
      "--format", format, "--iterations", "40", "--seed", "7", "--corpus", corpus.path,
      "--crash-dir", crashDirectory.path, "--input-seconds", "20", "--max-rss-mb", "1024",
    ])
    #expect(result.status == 0, "\(result.output)\n\(result.error)")
    #expect(result.output.contains("executions=40 "), "\(result.output)")
    #expect(result.output.contains("crashes=0 "), "\(result.output)")
  }
}
