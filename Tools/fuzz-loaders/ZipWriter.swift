import Foundation

/// One entry of a zip archive as the fuzzer writes it: the bytes stored and every header field
/// a hostile archive may lie about.
struct ZipEntry {
  var name: String
  /// The bytes as stored in the archive (raw deflate data when `method` is 8).
  var payload: [UInt8]
  /// 0 (stored) or 8 (deflate).
  var method: UInt16 = 0
  var crc: UInt32
  var uncompressedSize: UInt32
  /// Unix mode bits in the high half, as `zip` writes them (a symlink is 0o120777).
  var externalAttributes: UInt32 = 0o100644 << 16

  /// A stored entry of `data`, with truthful sizes and checksum.
  init(name: String, stored data: [UInt8]) {
    self.name = name
    payload = data
    crc = CRC32.checksum(data)
    uncompressedSize = UInt32(clamping: data.count)
  }

  init(name: String, deflated payload: [UInt8], crc: UInt32, uncompressedSize: UInt32) {
    self.name = name
    self.payload = payload
    method = 8
    self.crc = crc
    self.uncompressedSize = uncompressedSize
  }
}

/// A minimal zip writer (no ZIP64), so hostile archives can say anything in their headers.
enum ZipWriter {
  static func archive(_ entries: [ZipEntry]) -> [UInt8] {
    var out: [UInt8] = []
    var central: [UInt8] = []
    for entry in entries {
      let offset = UInt32(clamping: out.count)
      let name = Array(entry.name.utf8)
      out.le32(0x0403_4b50)
      out.le16(20)
      out.le16(0)
      out.le16(entry.method)
      out.le16(0)
      out.le16(0x21)
      out.le32(entry.crc)
      out.le32(UInt32(clamping: entry.payload.count))
      out.le32(entry.uncompressedSize)
      out.le16(UInt16(clamping: name.count))
      out.le16(0)
      out += name
      out += entry.payload

      central.le32(0x0201_4b50)
      central.le16(0x031E)  // made by Unix, version 3.0
      central.le16(20)
      central.le16(0)
      central.le16(entry.method)
      central.le16(0)
      central.le16(0x21)
      central.le32(entry.crc)
      central.le32(UInt32(clamping: entry.payload.count))
      central.le32(entry.uncompressedSize)
      central.le16(UInt16(clamping: name.count))
      central.le16(0)
      central.le16(0)
      central.le16(0)
      central.le16(0)
      central.le32(entry.externalAttributes)
      central.le32(offset)
      central += name
    }
    let centralOffset = UInt32(clamping: out.count)
    out += central
    out.le32(0x0605_4b50)
    out.le16(0)
    out.le16(0)
    out.le16(UInt16(clamping: entries.count))
    out.le16(UInt16(clamping: entries.count))
    out.le32(UInt32(clamping: central.count))
    out.le32(centralOffset)
    out.le16(0)
    return out
  }

  /// The entries of a well-formed archive written without data descriptors (as Keras and
  /// this package write them), or nil when `bytes` is not one.
  static func entries(of bytes: [UInt8]) -> [ZipEntry]? {
    var entries: [ZipEntry] = []
    var position = 0
    while position + 30 <= bytes.count, bytes.le32(at: position) == 0x0403_4b50 {
      let method = bytes.le16(at: position + 8)
      let crc = bytes.le32(at: position + 14)
      let compressed = Int(bytes.le32(at: position + 18))
      let uncompressed = bytes.le32(at: position + 22)
      let nameLength = Int(bytes.le16(at: position + 26))
      let extraLength = Int(bytes.le16(at: position + 28))
      let start = position + 30 + nameLength + extraLength
      guard start + compressed <= bytes.count else { return nil }
      let name = String(decoding: bytes[(position + 30)..<(position + 30 + nameLength)], as: UTF8.self)
      var entry = ZipEntry(name: name, stored: Array(bytes[start..<(start + compressed)]))
      entry.method = method
      entry.crc = crc
      entry.uncompressedSize = uncompressed
      entries.append(entry)
      position = start + compressed
    }
    return entries.isEmpty ? nil : entries
  }
}

/// CRC-32 (IEEE), as zip uses it.
enum CRC32 {
  private static let table: [UInt32] = (0..<256).map { index in
    var value = UInt32(index)
    for _ in 0..<8 { value = value & 1 != 0 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
    return value
  }

  static func checksum(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    return crc ^ 0xFFFF_FFFF
  }
}

/// A deflate stream of `count` zero bytes (count = 1 + 258·k), made of one fixed-Huffman block
/// of back-references: 13 bits for every 258 bytes, about 160:1.
enum DeflateBomb {
  static func zeros(copies: Int) -> (payload: [UInt8], size: Int) {
    var writer = BitWriter()
    writer.bits(1, 1)  // BFINAL
    writer.bits(1, 2)  // BTYPE = fixed Huffman
    writer.huffman(0b0011_0000, 8)  // literal 0
    for _ in 0..<copies {
      writer.huffman(0b1100_0101, 8)  // length code 285: 258 bytes
      writer.huffman(0, 5)  // distance code 0: distance 1
    }
    writer.huffman(0, 7)  // end of block
    return (writer.bytes + (writer.used > 0 ? [writer.current] : []), 1 + 258 * copies)
  }

  private struct BitWriter {
    var bytes: [UInt8] = []
    var current: UInt8 = 0
    var used = 0

    /// `count` bits of `value`, least significant first.
    mutating func bits(_ value: UInt32, _ count: Int) {
      for index in 0..<count {
        if value >> index & 1 != 0 { current |= 1 << used }
        used += 1
        if used == 8 {
          bytes.append(current)
          current = 0
          used = 0
        }
      }
    }

    /// A Huffman code, most significant bit first.
    mutating func huffman(_ code: UInt32, _ length: Int) {
      var reversed: UInt32 = 0
      for index in 0..<length where code >> index & 1 != 0 { reversed |= 1 << (length - 1 - index) }
      bits(reversed, length)
    }
  }
}

extension [UInt8] {
  mutating func le16(_ value: UInt16) { append(UInt8(value & 0xFF)); append(UInt8(value >> 8)) }
  mutating func le32(_ value: UInt32) {
    for shift in stride(from: 0, to: 32, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
  }
  func le16(at offset: Int) -> UInt16 { UInt16(self[offset]) | UInt16(self[offset + 1]) << 8 }
  func le32(at offset: Int) -> UInt32 {
    (0..<4).reduce(0) { $0 | UInt32(self[offset + $1]) << UInt32(8 * $1) }
  }
}
