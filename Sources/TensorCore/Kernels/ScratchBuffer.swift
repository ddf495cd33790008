import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Working memory of a fused kernel (64-byte aligned, uninitialized), recycled between calls.
///
/// A training step asks for the same buffer sizes again and again. Fresh allocations of
/// this size come from `mmap`, and first touching them costs a page fault per 4 KB, which
/// for a recurrent layer cost as much as its arithmetic. A released buffer goes back to a
/// process-wide pool (up to ``poolLimit`` bytes in all) for the next request of its size.
final class ScratchBuffer: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Float>
  let count: Int

  /// Most bytes the pool keeps; buffers released beyond it are freed.
  static let poolLimit = 256 << 20

  /// Free buffers by size, as addresses (pointers are not `Sendable`).
  private struct Pool {
    var free: [Int: [UInt]] = [:]
    var bytes = 0
  }
  private static let pool = Mutex(Pool())

  /// A buffer of `count` floats, reused from the pool when one of that size is free.
  init(count: Int) {
    self.count = count
    let reused = Self.pool.withLock { pool -> UInt? in
      guard let address = pool.free[count]?.popLast() else { return nil }
      pool.bytes -= count * MemoryLayout<Float>.stride
      return address
    }
    if let reused, let pointer = UnsafeMutablePointer<Float>(bitPattern: reused) {
      self.pointer = pointer
    } else {
      var raw: UnsafeMutableRawPointer?
      guard posix_memalign(&raw, 64, Swift.max(count, 1) * MemoryLayout<Float>.stride) == 0, let raw else {
        fatalError("TensorCore: out of memory allocating \(count) floats")
      }
      pointer = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
    }
  }

  /// A buffer of `count` zeros.
  convenience init(zeros count: Int) {
    self.init(count: count)
    pointer.initialize(repeating: 0, count: count)
  }

  deinit {
    let (address, count) = (UInt(bitPattern: pointer), self.count)
    let bytes = count * MemoryLayout<Float>.stride
    let kept = Self.pool.withLock { pool -> Bool in
      guard pool.bytes + bytes <= Self.poolLimit else { return false }
      pool.free[count, default: []].append(address)
      pool.bytes += bytes
      return true
    }
    if !kept { free(pointer) }
  }
}
