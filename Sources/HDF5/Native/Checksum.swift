/// The checksum HDF5 stores after its version-2 metadata (object headers `OHDR`/`OCHK`, v2
/// B-tree nodes, fractal heap blocks, superblock v2/v3): Bob Jenkins' lookup3 `hashlittle` with
/// an initial value of 0, as libhdf5's `H5_checksum_metadata`.
enum Checksum {
  static func lookup3(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var a: UInt32 = 0xdead_beef &+ UInt32(truncatingIfNeeded: bytes.count)
    var b = a
    var c = a
    var index = bytes.startIndex
    var length = bytes.count

    func word(_ at: Int, _ available: Int) -> UInt32 {
      var value: UInt32 = 0
      for byte in 0..<min(4, max(available, 0)) { value |= UInt32(bytes[at + byte]) << (8 * UInt32(byte)) }
      return value
    }

    while length > 12 {
      a &+= word(index, 4)
      b &+= word(index + 4, 4)
      c &+= word(index + 8, 4)
      mix(&a, &b, &c)
      length -= 12
      index += 12
    }
    guard length > 0 else { return c }
    // The tail (1...12 bytes) is added as zero-padded little-endian words, as lookup3's switch does.
    a &+= word(index, length)
    b &+= word(index + 4, length - 4)
    c &+= word(index + 8, length - 8)
    final(&a, &b, &c)
    return c
  }

  private static func rotate(_ x: UInt32, _ k: UInt32) -> UInt32 { (x << k) | (x >> (32 - k)) }

  private static func mix(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32) {
    a &-= c; a ^= rotate(c, 4); c &+= b
    b &-= a; b ^= rotate(a, 6); a &+= c
    c &-= b; c ^= rotate(b, 8); b &+= a
    a &-= c; a ^= rotate(c, 16); c &+= b
    b &-= a; b ^= rotate(a, 19); a &+= c
    c &-= b; c ^= rotate(b, 4); b &+= a
  }

  private static func final(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32) {
    c ^= b; c &-= rotate(b, 14)
    a ^= c; a &-= rotate(c, 11)
    b ^= a; b &-= rotate(a, 25)
    c ^= b; c &-= rotate(b, 16)
    a ^= c; a &-= rotate(c, 4)
    b ^= a; b &-= rotate(a, 14)
    c ^= b; c &-= rotate(b, 24)
  }
}
