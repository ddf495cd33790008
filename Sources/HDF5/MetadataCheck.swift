#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A check of the heaps and group B-trees of a file before libhdf5 opens it, for damage
/// libhdf5 1.10 does not survive: global heap collections (`GCOL`, where variable-length strings
/// live), local heaps (`HEAP`, where old-style groups keep their link names) and version-1 group
/// B-tree nodes (`TREE`).
///
/// A group B-tree node whose child address lies outside the file makes libhdf5 1.10 copy from
/// past its metadata buffers when it looks a name up (a crash in `H5F__accum_read`).
///
/// A local heap declaring a data segment larger than the file (or reaching past its end) makes
/// libhdf5 1.10 copy past its buffers when it looks a name up (a crash in `H5HL_protect`).
///
/// libhdf5 1.10 walks a collection's objects when it first reads one (`H5HG__cache_heap_deserialize`)
/// and advances by each object's size; a free-space object (index 0) of size 0, or a size whose
/// padded length wraps around, leaves it in place forever: reading any variable-length string
/// of the collection, such as Keras' `model_config` or `layer_names`, hangs. Reading an object
/// whose size reaches past the end of its collection copies beyond the heap block (a crash in
/// `H5HG_read`). This check makes the same walk over every `GCOL` block in the file and refuses
/// the file instead.
///
/// Not covered here (the references live in attribute messages this module cannot see raw): a
/// variable-length reference naming an object index the collection does not have, or storing a
/// length shorter than its object (`H5T__vlen_disk_read` ignores the length, so the copy overruns
/// a conversion buffer sized from it). `TrialRead` contains those crashes in a child process.
///
/// Bytes that merely look like a collection (inside float data, say) are walked too; refusing
/// one needs the signature, version 1, a size within the file and an object that would stall
/// the walk, which real data does not produce.
enum MetadataCheck {
  /// Throws `corruptFile` naming the byte offset of a collection that would stall libhdf5.
  static func check(path: String, _ site: ErrorSite) throws {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return }  // libhdf5 reports why it cannot open the file
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return }
    let fileSize = Int(status.st_size)
    let lengthSize = sizeOfLengths(descriptor)
    let chunkSize = 1 << 20
    var buffer = [UInt8](repeating: 0, count: chunkSize + 3)
    var offset = 0
    while offset < fileSize {
      let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, chunkSize + 3, off_t(offset)) }
      guard count >= 4 else { return }
      for index in 0...(count - 4)
      where buffer[index] == 0x47 && buffer[index + 1] == 0x43 && buffer[index + 2] == 0x4F && buffer[index + 3] == 0x4C
      {
        try checkCollection(at: offset + index, descriptor, fileSize: fileSize, lengthSize: lengthSize, site)
      }
      for index in 0...(count - 4)
      where buffer[index] == 0x48 && buffer[index + 1] == 0x45 && buffer[index + 2] == 0x41 && buffer[index + 3] == 0x50
      {
        try checkLocalHeap(at: offset + index, descriptor, fileSize: fileSize, lengthSize: lengthSize, site)
      }
      for index in 0...(count - 4)
      where buffer[index] == 0x54 && buffer[index + 1] == 0x52 && buffer[index + 2] == 0x45 && buffer[index + 3] == 0x45
      {
        try checkGroupNode(at: offset + index, descriptor, fileSize: fileSize, lengthSize: lengthSize, site)
      }
      offset += chunkSize
    }
  }

  /// The superblock's size of lengths (8 unless the superblock at 0 says otherwise).
  private static func sizeOfLengths(_ descriptor: Int32) -> Int {
    var header = [UInt8](repeating: 0, count: 16)
    let count = header.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, 16, 0) }
    guard count == 16 else { return 8 }
    let size = Int(header[8] >= 2 ? header[10] : header[14])
    return [2, 4, 8].contains(size) ? size : 8
  }

  private static func checkCollection(
    at start: Int, _ descriptor: Int32, fileSize: Int, lengthSize: Int, _ site: ErrorSite
  ) throws {
    let headerSize = 8 + lengthSize
    guard start + headerSize <= fileSize else { return }
    var header = [UInt8](repeating: 0, count: headerSize)
    guard header.withUnsafeMutableBytes({ pread(descriptor, $0.baseAddress!, headerSize, off_t(start)) }) == headerSize,
      header[4] == 1
    else { return }
    let size = littleEndian(header[8...])
    // libhdf5 cannot read a collection reaching past the end of the file; it fails instead.
    guard size <= UInt64(fileSize - start) else { return }
    var collection = [UInt8](repeating: 0, count: Int(size))
    guard
      collection.withUnsafeMutableBytes({ pread(descriptor, $0.baseAddress!, Int(size), off_t(start)) }) == Int(size)
    else { return }
    let objectHeaderSize = 8 + lengthSize
    var position = UInt64(headerSize)
    while position < size {
      guard position + UInt64(objectHeaderSize) <= size else { return }  // trailing free space
      let index = Int(collection[Int(position)]) | Int(collection[Int(position) + 1]) << 8
      let objectSize = littleEndian(collection[(Int(position) + 8)..<(Int(position) + 8 + lengthSize)])
      let (padded, _) = objectSize.addingReportingOverflow(7)
      let need = index > 0 ? UInt64(objectHeaderSize) &+ (padded & ~7) : objectSize
      // A step of 0 stalls the walk; one past 2^64 - 2^48 wraps the pointer back.
      guard need != 0, need <= UInt64.max - (1 << 48) else {
        throw site.error(
          .corruptFile,
          "damaged global heap collection at byte \(start): object \(index) at byte \(start + Int(position)) "
            + "declares size \(objectSize), which libhdf5 1.10 would loop on forever")
      }
      let (next, overflow) = position.addingReportingOverflow(need)
      // libhdf5 1.10 copies an object's declared size from the collection without a bounds check.
      let room = size - position - UInt64(objectHeaderSize)  // position + header <= size, checked above
      guard index == 0 || objectSize <= room else {
        throw site.error(
          .corruptFile,
          "damaged global heap collection at byte \(start): object \(index) at byte \(start + Int(position)) "
            + "declares size \(objectSize), past the end of the collection (\(size) bytes)")
      }
      if overflow { return }
      position = next
    }
  }

  /// A local heap: signature, version 0, 3 reserved bytes, data segment size, free list head,
  /// data segment address (offsets taken as 8 bytes, as h5py and Keras write them).
  private static func checkLocalHeap(
    at start: Int, _ descriptor: Int32, fileSize: Int, lengthSize: Int, _ site: ErrorSite
  ) throws {
    let headerSize = 8 + 2 * lengthSize + 8
    guard start + headerSize <= fileSize else { return }
    var header = [UInt8](repeating: 0, count: headerSize)
    guard header.withUnsafeMutableBytes({ pread(descriptor, $0.baseAddress!, headerSize, off_t(start)) }) == headerSize,
      header[4] == 0
    else { return }
    let size = littleEndian(header[8..<(8 + lengthSize)])
    let address = littleEndian(header[(8 + 2 * lengthSize)..<headerSize])
    let (end, overflow) = address.addingReportingOverflow(size)
    guard !overflow, end <= UInt64(fileSize) else {
      throw site.error(
        .corruptFile,
        "damaged local heap at byte \(start): its data segment of \(size) bytes at byte \(address) reaches past "
          + "the end of the file (\(fileSize) bytes)")
    }
  }

  /// A version-1 B-tree node of a group (node type 0): signature, type, level, entries used,
  /// two sibling addresses, then keys (heap offsets) and child addresses in turn.
  private static func checkGroupNode(
    at start: Int, _ descriptor: Int32, fileSize: Int, lengthSize: Int, _ site: ErrorSite
  ) throws {
    guard start + 24 <= fileSize else { return }
    var header = [UInt8](repeating: 0, count: 24)
    guard header.withUnsafeMutableBytes({ pread(descriptor, $0.baseAddress!, 24, off_t(start)) }) == 24, header[4] == 0
    else { return }
    let entries = Int(header[6]) | Int(header[7]) << 8
    let stride = lengthSize + 8
    let bodySize = entries * stride
    guard entries > 0, start + 24 + bodySize <= fileSize else { return }
    var body = [UInt8](repeating: 0, count: bodySize)
    guard body.withUnsafeMutableBytes({ pread(descriptor, $0.baseAddress!, bodySize, off_t(start + 24)) }) == bodySize
    else { return }
    for entry in 0..<entries {
      let childOffset = entry * stride + lengthSize
      let child = littleEndian(body[childOffset..<(childOffset + 8)])
      guard child < UInt64(fileSize) else {
        throw site.error(
          .corruptFile,
          "damaged group B-tree node at byte \(start): child \(entry) points to byte \(child), outside the file "
            + "(\(fileSize) bytes)")
      }
    }
  }

  private static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
  }
}
