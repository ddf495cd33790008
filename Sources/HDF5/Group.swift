import CHDF5

/// A group: a folder of named groups and datasets, like h5py's `Group`.
///
/// Paths passed to its methods may be one name (`"dense"`), a relative
/// slash path (`"dense/vars/0"`) or an absolute one (`"/layers/dense"`, from
/// the root whatever group is asked).
///
/// Groups this module creates track the creation order of their children
/// and attributes.
public final class HDF5Group: HDF5Object, @unchecked Sendable {
  // MARK: Opening

  /// Opens the existing group at `path`.
  /// Throws `notFound`, or `typeMismatch` when `path` names a dataset.
  public func group(_ path: String) throws -> HDF5Group {
    let absolutePath = ObjectPath.resolve(path, from: self.path)
    let site = site("open group", path: absolutePath)
    return try withID(site) { location in
      let (id, kind) = try openObject(at: absolutePath, from: location, site)
      guard kind == .group else {
        H5Oclose(id)
        throw site.error(.typeMismatch, "it is a \(kind), not a group")
      }
      return HDF5Group(handle: ObjectHandle(id, in: file), path: absolutePath)
    }
  }

  /// Opens the existing dataset at `path`.
  /// Throws `notFound`, or `typeMismatch` when `path` names a group.
  public func dataset(_ path: String) throws -> HDF5Dataset {
    let absolutePath = ObjectPath.resolve(path, from: self.path)
    let site = site("open dataset", path: absolutePath)
    return try withID(site) { location in
      let (id, kind) = try openObject(at: absolutePath, from: location, site)
      guard kind == .dataset else {
        H5Oclose(id)
        throw site.error(.typeMismatch, "it is a \(kind), not a dataset")
      }
      return try HDF5Dataset(handle: ObjectHandle(id, in: file), path: absolutePath, site)
    }
  }

  // MARK: Inspecting

  /// Whether `path` names an existing group or dataset (`false` for a
  /// dangling link). Throws only when the group is closed.
  public func contains(_ path: String) throws -> Bool {
    let absolutePath = ObjectPath.resolve(path, from: self.path)
    return try withID(site("look up", path: absolutePath)) { location in
      exists(absolutePath, from: location)
    }
  }

  /// Whether `path` names a group or a dataset. Throws `notFound`.
  public func kind(of path: String) throws -> HDF5ObjectKind {
    let absolutePath = ObjectPath.resolve(path, from: self.path)
    let site = site("look up", path: absolutePath)
    return try withID(site) { location in
      let (id, kind) = try openObject(at: absolutePath, from: location, site)
      H5Oclose(id)
      return kind
    }
  }

  /// The names of the direct children, in creation order when the file
  /// tracks it and `order` is `.creation` (the default), else sorted by name.
  public func names(order: HDF5IterationOrder = .creation) throws -> [String] {
    let site = site("list group")
    return try withID(site) { location in
      var info = H5G_info_t()
      guard H5Gget_info(location, &info) >= 0 else {
        throw site.libraryError(.corruptFile, "cannot read the group")
      }
      let count = Int(clamping: info.nlinks)
      try ReadLimits.check(
        count: count, elementSize: 1, fileSize: try file.sizeOnDisk(site), filtered: false, site)
      return try indexedNames(count: count, order: order, site) { indexType, index, buffer, size in
        H5Lget_name_by_idx(
          location, ".", indexType, H5_ITER_INC, index, buffer, size, shim_H5P_DEFAULT())
      }
    }
  }

  // MARK: Creating

  /// Creates a group at `path`, and any missing groups above it.
  /// Throws `alreadyExists` when something is already at `path`.
  @discardableResult
  public func createGroup(_ path: String) throws -> HDF5Group {
    let absolutePath = ObjectPath.resolve(path, from: self.path)
    let site = site("create group", path: absolutePath)
    return try withID(site) { location in
      try checkCreatable(absolutePath, from: location, site)
      let id = try makeGroup(at: absolutePath, from: location, site)
      return HDF5Group(handle: ObjectHandle(id, in: file), path: absolutePath)
    }
  }

  /// Opens the group at `path`, creating it (and missing groups above it)
  /// when absent, like h5py's `require_group`.
  @discardableResult
  public func requireGroup(_ path: String) throws -> HDF5Group {
    try contains(path) ? group(path) : createGroup(path)
  }

  /// Creates a dataset at `path` holding `values` in row-major order, with
  /// `shape` (default: one dimension of `values.count`; `[]` is a scalar).
  /// The stored type is `T`'s (`Float` → float32, `Int` → int64, ...).
  /// Throws `shapeMismatch` when `values` do not fill `shape`, and
  /// `alreadyExists`.
  @discardableResult
  public func createDataset<T: HDF5Numeric>(_ path: String, shape: [Int]? = nil, values: [T]) throws
    -> HDF5Dataset
  {
    let shape = shape ?? [values.count]
    let site = site("create dataset", path: ObjectPath.resolve(path, from: self.path))
    try Dataspace.checkFill(count: values.count, shape: shape, site)
    let fileType = try fileTypeID(for: T.self, site)
    return try makeDataset(at: path, shape: shape, type: .numeric(fileType)) {
      try $0.writeNumbers(values)
    }
  }

  /// Creates a scalar (rank-0) dataset at `path` holding `value`.
  @discardableResult
  public func createDataset<T: HDF5Numeric>(_ path: String, scalar value: T) throws -> HDF5Dataset {
    try createDataset(path, shape: [], values: [value])
  }

  /// Creates a dataset of variable-length UTF-8 strings (h5py's
  /// `string_dtype()`) at `path`, with `shape` as for numbers.
  /// Throws `invalidArgument` for a string containing a NUL byte.
  @discardableResult
  public func createDataset(_ path: String, shape: [Int]? = nil, strings: [String]) throws
    -> HDF5Dataset
  {
    let shape = shape ?? [strings.count]
    let site = site("create dataset", path: ObjectPath.resolve(path, from: self.path))
    try Dataspace.checkFill(count: strings.count, shape: shape, site)
    return try makeDataset(at: path, shape: shape, type: .variableLengthString) {
      try $0.writeStrings(strings)
    }
  }

  /// Creates a scalar dataset at `path` holding one variable-length string.
  @discardableResult
  public func createDataset(_ path: String, scalar string: String) throws -> HDF5Dataset {
    try createDataset(path, shape: [], strings: [string])
  }

  /// Removes the link at `path` (a group with everything under it, or a
  /// dataset). Throws `notFound`. The file does not shrink.
  public func remove(_ path: String) throws {
    let absolutePath = ObjectPath.resolve(path, from: self.path)
    let site = site("remove", path: absolutePath)
    try withID(site) { location in
      try checkWritable(site)
      guard absolutePath != "/", exists(absolutePath, from: location) else {
        throw site.error(
          absolutePath == "/" ? .invalidArgument : .notFound,
          absolutePath == "/" ? "it is the root group" : "not found")
      }
      guard H5Ldelete(location, absolutePath, shim_H5P_DEFAULT()) >= 0 else {
        throw site.libraryError(.libraryFailure, "removing failed")
      }
    }
  }

  // MARK: Internal (lock held)

  /// Opens the object at `absolutePath`, telling a missing path (`notFound`)
  /// from a path running through a dataset (`typeMismatch`).
  private func openObject(at absolutePath: String, from location: hid_t, _ site: ErrorSite) throws
    -> (hid_t, HDF5ObjectKind)
  {
    var parent = "/"
    for prefix in ObjectPath.prefixes(of: absolutePath) {
      let exists = H5Lexists(location, prefix, shim_H5P_DEFAULT())
      if exists < 0 {
        _ = takeLibraryErrorMessage()
        throw site.error(.typeMismatch, "'\(parent)' is not a group")
      }
      if exists == 0 {
        throw site.error(
          .notFound, prefix == absolutePath ? "not found" : "not found ('\(prefix)' does not exist)"
        )
      }
      parent = prefix
    }
    let id = H5Oopen(location, absolutePath, shim_H5P_DEFAULT())
    guard id >= 0 else {
      throw site.libraryError(.notFound, "cannot open it (dangling or external link?)")
    }
    switch H5Iget_type(id) {
    case H5I_GROUP: return (id, .group)
    case H5I_DATASET: return (id, .dataset)
    case H5I_DATATYPE: return (id, .namedDatatype)
    default:
      H5Oclose(id)
      throw site.error(.typeMismatch, "it is neither a group nor a dataset")
    }
  }

  /// Whether `absolutePath` resolves to an object.
  private func exists(_ absolutePath: String, from location: hid_t) -> Bool {
    for prefix in ObjectPath.prefixes(of: absolutePath)
    where H5Lexists(location, prefix, shim_H5P_DEFAULT()) <= 0 {
      _ = takeLibraryErrorMessage()
      return false
    }
    guard absolutePath != "/" else { return true }
    let found = H5Oexists_by_name(location, absolutePath, shim_H5P_DEFAULT()) > 0
    if !found { _ = takeLibraryErrorMessage() }
    return found
  }

  private func checkWritable(_ site: ErrorSite) throws {
    guard file.mode == .readWrite else {
      throw site.error(.invalidArgument, "the file is open read-only")
    }
  }

  /// Checks that nothing is at `absolutePath` and makes the groups above it.
  private func checkCreatable(_ absolutePath: String, from location: hid_t, _ site: ErrorSite)
    throws
  {
    try checkWritable(site)
    guard !exists(absolutePath, from: location) else {
      throw site.error(.alreadyExists, "it exists")
    }
    for ancestor in ObjectPath.prefixes(of: absolutePath).dropLast() {
      if exists(ancestor, from: location) {
        let (id, kind) = try openObject(at: ancestor, from: location, site)
        H5Oclose(id)
        guard kind == .group else {
          throw site.error(.typeMismatch, "'\(ancestor)' is a \(kind), not a group")
        }
      } else {
        H5Oclose(try makeGroup(at: ancestor, from: location, site))
      }
    }
  }

  /// Creates one group whose parent exists, tracking creation order.
  private func makeGroup(at absolutePath: String, from location: hid_t, _ site: ErrorSite) throws
    -> hid_t
  {
    let creation = H5Pcreate(shim_H5P_GROUP_CREATE())
    guard creation >= 0 else {
      throw site.libraryError(.libraryFailure, "cannot make a property list")
    }
    defer { H5Pclose(creation) }
    guard trackCreationOrder(creation) else {
      throw site.libraryError(.libraryFailure, "cannot track creation order")
    }
    let id = H5Gcreate2(location, absolutePath, shim_H5P_DEFAULT(), creation, shim_H5P_DEFAULT())
    guard id >= 0 else { throw site.libraryError(.libraryFailure, "creating failed") }
    return id
  }

  /// Creates a dataset of element `type` and lets `fill` write it; a dataset
  /// whose write fails is removed again.
  private func makeDataset(
    at path: String, shape: [Int], type: NewDatatype, fill: (StoredValue) throws -> Void
  ) throws -> HDF5Dataset {
    let absolutePath = ObjectPath.resolve(path, from: self.path)
    let site = site("create dataset", path: absolutePath)
    return try withID(site) { location in
      try checkCreatable(absolutePath, from: location, site)
      let fileType = try type.make(site)
      defer { H5Tclose(fileType) }
      let space = try Dataspace.create(shape: shape, site)
      defer { H5Sclose(space) }
      let creation = H5Pcreate(shim_H5P_DATASET_CREATE())
      guard creation >= 0 else {
        throw site.libraryError(.libraryFailure, "cannot make a property list")
      }
      defer { H5Pclose(creation) }
      guard trackCreationOrder(creation, links: false) else {
        throw site.libraryError(.libraryFailure, "cannot track creation order")
      }
      let id = H5Dcreate2(
        location, absolutePath, fileType, space, shim_H5P_DEFAULT(), creation, shim_H5P_DEFAULT())
      guard id >= 0 else { throw site.libraryError(.libraryFailure, "creating failed") }
      let dataset = try HDF5Dataset(handle: ObjectHandle(id, in: file), path: absolutePath, site)
      do {
        try dataset.withStoredValue(site) { try fill($0) }
      } catch {
        dataset.close()
        _ = H5Ldelete(location, absolutePath, shim_H5P_DEFAULT())
        throw error
      }
      return dataset
    }
  }
}
