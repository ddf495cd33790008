import CHDF5

/// Owns one open libhdf5 object id (group or dataset) and closes it exactly
/// once: on `close()`, when its file closes, or in `deinit`.
///
/// Holds its file strongly, so the file id outlives every object opened in it.
final class ObjectHandle: @unchecked Sendable {
  // Guarded by `libraryLock`.
  private var rawID: hid_t
  /// The file the object lives in.
  let file: HDF5File

  /// Takes ownership of `id`. Call with the lock held.
  init(_ id: hid_t, in file: HDF5File) {
    rawID = id
    self.file = file
    file.track(self)
  }

  deinit { close() }

  /// Whether the id is still open.
  var isOpen: Bool { withLibrary { rawID >= 0 } }

  /// The open id, or a `closed` error naming `site`. Call with the lock held.
  func id(for site: ErrorSite) throws -> hid_t {
    guard rawID >= 0 else { throw site.error(.closed, "the file or object has been closed") }
    return rawID
  }

  /// Closes the id; later calls do nothing.
  func close() {
    withLibrary {
      guard rawID >= 0 else { return }
      _ = H5Oclose(rawID)
      rawID = -1
      file.untrack(self)
    }
  }
}

/// A weak reference to an open handle, so the file can close what is still
/// open without keeping it alive.
struct WeakHandle {
  weak var handle: ObjectHandle?
}
