/// Byte-level mutations: flips, sets, inserts, deletes, truncation, splicing, and interesting
/// integers written over the data, half of them near HDF5 structure signatures.
enum ByteMutator {
  static let interestingIntegers: [UInt64] = [
    0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 1 << 32, 1 << 40, 1 << 62, 1 << 63,
    UInt64.max, UInt64.max - 1,
  ]

  static func mutate(
    _ input: [UInt8], hotOffsets: [Int], donors: [[UInt8]], using random: inout SeededGenerator
  ) -> (bytes: [UInt8], note: String) {
    var bytes = input
    var notes: [String] = []
    for _ in 0..<(1 + random.below(random.chance(0.2) ? 16 : 4)) {
      guard !bytes.isEmpty else { break }
      let offset = pickOffset(bytes.count, hotOffsets: hotOffsets, using: &random)
      switch random.below(11) {
      case 0:
        bytes[offset] ^= 1 << UInt8(random.below(8))
        notes.append("flip@\(offset)")
      case 1:
        bytes[offset] = UInt8(truncatingIfNeeded: random.next())
        notes.append("set@\(offset)")
      case 2:
        bytes[offset] = random.pick([0, 1, 0x7F, 0x80, 0xFF])
        notes.append("byte@\(offset)")
      case 3, 4:
        let width = random.pick([2, 4, 8])
        var value = random.pick(interestingIntegers)
        if random.chance(0.3) { value = value &- UInt64(random.below(3)) }
        let bigEndian = random.chance(0.2)
        for index in 0..<width where offset + index < bytes.count {
          let shift = bigEndian ? 8 * (width - 1 - index) : 8 * index
          bytes[offset + index] = UInt8(truncatingIfNeeded: value >> UInt64(shift))
        }
        notes.append("int\(width * 8)=\(value)@\(offset)")
      case 5:
        let count = 1 + random.below(32)
        bytes.insert(contentsOf: (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: offset)
        notes.append("insert\(count)@\(offset)")
      case 6:
        let count = min(1 + random.below(64), bytes.count - offset)
        bytes.removeSubrange(offset..<(offset + count))
        notes.append("delete\(count)@\(offset)")
      case 7:
        bytes.removeSubrange(offset...)
        notes.append("truncate@\(offset)")
      case 8:
        let source = random.below(bytes.count)
        let count = min(1 + random.below(256), bytes.count - source, bytes.count - offset)
        bytes.replaceSubrange(offset..<(offset + count), with: Array(bytes[source..<(source + count)]))
        notes.append("copy\(count)@\(source)->\(offset)")
      case 9:
        guard let donor = donors.isEmpty ? nil : random.pick(donors), !donor.isEmpty else { continue }
        let cut = random.below(donor.count)
        bytes = Array(bytes[..<offset]) + Array(donor[cut...])
        notes.append("splice@\(offset)+donor@\(cut)")
      default:
        for index in offset..<min(bytes.count, offset + 1 + random.below(16)) { bytes[index] = 0xFF }
        notes.append("ff@\(offset)")
      }
    }
    return (bytes, notes.joined(separator: ","))
  }

  private static func pickOffset(_ count: Int, hotOffsets: [Int], using random: inout SeededGenerator) -> Int {
    if random.chance(0.5), let hot = hotOffsets.isEmpty ? nil : random.pick(hotOffsets) {
      return min(count - 1, hot + random.below(96))
    }
    return random.below(count)
  }
}
