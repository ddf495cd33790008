import Foundation
import Testing

@testable import HDF5

/// libhdf5 1.10 crashes or allocates gigabytes on some damaged files; a trial read in a forked
/// child process finds out first, so this process refuses the file instead.
@Suite("Trial reads keep libhdf5's crashes out of the process")
struct TrialReadTests {
  /// `Fixtures/libhdf5_crash.weights.h5`: a Keras `.weights.h5` file the fuzzer (Tools/fuzz-loaders)
  /// damaged with one byte-level mutation (`crash-1` of a 10-minute weights run); reading it
  /// makes libhdf5 1.10.8 die of SIGSEGV.
  @Test("a file on which libhdf5 crashes is refused with corruptFile, and this process lives on")
  func crashingFile() throws {
    let path = try #require(
      Bundle.module.path(forResource: "libhdf5_crash.weights", ofType: "h5", inDirectory: "Fixtures"))
    let error = expectHDF5Error(.corruptFile, mentioning: [path, "libhdf5 crashed", "separate process"]) {
      _ = try HDF5File(path: path)
    }
    #expect(error?.operation == "open file")
  }

  @Test("a variable-length string whose stored length lies is refused before libhdf5 allocates it")
  func lyingStringLength() throws {
    // h5py's fixture keeps old-style object headers (no checksum) with the root attribute
    // `backend` = "tensorflow", a reference into a global heap collection (GCOL): its length
    // (4 bytes), the collection's address (8) and the object's index (4).
    let directory = try TemporaryDirectory()
    let path = directory.file("lying.h5")
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try h5pyFixturePath())))
    let signature = Array("GCOL".utf8)
    let collections = (0...(bytes.count - 4)).filter { Array(bytes[$0..<($0 + 4)]) == signature }
    let references = collections.flatMap { collection -> [Int] in
      let reference =
        withUnsafeBytes(of: UInt32("tensorflow".utf8.count).littleEndian, Array.init)
        + withUnsafeBytes(of: UInt64(collection).littleEndian, Array.init)
      return (0...(bytes.count - 12)).filter { Array(bytes[$0..<($0 + 12)]) == reference }
    }
    let at = try #require(references.first)
    // 3.75 GiB: libhdf5 1.10 allocates what the reference says before it notices the heap
    // object is shorter.
    bytes.replaceSubrange(at..<(at + 4), with: withUnsafeBytes(of: UInt32(0xF000_0000).littleEndian, Array.init))
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    expectHDF5Error(.limitExceeded, mentioning: [path, "memory"]) { _ = try HDF5File(path: path) }
  }

  @Test("an intact file passes the trial read and reads as written")
  func intactFile() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("intact.h5")
    try HDF5File.write(to: path) { file in
      try file.root.setAttribute("model_config", to: "{}")
      for index in 0..<12 { try file.root.createDataset("group/\(index)", values: [Float(index), 1]) }
    }
    let file = try HDF5File(path: path)
    #expect(try file.root.attribute("model_config", as: String.self) == "{}")
    #expect(try file.root.group("group").names().count == 12)
    #expect(try file.root.dataset("group/11").read(as: Float.self) == [11, 1])
  }

  @Test("the child's allowances grow with the file")
  func allowances() {
    #expect(TrialRead.memoryAllowance(fileSize: 0) == 1 << 30)
    #expect(TrialRead.memoryAllowance(fileSize: 100 << 20) == (1 << 30) + (200 << 20))
    #expect(TrialRead.seconds(fileSize: 0) == 20)
    #expect(TrialRead.seconds(fileSize: 200 << 20) == 30)
  }
}
