#if canImport(Glibc)
  import Glibc
#endif

/// A 64-byte-aligned, fixed-size buffer of `Float` shared by tensors until one of them writes.
///
/// The memory is uninitialized on allocation; every creator writes all of it.
@usableFromInline
final class TensorStorage: @unchecked Sendable {
  @usableFromInline let pointer: UnsafeMutablePointer<Float>
  @usableFromInline let count: Int

  @usableFromInline
  init(uninitializedCount count: Int) {
    self.count = count
    var raw: UnsafeMutableRawPointer?
    let bytes = max(count, 1) * MemoryLayout<Float>.stride
    guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
      fatalError("TensorCore: out of memory allocating \(count) floats")
    }
    pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
  }

  @usableFromInline
  convenience init(repeating value: Float, count: Int) {
    self.init(uninitializedCount: count)
    pointer.initialize(repeating: value, count: count)
  }

  @usableFromInline
  func copy() -> TensorStorage {
    let result = TensorStorage(uninitializedCount: count)
    result.pointer.update(from: pointer, count: count)
    return result
  }

  deinit { free(pointer) }
}
