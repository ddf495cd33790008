import CHDF5

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An open HDF5 file.
///
/// Open an existing file with `HDF5File(path:mode:)`, make a new one with
/// `HDF5File.create(path:overwrite:)`, or write one atomically with
/// `HDF5File.write(to:_:)`. Everything inside is reached through `root`.
/// The file closes on `close()` or when the last reference to it (including
/// those held by its groups and datasets) goes away.
///
/// Files this module creates track the creation order of links and
/// attributes, so `names()` lists children in the order they were added,
/// as h5py's `track_order=True` does.
///
/// Safe to use from any thread: every libhdf5 call takes one process-wide lock.
///
/// Untrusted files: reads check shapes and sizes before allocating (see
/// `HDF5Error.Kind.limitExceeded`), truncation is reported at open, and so is
/// heap and group B-tree damage on which libhdf5 1.10 loops forever or reads
/// out of bounds (see `MetadataCheck`). libhdf5 1.10 itself can still crash,
/// loop or allocate gigabytes on other deliberately damaged metadata, so a file
/// opened `.readOnly` is first read whole in a forked child process (`TrialRead`:
/// every name, attribute and dataset the module's readers can reach, with a
/// memory and time allowance); when the child dies, hangs or runs out of memory,
/// opening throws `corruptFile` or `limitExceeded` and this process is untouched.
/// This costs a second read of the file. A damaged file can also link a group
/// into itself: code walking the tree should bound its depth.
public final class HDF5File: @unchecked Sendable, CustomStringConvertible {
  /// How an existing file is opened.
  public enum AccessMode: Sendable {
    /// Reading only.
    case readOnly
    /// Reading and writing.
    case readWrite
  }

  /// The path as the caller gave it; errors quote it.
  public let path: String
  /// How the file was opened; created files are `.readWrite`.
  public let mode: AccessMode

  // Guarded by `libraryLock`.
  private var fileID: hid_t
  private var openHandles: [ObjectIdentifier: WeakHandle] = [:]

  init(fileID: hid_t, path: String, mode: AccessMode) {
    self.fileID = fileID
    self.path = path
    self.mode = mode
  }

  /// Opens the existing file at `path`.
  ///
  /// Throws `HDF5Error` of kind `fileNotFound`, `notHDF5` (no HDF5
  /// signature), `corruptFile` (truncated or damaged), `ioFailure` (no
  /// permission) or `libraryFailure`.
  public convenience init(path: String, mode: AccessMode = .readOnly) throws {
    let id = try withLibrary { try HDF5File.openID(path: path, mode: mode) }
    self.init(fileID: id, path: path, mode: mode)
  }

  /// Creates a new, empty file at `path`, replacing an existing one only
  /// when `overwrite` is true (else throws `alreadyExists`). Prefer
  /// `write(to:_:)`, which never leaves a half-written file behind.
  public static func create(path: String, overwrite: Bool = false) throws -> HDF5File {
    let id = try withLibrary { try createID(at: path, displayPath: path, overwrite: overwrite) }
    return HDF5File(fileID: id, path: path, mode: .readWrite)
  }

  deinit {
    withLibrary {
      if fileID >= 0 { _ = H5Fclose(fileID) }
    }
  }

  /// `HDF5File(path)`.
  public var description: String { "HDF5File(\(path))" }

  /// Whether the file is still open.
  public var isOpen: Bool { withLibrary { fileID >= 0 } }

  /// The root group `/`; its attributes are the file's attributes.
  public var root: HDF5Group {
    get throws {
      try withLibrary {
        let site = ErrorSite(file: path, objectPath: "/", operation: "open group")
        let groupID = H5Oopen(try id(for: site), "/", shim_H5P_DEFAULT())
        guard groupID >= 0 else {
          throw site.libraryError(.corruptFile, "cannot open the root group")
        }
        return HDF5Group(handle: ObjectHandle(groupID, in: self), path: "/")
      }
    }
  }

  /// Writes buffered data to disk; the file stays open.
  public func flush() throws {
    try withLibrary {
      let site = ErrorSite(file: path, operation: "flush file")
      guard H5Fflush(try id(for: site), H5F_SCOPE_GLOBAL) >= 0 else {
        throw site.libraryError(.ioFailure, "flushing failed")
      }
    }
  }

  /// Closes every group and dataset still open in the file, then the file.
  /// Later use of them throws `closed`; calling `close()` again does nothing.
  /// Throws `ioFailure` when buffered data cannot be written.
  public func close() throws {
    try withLibrary {
      guard fileID >= 0 else { return }
      for handle in openHandles.values.compactMap(\.handle) { handle.close() }
      openHandles.removeAll()
      let status = H5Fclose(fileID)
      fileID = -1
      guard status >= 0 else {
        throw ErrorSite(file: path, operation: "close file").libraryError(
          .ioFailure, "closing failed")
      }
    }
  }

  /// How many libhdf5 objects are open in this file, the file itself
  /// included: 1 when no group, dataset or attribute is open. A diagnostic
  /// for leak tests.
  public var openObjectCount: Int {
    get throws {
      try withLibrary {
        let site = ErrorSite(file: path, operation: "count open objects of")
        let count = H5Fget_obj_count(try id(for: site), shim_H5F_OBJ_ALL() | shim_H5F_OBJ_LOCAL())
        guard count >= 0 else { throw site.libraryError(.libraryFailure, "counting failed") }
        return count
      }
    }
  }

  // MARK: Internal

  /// The open file id, or `closed`. Call with the lock held.
  func id(for site: ErrorSite) throws -> hid_t {
    guard fileID >= 0 else { throw site.error(.closed, "the file has been closed") }
    return fileID
  }

  /// The file's size in bytes, for the read limits. Call with the lock held.
  func sizeOnDisk(_ site: ErrorSite) throws -> Int {
    var size: hsize_t = 0
    guard H5Fget_filesize(try id(for: site), &size) >= 0 else {
      throw site.libraryError(.libraryFailure, "cannot get the file size")
    }
    return Int(clamping: size)
  }

  /// Registers an open handle so `close()` can close it. Lock held.
  func track(_ handle: ObjectHandle) {
    openHandles[ObjectIdentifier(handle)] = WeakHandle(handle: handle)
  }

  /// Forgets a handle that has closed. Lock held.
  func untrack(_ handle: ObjectHandle) {
    openHandles[ObjectIdentifier(handle)] = nil
  }

  private static func openID(path: String, mode: AccessMode) throws -> hid_t {
    let site = ErrorSite(file: path, operation: "open file")
    var status = stat()
    guard stat(path, &status) == 0 else {
      if errno == ENOENT || errno == ENOTDIR { throw site.error(.fileNotFound, "no such file") }
      throw site.error(.ioFailure, String(cString: strerror(errno)))
    }
    guard status.st_mode & S_IFMT != S_IFDIR else {
      throw site.error(.notHDF5, "it is a directory")
    }
    guard access(path, mode == .readOnly ? R_OK : R_OK | W_OK) == 0 else {
      throw site.error(.ioFailure, String(cString: strerror(errno)))
    }
    let signature = shim_is_hdf5(path)
    guard signature >= 0 else { throw site.libraryError(.ioFailure, "cannot read the file") }
    guard signature > 0 else { throw site.error(.notHDF5, "not an HDF5 file") }

    try MetadataCheck.check(path: path, site)
    if mode == .readOnly { try TrialRead.check(path: path, fileSize: Int(status.st_size), site) }

    let access = try fileAccessList(site)
    defer { H5Pclose(access) }
    let id = H5Fopen(path, mode == .readOnly ? shim_H5F_ACC_RDONLY() : shim_H5F_ACC_RDWR(), access)
    guard id >= 0 else {
      let message = takeLibraryErrorMessage() ?? "unknown error"
      if message.contains("truncated") {
        throw site.error(.corruptFile, "truncated file (libhdf5: \(message))")
      }
      if message.contains("unable to lock") || message.contains("already open") {
        throw site.error(.libraryFailure, "libhdf5: \(message)")
      }
      throw site.error(.corruptFile, "corrupt file (libhdf5: \(message))")
    }
    return id
  }

  /// Creates the file at `actualPath`; errors name `displayPath`.
  static func createID(at actualPath: String, displayPath: String, overwrite: Bool) throws -> hid_t
  {
    let site = ErrorSite(file: displayPath, operation: "create file")
    if !overwrite, access(actualPath, F_OK) == 0 {
      throw site.error(.alreadyExists, "the file exists")
    }
    let creation = H5Pcreate(shim_H5P_FILE_CREATE())
    guard creation >= 0 else {
      throw site.libraryError(.libraryFailure, "cannot make a property list")
    }
    defer { H5Pclose(creation) }
    guard trackCreationOrder(creation) else {
      throw site.libraryError(.libraryFailure, "cannot track creation order")
    }
    let access = try fileAccessList(site)
    defer { H5Pclose(access) }
    let flags = overwrite ? shim_H5F_ACC_TRUNC() : shim_H5F_ACC_EXCL()
    let id = H5Fcreate(actualPath, flags, creation, access)
    guard id >= 0 else { throw site.libraryError(.ioFailure, "cannot create the file") }
    return id
  }

  private static func fileAccessList(_ site: ErrorSite) throws -> hid_t {
    let access = H5Pcreate(shim_H5P_FILE_ACCESS())
    guard access >= 0, shim_allow_unsupported_file_locking(access) >= 0 else {
      if access >= 0 { H5Pclose(access) }
      throw site.libraryError(.libraryFailure, "cannot make a property list")
    }
    return access
  }
}

/// Turns on tracked and indexed creation order for links and attributes in a
/// file-, group- or dataset-creation property list. Lock held.
func trackCreationOrder(_ creationList: hid_t, links: Bool = true) -> Bool {
  let flags = shim_H5P_CRT_ORDER_TRACKED() | shim_H5P_CRT_ORDER_INDEXED()
  if links, H5Pset_link_creation_order(creationList, flags) < 0 { return false }
  return H5Pset_attr_creation_order(creationList, flags) >= 0
}
