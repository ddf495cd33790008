import CHDF5

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A recursive pthread mutex. Recursive because a public call (say, closing a
/// file) runs other locked calls (closing its open objects).
final class RecursiveLock: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>

  init() {
    mutex = .allocate(capacity: 1)
    var attributes = pthread_mutexattr_t()
    pthread_mutexattr_init(&attributes)
    pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
    pthread_mutex_init(mutex, &attributes)
    pthread_mutexattr_destroy(&attributes)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  func withLock<T>(_ body: () throws -> T) rethrows -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body()
  }
}

/// The process-wide lock around libhdf5: a serial libhdf5 is not thread-safe,
/// and Swift code (tests, data loaders) calls in from many threads.
let libraryLock = RecursiveLock()

/// Runs `body` holding the libhdf5 lock, with libhdf5's own printing of error
/// stacks to stderr turned off for this thread. Every libhdf5 call in the
/// module goes through here.
func withLibrary<T>(_ body: () throws -> T) rethrows -> T {
  try libraryLock.withLock {
    shim_silence_error_printing()
    return try body()
  }
}

/// libhdf5's innermost message for the last failure on this thread, or `nil`.
/// Clears the error stack. Call with the lock held.
func takeLibraryErrorMessage() -> String? {
  var buffer = [CChar](repeating: 0, count: 1024)
  let message = buffer.withUnsafeMutableBufferPointer { pointer -> String in
    shim_take_error_message(pointer.baseAddress!)
    return String(cString: pointer.baseAddress!)
  }
  return message.isEmpty ? nil : message
}
