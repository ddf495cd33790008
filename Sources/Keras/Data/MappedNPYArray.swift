import Foundation
import TensorCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A `.npy` file mapped into memory read-only (`mmap`), read a few rows at a time: only the
/// pages of the rows asked for are read from disk, so the file may be larger than RAM. Every
/// 64 MB read, the file's pages are released from this process (`madvise(MADV_DONTNEED)`), so
/// its resident memory stays under about that whatever the file's size.
final class MappedNPYArray: @unchecked Sendable {
  let path: String
  let header: NPY.Header
  /// Rows (the first axis).
  let count: Int
  /// The shape of one row.
  let rowShape: [Int]
  private let rowElements: Int
  private let base: UnsafeMutableRawPointer
  private let length: Int
  /// Bytes copied out since the pages were last released (batches are read one at a time).
  private var bytesSinceRelease = 0

  /// - Throws: ``KerasError/invalidArgument(_:)`` naming the file when it cannot be opened or
  ///   mapped, is not a `.npy` file, holds a scalar, is Fortran-ordered, or holds an element
  ///   type other than float32, float64, int32 or int64 (or smaller integers and bool).
  init(path: String) throws {
    self.path = path
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else {
      throw KerasError.invalidArgument("NPYDataset: cannot open '\(path)': \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_size > 0 else {
      throw KerasError.invalidArgument("NPYDataset: '\(path)' is empty or cannot be read")
    }
    length = Int(status.st_size)
    guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
      throw KerasError.invalidArgument("NPYDataset: cannot map '\(path)': \(String(cString: strerror(errno)))")
    }
    base = mapped
    let header: NPY.Header
    do {
      header = try NPY.parseHeader(
        Data(bytesNoCopy: mapped, count: length, deallocator: .none), path: path, elementLimit: Int.max)
    } catch {
      munmap(mapped, length)
      throw KerasError.invalidArgument("NPYDataset: \(error)")
    }
    guard !header.shape.isEmpty, !header.fortranOrder else {
      munmap(mapped, length)
      throw KerasError.invalidArgument(
        "NPYDataset: '\(path)' holds "
          + (header.shape.isEmpty ? "a scalar; it needs rows (a first axis)" : "a Fortran-ordered array; save it in C order (np.ascontiguousarray)"))
    }
    self.header = header
    count = header.shape[0]
    rowShape = Array(header.shape.dropFirst())
    rowElements = rowShape.reduce(1, *)
  }

  deinit { munmap(base, length) }

  /// Rows `range` as a float tensor `[range.count, rowShape...]`.
  func rows(_ range: Range<Int>) -> Tensor {
    let size = header.type.size
    let first = header.dataOffset + range.lowerBound * rowElements * size
    let elements = range.count * rowElements
    let source = UnsafeRawPointer(base + first)
    let bigEndian = header.bigEndian
    let type = header.type
    let tensor = Tensor(shape: [range.count] + rowShape) { out in
      func word<T: FixedWidthInteger>(_ i: Int, _: T.Type) -> T {
        let v = source.loadUnaligned(fromByteOffset: i * size, as: T.self)
        return bigEndian ? T(bigEndian: v) : T(littleEndian: v)
      }
      switch type {
      case .float32 where !bigEndian && Int(bitPattern: source) % 4 == 0:
        out.baseAddress!.update(from: source.assumingMemoryBound(to: Float.self), count: elements)
      case .float32: for i in 0..<elements { out[i] = Float(bitPattern: word(i, UInt32.self)) }
      case .float64: for i in 0..<elements { out[i] = Float(Double(bitPattern: word(i, UInt64.self))) }
      case .int32: for i in 0..<elements { out[i] = Float(word(i, Int32.self)) }
      case .int64: for i in 0..<elements { out[i] = Float(word(i, Int64.self)) }
      case .int16: for i in 0..<elements { out[i] = Float(word(i, Int16.self)) }
      case .int8: for i in 0..<elements { out[i] = Float(Int8(bitPattern: source.load(fromByteOffset: i, as: UInt8.self))) }
      case .uint8: for i in 0..<elements { out[i] = Float(source.load(fromByteOffset: i, as: UInt8.self)) }
      case .bool: for i in 0..<elements { out[i] = source.load(fromByteOffset: i, as: UInt8.self) != 0 ? 1 : 0 }
      }
    }
    release(from: first, bytes: elements * size)
    return tensor
  }

  /// Counts the bytes read; past ``releaseThreshold`` since the last release, drops every page
  /// of the file from this process's resident memory (the kernel's page cache keeps them; a
  /// later read maps them again). Releasing the whole mapping also drops the pages the kernel
  /// mapped around the rows read (fault-around, large page-cache folios), and a file smaller
  /// than the threshold is never released at all.
  private func release(from offset: Int, bytes: Int) {
    bytesSinceRelease += bytes
    guard bytesSinceRelease >= Self.releaseThreshold else { return }
    bytesSinceRelease = 0
    madvise(base, length, MADV_DONTNEED)
  }

  /// The bytes read between two releases: resident memory of the file stays about this size.
  static let releaseThreshold = 64 << 20
}
