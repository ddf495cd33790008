#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Random access to the bytes of an HDF5 file for the native (pure Swift) reader: every read is
/// checked against the file's size, so damaged metadata pointing anywhere gives a `corruptFile`
/// error naming what was being read and where, never a read past the end.
///
/// Reads go through `pread`; nothing is mapped, so a file truncated while open gives an error,
/// not a `SIGBUS`.
final class FileBytes: @unchecked Sendable {
  /// The path as the caller gave it; errors quote it.
  let path: String
  /// The file's size in bytes when it was opened.
  let size: Int
  private let descriptor: Int32

  /// Opens `path` for reading. Throws `fileNotFound` or `ioFailure`.
  init(path: String, _ site: ErrorSite) throws {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      if errno == ENOENT || errno == ENOTDIR { throw site.error(.fileNotFound, "no such file") }
      throw site.error(.ioFailure, String(cString: strerror(errno)))
    }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      let reason = String(cString: strerror(errno))
      close(descriptor)
      throw site.error(.ioFailure, reason)
    }
    self.path = path
    self.descriptor = descriptor
    self.size = Int(status.st_size)
  }

  deinit { close(descriptor) }

  /// Throws `corruptFile` unless `count` bytes at `offset` lie inside the file.
  /// `what` names the structure for the error ("object header", "global heap collection").
  func checkRange(_ offset: Int, count: Int, _ what: @autoclosure () -> String, _ site: ErrorSite) throws {
    let (end, overflow) = offset.addingReportingOverflow(count)
    guard offset >= 0, count >= 0, !overflow, end <= size else {
      throw site.error(
        .corruptFile,
        "the \(what()) at byte \(offset) (\(count) bytes) reaches past the end of the file (\(size) bytes)")
    }
  }

  /// `count` bytes at `offset`.
  func read(_ offset: Int, count: Int, _ what: @autoclosure () -> String, _ site: ErrorSite) throws -> [UInt8] {
    try checkRange(offset, count: count, what(), site)
    guard count > 0 else { return [] }
    return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
      try readFully(into: UnsafeMutableRawBufferPointer(buffer), at: offset, what(), site)
      initialized = count
    }
  }

  /// Fills `buffer` from the bytes at `offset`.
  func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int, _ what: @autoclosure () -> String, _ site: ErrorSite) throws {
    try checkRange(offset, count: buffer.count, what(), site)
    try readFully(into: buffer, at: offset, what(), site)
  }

  /// A cursor over `count` bytes at `offset`, decoding with the file's sizes.
  func cursor(_ offset: Int, count: Int, _ format: FileFormat, _ what: @autoclosure () -> String, _ site: ErrorSite) throws -> ByteCursor {
    let name = what()
    return ByteCursor(bytes: try read(offset, count: count, name, site), fileOffset: offset, format: format, what: name, site: site)
  }

  private func readFully(into buffer: UnsafeMutableRawBufferPointer, at offset: Int, _ what: @autoclosure () -> String, _ site: ErrorSite) throws {
    var done = 0
    while done < buffer.count {
      let got = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
      if got < 0, errno == EINTR { continue }
      guard got > 0 else {
        throw site.error(
          got == 0 ? .corruptFile : .ioFailure,
          got == 0 ? "the file ended while reading the \(what()) at byte \(offset)" : String(cString: strerror(errno)))
      }
      done += got
    }
  }
}

/// The sizes a file's superblock fixes for every address and length it stores.
struct FileFormat: Sendable {
  /// Bytes per address ("size of offsets"): 2, 4 or 8.
  var offsetSize: Int
  /// Bytes per length ("size of lengths"): 2, 4 or 8.
  var lengthSize: Int
  /// Added to every stored address (the superblock's base address, 0 for files libhdf5 writes).
  var baseAddress: Int = 0
}

/// Little-endian decoding over a buffer read from the file, every read bounds-checked: running
/// off the end throws `corruptFile` naming the structure and its file offset. Never traps.
struct ByteCursor {
  let bytes: [UInt8]
  /// The file offset of `bytes[0]`, for error messages and relative addresses.
  let fileOffset: Int
  let format: FileFormat
  /// The structure being decoded ("object header", "fractal heap header", ...).
  let what: String
  let site: ErrorSite
  /// The next byte to decode, an index into `bytes`.
  var position = 0

  init(bytes: [UInt8], fileOffset: Int, format: FileFormat, what: String, site: ErrorSite) {
    self.bytes = bytes
    self.fileOffset = fileOffset
    self.format = format
    self.what = what
    self.site = site
  }

  var remaining: Int { bytes.count - position }
  var isAtEnd: Bool { position >= bytes.count }

  /// A `corruptFile` error about this structure: "the <what> at byte N: <reason>".
  func corrupt(_ reason: String) -> HDF5Error {
    site.error(.corruptFile, "the \(what) at byte \(fileOffset) is damaged: \(reason)")
  }

  /// Throws unless `count` more bytes are there.
  func need(_ count: Int) throws {
    guard count >= 0, count <= remaining else {
      throw corrupt("it needs \(count) more bytes at offset \(position) but has \(max(remaining, 0))")
    }
  }

  mutating func skip(_ count: Int) throws {
    try need(count)
    position += count
  }

  mutating func seek(to position: Int) throws {
    guard position >= 0, position <= bytes.count else {
      throw corrupt("offset \(position) is outside its \(bytes.count) bytes")
    }
    self.position = position
  }

  mutating func u8() throws -> UInt8 {
    try need(1)
    defer { position += 1 }
    return bytes[position]
  }

  /// An unsigned little-endian integer of `size` bytes (0...8).
  mutating func unsigned(size: Int) throws -> UInt64 {
    guard (0...8).contains(size) else { throw corrupt("an integer of \(size) bytes") }
    try need(size)
    var value: UInt64 = 0
    for index in 0..<size { value |= UInt64(bytes[position + index]) << (8 * index) }
    position += size
    return value
  }

  mutating func u16() throws -> Int { Int(try unsigned(size: 2)) }
  mutating func u32() throws -> Int { Int(try unsigned(size: 4)) }

  /// A non-negative integer of `size` bytes that must fit an `Int`.
  mutating func count(size: Int, _ name: @autoclosure () -> String) throws -> Int {
    let value = try unsigned(size: size)
    guard value <= UInt64(Int.max) else { throw corrupt("\(name()) \(value) is too large") }
    return Int(value)
  }

  /// A length ("size of lengths" bytes).
  mutating func length(_ name: @autoclosure () -> String = "length") throws -> Int {
    try count(size: format.lengthSize, name())
  }

  /// An address ("size of offsets" bytes), `nil` for the undefined address (all bits set).
  /// The base address is added.
  mutating func address(_ name: @autoclosure () -> String = "address") throws -> Int? {
    let value = try unsigned(size: format.offsetSize)
    let undefined: UInt64 = format.offsetSize == 8 ? .max : (1 << (8 * UInt64(format.offsetSize))) - 1
    if value == undefined { return nil }
    guard value <= UInt64(Int.max - format.baseAddress) else { throw corrupt("\(name()) \(value) is too large") }
    return Int(value) + format.baseAddress
  }

  /// `count` raw bytes.
  mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
    try need(count)
    defer { position += count }
    return bytes[position..<(position + count)]
  }

  /// Throws unless the next four bytes are `signature` (e.g. `"OHDR"`).
  mutating func expectSignature(_ signature: String) throws {
    let expected = Array(signature.utf8)
    let found = try take(expected.count)
    guard Array(found) == expected else {
      throw corrupt("expected the signature \(signature), found \(String(decoding: found, as: UTF8.self).debugDescription)")
    }
  }
}
