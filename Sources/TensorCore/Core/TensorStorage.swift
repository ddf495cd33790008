#if canImport(Glibc)
  import Glibc
#endif
import Synchronization

/// A 64-byte-aligned, fixed-size buffer of `Float` shared by tensors until one of them writes.
///
/// The memory is uninitialized on allocation; every creator writes all of it. A buffer released
/// on the thread that took it goes back to that thread's pool (up to ``threadPoolLimit`` bytes);
/// one released on another thread, or beyond that limit, goes to a process-wide pool by size (up
/// to ``poolLimit`` bytes in all), where every thread finds it. Both hand buffers out again: a
/// training step asks for the same sizes every time, and fresh
/// large allocations come from `mmap`, whose first touch costs a page fault per 4 KB. In
/// steady state a training loop therefore allocates no new memory.
@usableFromInline
final class TensorStorage: @unchecked Sendable {
  @usableFromInline let pointer: UnsafeMutablePointer<Float>
  @usableFromInline let count: Int
  /// Whether every value is known to be a bfloat16 number (a float32 whose low 16 bits are zero),
  /// set by the op that wrote them (``Tensor/roundedToBFloat16()``, a bfloat16 convolution) and
  /// cleared by any write in place; a rounding of such storage is skipped.
  @usableFromInline var holdsBFloat16 = false
  /// The pool of the thread that took this buffer. Released on any other thread (a server's
  /// answer written on the connection's thread, a part's output joined on the caller's), the
  /// buffer goes to the shared pool: in the releasing thread's own pool the thread that takes
  /// such buffers would never find it, and that pool would fill while the taker allocates anew.
  private let takenBy: ObjectIdentifier

  /// Most bytes the pool keeps; buffers released beyond it are freed.
  static let poolLimit = 256 << 20

  /// Free buffers by element count, as addresses (pointers are not `Sendable`).
  private struct Pool {
    var free: [Int: [UInt]] = [:]
    var bytes = 0
    /// Buffers obtained from the system rather than the pool, since the process started.
    var freshAllocations = 0
  }
  private static let pool = Mutex(Pool())

  /// How many buffers were newly allocated from the system so far (the rest came from the pool).
  static var freshAllocations: Int { pool.withLock { $0.freshAllocations } }

  /// A per-thread count of fresh allocations, so a test can watch one training loop.
  private static let threadCounterKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { free($0) }
    return key
  }()

  /// Fresh (non-pooled) allocations made by the calling thread so far.
  static var freshAllocationsOnThisThread: Int {
    pthread_getspecific(threadCounterKey)?.load(as: Int.self) ?? 0
  }

  private static func countFreshAllocationOnThisThread() {
    if let counter = pthread_getspecific(threadCounterKey) {
      counter.storeBytes(of: counter.load(as: Int.self) + 1, as: Int.self)
    } else {
      let counter = malloc(MemoryLayout<Int>.size)!
      counter.storeBytes(of: 1, as: Int.self)
      pthread_setspecific(threadCounterKey, counter)
    }
  }

  /// Buffers released on one thread, kept for that thread first: a training loop gets its own
  /// buffers back, and concurrent work on other threads cannot take them.
  private final class ThreadPool {
    var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    var bytes = 0
    deinit { for list in free.values { for p in list { Glibc.free(p) } } }
  }

  /// Most bytes one thread's pool keeps before passing buffers to the shared pool.
  static let threadPoolLimit = 64 << 20

  private static let threadPoolKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { raw in if let raw { Unmanaged<ThreadPool>.fromOpaque(raw).release() } }
    return key
  }()

  private static var threadPool: ThreadPool {
    if let raw = pthread_getspecific(threadPoolKey) { return Unmanaged<ThreadPool>.fromOpaque(raw).takeUnretainedValue() }
    let pool = ThreadPool()
    pthread_setspecific(threadPoolKey, Unmanaged.passRetained(pool).toOpaque())
    return pool
  }

  @usableFromInline
  init(uninitializedCount count: Int) {
    self.count = count
    let bytes = count * MemoryLayout<Float>.stride
    let local = Self.threadPool
    takenBy = ObjectIdentifier(local)
    if let mine = local.free[count]?.popLast() {
      local.bytes -= bytes
      pointer = mine
      PoolPoisoning.unpoison(mine, bytes: bytes)
      return
    }
    let reused = Self.pool.withLock { pool -> UInt? in
      guard let address = pool.free[count]?.popLast() else {
        pool.freshAllocations += 1
        return nil
      }
      pool.bytes -= bytes
      return address
    }
    if let reused, let pointer = UnsafeMutablePointer<Float>(bitPattern: reused) {
      self.pointer = pointer
      PoolPoisoning.unpoison(pointer, bytes: bytes)
    } else {
      Self.countFreshAllocationOnThisThread()
      var raw: UnsafeMutableRawPointer?
      guard posix_memalign(&raw, 64, Swift.max(bytes, MemoryLayout<Float>.stride)) == 0, let raw else {
        fatalError("TensorCore: out of memory allocating \(count) floats")
      }
      pointer = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
    }
  }

  @usableFromInline
  convenience init(repeating value: Float, count: Int) {
    self.init(uninitializedCount: count)
    pointer.initialize(repeating: value, count: count)
  }

  /// Working memory of `count` floats for a kernel (uninitialized).
  convenience init(count: Int) { self.init(uninitializedCount: count) }

  /// Working memory of `count` zeros.
  convenience init(zeros count: Int) { self.init(repeating: 0, count: count) }

  @usableFromInline
  func copy() -> TensorStorage {
    let result = TensorStorage(uninitializedCount: count)
    result.pointer.update(from: pointer, count: count)
    return result
  }

  deinit {
    let (address, count) = (UInt(bitPattern: pointer), self.count)
    let bytes = count * MemoryLayout<Float>.stride
    let local = Self.threadPool
    if ObjectIdentifier(local) == takenBy && local.bytes + bytes <= Self.threadPoolLimit {
      PoolPoisoning.poison(pointer, bytes: bytes)
      local.free[count, default: []].append(pointer)
      local.bytes += bytes
      return
    }
    let kept = Self.pool.withLock { pool -> Bool in
      guard pool.bytes + bytes <= Self.poolLimit else { return false }
      PoolPoisoning.poison(pointer, bytes: bytes)
      pool.free[count, default: []].append(address)
      pool.bytes += bytes
      return true
    }
    if !kept { free(pointer) }
  }
}

/// Marks pooled buffers unaddressable while they are free, so that under AddressSanitizer
/// (`swift test --sanitize=address`) a use after release is reported as it would be after
/// `free`. The poisoning calls exist only in a sanitized process; elsewhere these do nothing.
private enum PoolPoisoning {
  private typealias Region = @convention(c) (UnsafeRawPointer?, Int) -> Void

  private static let poisonRegion = lookUp("__asan_poison_memory_region")
  private static let unpoisonRegion = lookUp("__asan_unpoison_memory_region")

  private static func lookUp(_ name: String) -> Region? {
    dlsym(nil, name).map { unsafeBitCast($0, to: Region.self) }
  }

  static func poison(_ buffer: UnsafeMutablePointer<Float>, bytes: Int) { poisonRegion?(buffer, bytes) }
  static func unpoison(_ buffer: UnsafeMutablePointer<Float>, bytes: Int) { unpoisonRegion?(buffer, bytes) }
}

/// Kernel working memory is tensor storage: the same pooled, aligned buffers.
typealias ScratchBuffer = TensorStorage
