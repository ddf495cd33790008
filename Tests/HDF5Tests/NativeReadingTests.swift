import Foundation
import Testing

@testable import HDF5

/// The groundwork of a libhdf5-free reader: range-checked file bytes, a bounds-checked cursor and
/// HDF5's metadata checksum.
@Suite("Native reading groundwork")
struct NativeReadingTests {
  @Test("lookup3 matches the values Bob Jenkins' lookup3.c publishes (driver5)")
  func lookup3() {
    #expect(Checksum.lookup3(ArraySlice([UInt8]())) == 0xdead_beef)
    #expect(Checksum.lookup3(ArraySlice(Array("Four score and seven years ago".utf8))) == 0x1777_0551)
  }

  @Test("each version-2 object header (OHDR) the writer makes ends with the lookup3 checksum of its chunk")
  func objectHeaderChecksums() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("tracked.h5")
    // Creation-order tracking (on in every file the module writes) needs version-2 object headers.
    try HDF5File.write(to: path) { file in
      try file.root.setAttribute("note", to: "x")
      try file.root.createDataset("group/values", values: [Float(1), 2])
    }
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let starts = (0...(bytes.count - 4)).filter { bytes[$0..<($0 + 4)].elementsEqual("OHDR".utf8) }
    #expect(starts.count >= 3)  // the root group, "group" and the dataset
    for start in starts {
      // Signature, version 2, flags; times and attribute phase-change values when flagged; the
      // size of chunk 0 in 1, 2, 4 or 8 bytes (flags bits 0-1); the messages; the checksum.
      let flags = bytes[start + 5]
      var position = start + 6 + (flags & 0x20 != 0 ? 16 : 0) + (flags & 0x10 != 0 ? 4 : 0)
      let sizeBytes = 1 << Int(flags & 0x03)
      var chunkSize = 0
      for k in 0..<sizeBytes { chunkSize |= Int(bytes[position + k]) << (8 * k) }
      position += sizeBytes + chunkSize
      let stored = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[position + $1]) << (8 * UInt32($1)) }
      #expect(Checksum.lookup3(bytes[start..<position]) == stored, "object header at byte \(start)")
    }
  }

  @Test("reads past the end, truncated cursors and wrong signatures are corruptFile errors naming the structure")
  func boundsChecks() throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("bytes.bin")
    try Data([0x4F, 0x48, 0x44, 0x52, 1, 2, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).write(
      to: URL(fileURLWithPath: path))
    let site = ErrorSite(file: path, operation: "read")
    let file = try FileBytes(path: path, site)
    #expect(file.size == 15)
    #expect(throws: HDF5Error.self) { try file.read(10, count: 6, "object header", site) }
    #expect(throws: HDF5Error.self) { try file.read(Int.max - 2, count: 6, "object header", site) }
    var cursor = try file.cursor(0, count: 15, FileFormat(offsetSize: 8, lengthSize: 8), "object header", site)
    try cursor.expectSignature("OHDR")
    #expect(try cursor.u8() == 1)
    #expect(try cursor.u16() == 0x0302)
    #expect(try cursor.address() == nil)  // all bits set: the undefined address
    do {
      _ = try cursor.u8()
      Issue.record("read past the end of the cursor")
    } catch let error as HDF5Error {
      #expect(error.kind == .corruptFile)
      #expect(error.reason.contains("object header at byte 0"))
    }
    var other = try file.cursor(0, count: 4, FileFormat(offsetSize: 8, lengthSize: 8), "fractal heap", site)
    #expect(throws: HDF5Error.self) { try other.expectSignature("FRHP") }
    #expect(throws: HDF5Error.self) { _ = try FileBytes(path: directory.file("absent"), site) }
  }
}
