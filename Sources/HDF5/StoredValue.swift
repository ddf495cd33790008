import CHDF5

/// The data of one open dataset or attribute: its stored type and shape, and
/// the libhdf5 read/write calls, which differ only in name between the two.
/// Datasets and attributes share every conversion below through it. Use
/// only with the lock held, while the ids are open.
struct StoredValue {
  /// The stored datatype (owned by the caller).
  let typeID: hid_t
  /// The stored dataspace (owned by the caller).
  let spaceID: hid_t
  /// Whether a filter pipeline (compression) lets data expand on reading.
  let filtered: Bool
  /// Whether `read` honours a transfer property list (datasets do,
  /// attributes do not), so variable-length allocations can be bounded.
  let boundsVariableLength: Bool
  /// The size of the containing file, for the read limits.
  let fileSize: Int
  let site: ErrorSite
  /// Reads everything into `buffer` as `memoryType`, with a transfer list.
  let read: (_ memoryType: hid_t, _ transfer: hid_t, _ buffer: UnsafeMutableRawPointer) -> herr_t
  /// Writes everything from `buffer`, given as `memoryType`.
  let write: (_ memoryType: hid_t, _ buffer: UnsafeRawPointer) -> herr_t

  var elementType: HDF5ElementType { HDF5ElementType(typeID: typeID) }

  func shape() throws -> [Int] { try Dataspace.shape(of: spaceID, site) }

  /// The element count, after checking the read limits for elements of
  /// `elementSize` stored bytes.
  private func checkedCount(elementSize: Int) throws -> Int {
    let count = try Dataspace.elementCount(of: shape(), site)
    try ReadLimits.check(
      count: count, elementSize: elementSize, fileSize: fileSize, filtered: filtered, site)
    return count
  }

  private var isNumeric: Bool {
    let typeClass = H5Tget_class(typeID)
    return typeClass == H5T_INTEGER || typeClass == H5T_FLOAT
  }

  private var isString: Bool { H5Tget_class(typeID) == H5T_STRING }

  // MARK: Numbers

  /// All elements, in row-major order, converted by libhdf5 to `T`.
  func readNumbers<T: HDF5Numeric>(as type: T.Type) throws -> [T] {
    let memoryType = try nativeTypeID(for: T.self, site)
    guard isNumeric else {
      throw site.error(.typeMismatch, "it holds \(elementType) values, not numbers")
    }
    let count = try checkedCount(elementSize: H5Tget_size(typeID))
    guard count > 0 else { return [] }
    var status: herr_t = 0
    let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      status = read(memoryType, shim_H5P_DEFAULT(), UnsafeMutableRawPointer(buffer.baseAddress!))
      initialized = status >= 0 ? count : 0
    }
    guard status >= 0 else { throw site.libraryError(.libraryFailure, "reading failed") }
    return values
  }

  /// Writes `values`, which must fill the stored shape.
  func writeNumbers<T: HDF5Numeric>(_ values: [T]) throws {
    let memoryType = try nativeTypeID(for: T.self, site)
    guard isNumeric else {
      throw site.error(.typeMismatch, "it holds \(elementType) values, not numbers")
    }
    try Dataspace.checkFill(count: values.count, shape: shape(), site)
    guard !values.isEmpty else { return }
    let status = values.withUnsafeBytes { write(memoryType, $0.baseAddress!) }
    guard status >= 0 else { throw site.libraryError(.libraryFailure, "writing failed") }
  }

  // MARK: Strings

  /// All elements as strings, from fixed-length or variable-length storage.
  /// Bytes that are not UTF-8 are replaced with U+FFFD.
  func readStrings() throws -> [String] {
    guard isString else {
      throw site.error(.typeMismatch, "it holds \(elementType) values, not strings")
    }
    let variable = H5Tis_variable_str(typeID)
    guard variable >= 0 else {
      throw site.libraryError(.corruptFile, "cannot read the string type")
    }
    return variable > 0 ? try readVariableLengthStrings() : try readFixedLengthStrings()
  }

  private func readVariableLengthStrings() throws -> [String] {
    // Each stored string is a 16-byte global-heap reference in the file.
    let count = try checkedCount(elementSize: 16)
    guard count > 0 else { return [] }
    let memoryType = try StringType.variableLength(characterSet: H5Tget_cset(typeID), site)
    defer { H5Tclose(memoryType) }
    let transfer = boundsVariableLength ? shim_create_bounded_transfer() : shim_H5P_DEFAULT()
    guard transfer >= 0 else { throw site.libraryError(.libraryFailure, "cannot prepare the read") }
    defer { if boundsVariableLength { H5Pclose(transfer) } }

    var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
    let status = pointers.withUnsafeMutableBytes { read(memoryType, transfer, $0.baseAddress!) }
    guard status >= 0 else {
      let message = takeLibraryErrorMessage() ?? "unknown error"
      guard message.contains("allocation") else {
        throw site.error(.corruptFile, "cannot read the strings (libhdf5: \(message))")
      }
      throw site.error(
        .limitExceeded, "a string is longer than the limit of \(ReadLimits.maxStringBytes) bytes")
    }
    let strings = pointers.map { pointer in pointer.map { String(cString: $0) } ?? "" }
    _ = pointers.withUnsafeMutableBytes {
      shim_reclaim_variable_length(memoryType, spaceID, transfer, $0.baseAddress!)
    }
    return strings
  }

  private func readFixedLengthStrings() throws -> [String] {
    let size = H5Tget_size(typeID)
    guard size > 0, size <= ReadLimits.maxStringBytes else {
      throw site.error(.limitExceeded, "fixed-length strings of \(size) bytes exceed the limit")
    }
    let count = try checkedCount(elementSize: size)
    guard count > 0 else { return [] }
    let memoryType = H5Tcopy(typeID)
    guard memoryType >= 0 else {
      throw site.libraryError(.libraryFailure, "cannot copy the string type")
    }
    defer { H5Tclose(memoryType) }
    var bytes = [UInt8](repeating: 0, count: count * size)
    let status = bytes.withUnsafeMutableBytes {
      read(memoryType, shim_H5P_DEFAULT(), $0.baseAddress!)
    }
    guard status >= 0 else { throw site.libraryError(.libraryFailure, "reading failed") }
    let spacePadded = H5Tget_strpad(typeID) == H5T_STR_SPACEPAD
    return (0..<count).map { index in
      var element = bytes[(index * size)..<((index + 1) * size)]
      if spacePadded {
        while element.last == UInt8(ascii: " ") { element = element.dropLast() }
      } else if let end = element.firstIndex(of: 0) {
        element = element[..<end]
      }
      return String(decoding: element, as: UTF8.self)
    }
  }

  /// Writes `strings`, which must fill the stored shape, in the stored form:
  /// variable-length, or fixed-length when each fits.
  func writeStrings(_ strings: [String]) throws {
    guard isString else {
      throw site.error(.typeMismatch, "it holds \(elementType) values, not strings")
    }
    try Dataspace.checkFill(count: strings.count, shape: shape(), site)
    if let bad = strings.first(where: { $0.utf8.contains(0) }) {
      throw site.error(.invalidArgument, "string \(bad.debugDescription) contains a NUL byte")
    }
    guard !strings.isEmpty else { return }
    let status: herr_t
    if H5Tis_variable_str(typeID) > 0 {
      status = try writeVariableLengthStrings(strings)
    } else {
      status = try writeFixedLengthStrings(strings)
    }
    guard status >= 0 else { throw site.libraryError(.libraryFailure, "writing failed") }
  }

  private func writeVariableLengthStrings(_ strings: [String]) throws -> herr_t {
    let memoryType = try StringType.variableLength(characterSet: H5Tget_cset(typeID), site)
    defer { H5Tclose(memoryType) }
    var characters: [CChar] = []
    var offsets: [Int] = []
    for string in strings {
      offsets.append(characters.count)
      characters += string.utf8.map { CChar(bitPattern: $0) }
      characters.append(0)
    }
    return characters.withUnsafeBufferPointer { base in
      let pointers: [UnsafePointer<CChar>?] = offsets.map { base.baseAddress! + $0 }
      return pointers.withUnsafeBytes { write(memoryType, $0.baseAddress!) }
    }
  }

  private func writeFixedLengthStrings(_ strings: [String]) throws -> herr_t {
    let size = H5Tget_size(typeID)
    if let long = strings.first(where: { $0.utf8.count > size }) {
      throw site.error(
        .invalidArgument,
        "string \(long.debugDescription) is longer than the fixed length of \(size) bytes")
    }
    let memoryType = H5Tcopy(typeID)
    guard memoryType >= 0 else {
      throw site.libraryError(.libraryFailure, "cannot copy the string type")
    }
    defer { H5Tclose(memoryType) }
    var bytes = [UInt8](repeating: 0, count: strings.count * size)
    for (index, string) in strings.enumerated() {
      bytes.replaceSubrange((index * size)..<(index * size + string.utf8.count), with: string.utf8)
    }
    return bytes.withUnsafeBytes { write(memoryType, $0.baseAddress!) }
  }
}

extension StoredValue {
  /// The one element `readAll` returns, after checking the stored shape
  /// holds exactly one (a scalar, `[1]`, `[1, 1]`, ...).
  func readSingle<Element>(_ readAll: (StoredValue) throws -> [Element]) throws -> Element {
    let shape = try shape()
    let count = try Dataspace.elementCount(of: shape, site)
    guard count == 1 else {
      throw site.error(.shapeMismatch, "it holds \(count) values of shape \(shape), not one")
    }
    let values = try readAll(self)
    guard values.count == 1 else {
      throw site.error(.shapeMismatch, "it holds \(values.count) values, not one")
    }
    return values[0]
  }
}
