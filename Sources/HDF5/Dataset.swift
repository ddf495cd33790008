import CHDF5

/// A dataset: an n-dimensional array of numbers or strings, like h5py's
/// `Dataset`. Values are read and written whole, in row-major order.
public final class HDF5Dataset: HDF5Object, @unchecked Sendable {
  /// The dimensions, outermost first: `[]` for a scalar, `[0]` for an
  /// empty (null) dataspace.
  public let shape: [Int]
  /// The stored element type.
  public let elementType: HDF5ElementType

  /// Reads shape and type of the open dataset `handle`. Lock held.
  init(handle: ObjectHandle, path: String, _ site: ErrorSite) throws {
    let id = try handle.id(for: site)
    let type = H5Dget_type(id)
    guard type >= 0 else { throw site.libraryError(.corruptFile, "cannot read the datatype") }
    defer { H5Tclose(type) }
    let space = H5Dget_space(id)
    guard space >= 0 else { throw site.libraryError(.corruptFile, "cannot read the dataspace") }
    defer { H5Sclose(space) }
    shape = try Dataspace.shape(of: space, site)
    elementType = HDF5ElementType(typeID: type)
    super.init(handle: handle, path: path)
  }

  /// The number of elements: the product of `shape` (1 for a scalar).
  public var count: Int { shape.reduce(1, *) }

  /// All elements as `T`, converted by libhdf5 from any stored integer or
  /// float type (int32 or float16 data read as `Float`, ...).
  /// Throws `typeMismatch` for strings, `limitExceeded` for an implausible size.
  public func read<T: HDF5Numeric>(as type: T.Type = T.self) throws -> [T] {
    try withStoredValue(site("read dataset")) { try $0.readNumbers(as: T.self) }
  }

  /// The single element of a scalar (or one-element) dataset as `T`.
  /// Throws `shapeMismatch` when there is not exactly one element.
  public func readScalar<T: HDF5Numeric>(as type: T.Type = T.self) throws -> T {
    try withStoredValue(site("read dataset")) {
      try $0.readSingle { try $0.readNumbers(as: T.self) }
    }
  }

  /// All elements as strings, fixed-length or variable-length.
  /// Throws `typeMismatch` for numbers.
  public func readStrings() throws -> [String] {
    try withStoredValue(site("read dataset")) { try $0.readStrings() }
  }

  /// The single string of a scalar (or one-element) string dataset.
  public func readString() throws -> String {
    try withStoredValue(site("read dataset")) { try $0.readSingle { try $0.readStrings() } }
  }

  /// Overwrites all elements with `values` (row-major, converted to the
  /// stored type). Throws `shapeMismatch` when the count differs from `count`.
  public func write<T: HDF5Numeric>(_ values: [T]) throws {
    try withStoredValue(site("write dataset")) { try $0.writeNumbers(values) }
  }

  /// Overwrites all elements of a string dataset with `strings`.
  public func write(strings: [String]) throws {
    try withStoredValue(site("write dataset")) { try $0.writeStrings(strings) }
  }

  /// Runs `body` on this dataset's data with the lock held.
  func withStoredValue<R>(_ site: ErrorSite, _ body: (StoredValue) throws -> R) throws -> R {
    try withID(site) { id in
      let type = H5Dget_type(id)
      guard type >= 0 else { throw site.libraryError(.corruptFile, "cannot read the datatype") }
      defer { H5Tclose(type) }
      let space = H5Dget_space(id)
      guard space >= 0 else { throw site.libraryError(.corruptFile, "cannot read the dataspace") }
      defer { H5Sclose(space) }
      let creation = H5Dget_create_plist(id)
      guard creation >= 0 else {
        throw site.libraryError(.corruptFile, "cannot read the dataset's properties")
      }
      let filtered = H5Pget_nfilters(creation) != 0
      H5Pclose(creation)
      let all = shim_H5S_ALL()
      let value = StoredValue(
        typeID: type, spaceID: space, filtered: filtered, boundsVariableLength: true,
        fileSize: try file.sizeOnDisk(site), site: site,
        read: { memoryType, transfer, buffer in H5Dread(id, memoryType, all, all, transfer, buffer)
        },
        write: { memoryType, buffer in
          H5Dwrite(id, memoryType, all, all, shim_H5P_DEFAULT(), buffer)
        })
      return try body(value)
    }
  }
}
