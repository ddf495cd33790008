import CHDF5

/// The shape and element type of one attribute.
public struct HDF5AttributeInfo: Equatable, Sendable {
  /// The attribute's name.
  public var name: String
  /// `[]` for a scalar, `[n]` for a 1-D array.
  public var shape: [Int]
  /// The stored element type.
  public var elementType: HDF5ElementType

  /// Describes an attribute; `attributeInfo(_:)` makes these.
  public init(name: String, shape: [Int], elementType: HDF5ElementType) {
    self.name = name
    self.shape = shape
    self.elementType = elementType
  }
}

/// Attributes: small named values on a group or dataset (the file's own
/// attributes are the root group's), like h5py's `.attrs`.
///
/// Strings are written variable-length UTF-8, as h5py writes Python `str`;
/// string arrays may be written fixed-length instead, as Keras 2 wrote
/// `weight_names`. Reading takes either form, scalar or 1-D. Setting an
/// attribute that exists replaces it.
extension HDF5Object {
  // MARK: Listing

  /// The attribute names, in creation order when tracked and `order` is
  /// `.creation` (the default), else by name.
  public func attributeNames(order: HDF5IterationOrder = .creation) throws -> [String] {
    let site = site("list attributes of")
    return try withID(site) { id in
      let count = shim_attribute_count(id)
      guard count >= 0 else { throw site.libraryError(.corruptFile, "cannot count the attributes") }
      return try indexedNames(count: Int(count), order: order, site) {
        indexType, index, buffer, size in
        H5Aget_name_by_idx(id, ".", indexType, H5_ITER_INC, index, buffer, size, shim_H5P_DEFAULT())
      }
    }
  }

  /// Whether an attribute called `name` exists.
  public func hasAttribute(_ name: String) throws -> Bool {
    let site = site("look up attribute", attribute: name)
    return try withID(site) { id in
      try checkAttributeName(name, site)
      let exists = H5Aexists(id, name)
      guard exists >= 0 else { throw site.libraryError(.corruptFile, "cannot look it up") }
      return exists > 0
    }
  }

  /// The shape and element type of attribute `name`. Throws `notFound`.
  public func attributeInfo(_ name: String) throws -> HDF5AttributeInfo {
    try withAttribute(name, "inspect attribute") { value in
      HDF5AttributeInfo(name: name, shape: try value.shape(), elementType: value.elementType)
    }
  }

  /// Deletes attribute `name`. Throws `notFound`.
  public func removeAttribute(_ name: String) throws {
    let site = site("remove attribute", attribute: name)
    try withID(site) { id in
      try checkAttributeName(name, site)
      guard H5Aexists(id, name) > 0 else { throw site.error(.notFound, "not found") }
      guard H5Adelete(id, name) >= 0 else {
        throw site.libraryError(.libraryFailure, "removing failed")
      }
    }
  }

  // MARK: Reading

  /// A string attribute (scalar, or an array of one), fixed- or variable-length.
  /// Throws `notFound`, `typeMismatch` for numbers, `shapeMismatch` for
  /// several strings.
  public func attribute(_ name: String, as type: String.Type) throws -> String {
    try withAttribute(name, "read attribute") { try $0.readSingle { try $0.readStrings() } }
  }

  /// A string-array attribute (a scalar gives one string), fixed- or
  /// variable-length. Throws `notFound`, `typeMismatch` for numbers.
  public func attribute(_ name: String, as type: [String].Type) throws -> [String] {
    try withAttribute(name, "read attribute") { try $0.readStrings() }
  }

  /// A numeric attribute (scalar, or an array of one), converted to `T`.
  /// Throws `notFound`, `typeMismatch` for strings, `shapeMismatch` for
  /// several values.
  public func attribute<T: HDF5Numeric>(_ name: String, as type: T.Type) throws -> T {
    try withAttribute(name, "read attribute") {
      try $0.readSingle { try $0.readNumbers(as: T.self) }
    }
  }

  /// A numeric-array attribute (a scalar gives one value), converted to `T`.
  /// Throws `notFound`, `typeMismatch` for strings.
  public func attribute<T: HDF5Numeric>(_ name: String, as type: [T].Type) throws -> [T] {
    try withAttribute(name, "read attribute") { try $0.readNumbers(as: T.self) }
  }

  // MARK: Writing

  /// Sets attribute `name` to a scalar variable-length UTF-8 string.
  public func setAttribute(_ name: String, to value: String) throws {
    try makeAttribute(name, shape: [], type: .variableLengthString) { try $0.writeStrings([value]) }
  }

  /// Sets attribute `name` to a 1-D string array, variable-length (default)
  /// or fixed-length NUL-padded bytes like numpy `S…` arrays.
  public func setAttribute(
    _ name: String, to values: [String], encoding: HDF5StringEncoding = .variableLength
  ) throws {
    let type: NewDatatype =
      switch encoding {
      case .variableLength: .variableLengthString
      case .fixedLength: .fixedLengthString(fitting: values)
      }
    try makeAttribute(name, shape: [values.count], type: type) { try $0.writeStrings(values) }
  }

  /// Sets attribute `name` to a scalar number stored as `T`'s type.
  public func setAttribute<T: HDF5Numeric>(_ name: String, to value: T) throws {
    try setNumbers(name, shape: [], [value])
  }

  /// Sets attribute `name` to a 1-D numeric array stored as `T`'s type.
  public func setAttribute<T: HDF5Numeric>(_ name: String, to values: [T]) throws {
    try setNumbers(name, shape: [values.count], values)
  }

  // MARK: Internal

  private func setNumbers<T: HDF5Numeric>(_ name: String, shape: [Int], _ values: [T]) throws {
    let fileType = try fileTypeID(for: T.self, site("write attribute", attribute: name))
    try makeAttribute(name, shape: shape, type: .numeric(fileType)) { try $0.writeNumbers(values) }
  }

  private func checkAttributeName(_ name: String, _ site: ErrorSite) throws {
    guard !name.isEmpty, !name.utf8.contains(0) else {
      throw site.error(
        .invalidArgument, "an attribute name must be non-empty and free of NUL bytes")
    }
  }

  /// Runs `body` on the data of the existing attribute `name`, lock held.
  private func withAttribute<R>(
    _ name: String, _ operation: String, _ body: (StoredValue) throws -> R
  ) throws -> R {
    let site = site(operation, attribute: name)
    return try withID(site) { objectID in
      try checkAttributeName(name, site)
      let exists = H5Aexists(objectID, name)
      guard exists >= 0 else { throw site.libraryError(.corruptFile, "cannot look it up") }
      guard exists > 0 else { throw site.error(.notFound, "not found") }
      let attributeID = H5Aopen(objectID, name, shim_H5P_DEFAULT())
      guard attributeID >= 0 else { throw site.libraryError(.corruptFile, "cannot open it") }
      defer { H5Aclose(attributeID) }
      return try withStoredValue(of: attributeID, site, body)
    }
  }

  /// Creates attribute `name` (replacing an existing one) of element
  /// `type`, and lets `fill` write it.
  private func makeAttribute(
    _ name: String, shape: [Int], type: NewDatatype, fill: (StoredValue) throws -> Void
  ) throws {
    let site = site("write attribute", attribute: name)
    try withID(site) { objectID in
      try checkAttributeName(name, site)
      guard file.mode == .readWrite else {
        throw site.error(.invalidArgument, "the file is open read-only")
      }
      let fileType = try type.make(site)
      defer { H5Tclose(fileType) }
      let space = try Dataspace.create(shape: shape, site)
      defer { H5Sclose(space) }
      if H5Aexists(objectID, name) > 0, H5Adelete(objectID, name) < 0 {
        throw site.libraryError(.libraryFailure, "cannot replace the existing attribute")
      }
      let attributeID = H5Acreate2(
        objectID, name, fileType, space, shim_H5P_DEFAULT(), shim_H5P_DEFAULT())
      guard attributeID >= 0 else { throw site.libraryError(.libraryFailure, "creating failed") }
      defer { H5Aclose(attributeID) }
      do {
        try withStoredValue(of: attributeID, site, fill)
      } catch {
        _ = H5Adelete(objectID, name)
        throw error
      }
    }
  }

  private func withStoredValue<R>(
    of attributeID: hid_t, _ site: ErrorSite, _ body: (StoredValue) throws -> R
  ) throws -> R {
    let type = H5Aget_type(attributeID)
    guard type >= 0 else { throw site.libraryError(.corruptFile, "cannot read the datatype") }
    defer { H5Tclose(type) }
    let space = H5Aget_space(attributeID)
    guard space >= 0 else { throw site.libraryError(.corruptFile, "cannot read the dataspace") }
    defer { H5Sclose(space) }
    let value = StoredValue(
      typeID: type, spaceID: space, filtered: false, boundsVariableLength: false,
      fileSize: try file.sizeOnDisk(site), site: site,
      read: { memoryType, _, buffer in H5Aread(attributeID, memoryType, buffer) },
      write: { memoryType, buffer in H5Awrite(attributeID, memoryType, buffer) })
    return try body(value)
  }
}
