import Dispatch
import Foundation
import Testing

@testable import TensorCore

@Suite("Pooled tensor storage")
struct TensorStorageTests {
  /// A tensor handed to another thread, which drops the last reference there.
  private final class HandOff: @unchecked Sendable {
    var tensor: Tensor?
    init(_ tensor: Tensor) { self.tensor = tensor }
  }

  @Test("a buffer released on another thread than the one that took it is reused, not kept by the releasing thread")
  func releasedElsewhereIsReused() {
    // A size no other test uses, so no concurrent test takes these buffers from the shared pool.
    let count = 12_347
    let start = TensorStorage.freshAllocationsOnThisThread
    for round in 0..<200 {
      let handOff = HandOff(Tensor(repeating: Float(round), shape: [count]))
      let released = DispatchSemaphore(value: 0)
      // A thread of its own each time, as a server's connection threads are not the batch's thread.
      let releaser = Thread {
        handOff.tensor = nil
        released.signal()
      }
      releaser.start()
      released.wait()
    }
    // The first round allocates; every later one finds that buffer again.
    #expect(TensorStorage.freshAllocationsOnThisThread - start == 1)
  }
}
