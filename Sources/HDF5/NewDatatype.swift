import CHDF5

/// The element type a new dataset or attribute is created with.
enum NewDatatype {
  /// A predefined numeric file type (`H5T_IEEE_F32LE`, ...).
  case numeric(hid_t)
  /// Variable-length UTF-8 strings, as h5py stores Python `str`.
  case variableLengthString
  /// NUL-padded fixed-length strings wide enough for every one of these.
  case fixedLengthString(fitting: [String])

  /// A new type id, owned by the caller (close with `H5Tclose`). Lock held.
  func make(_ site: ErrorSite) throws -> hid_t {
    switch self {
    case .numeric(let predefined):
      let type = H5Tcopy(predefined)
      guard type >= 0 else { throw site.libraryError(.libraryFailure, "cannot make the datatype") }
      return type
    case .variableLengthString:
      return try StringType.variableLength(site)
    case .fixedLengthString(let strings):
      return try StringType.fixedLength(fitting: strings, site)
    }
  }
}

/// Creating string datatypes. Each returned id must be closed with `H5Tclose`.
enum StringType {
  /// A variable-length C string type in `characterSet`.
  static func variableLength(characterSet: H5T_cset_t = H5T_CSET_UTF8, _ site: ErrorSite) throws
    -> hid_t
  {
    let type = H5Tcopy(shim_H5T_C_S1())
    guard type >= 0, H5Tset_size(type, shim_H5T_VARIABLE()) >= 0,
      H5Tset_cset(type, characterSet) >= 0
    else {
      if type >= 0 { H5Tclose(type) }
      throw site.libraryError(.libraryFailure, "cannot make a string type")
    }
    return type
  }

  /// A NUL-padded fixed-length type wide enough for every string in
  /// `strings` (at least one byte), ASCII when they all are, else UTF-8.
  static func fixedLength(fitting strings: [String], _ site: ErrorSite) throws -> hid_t {
    let length = max(1, strings.map(\.utf8.count).max() ?? 1)
    let ascii = strings.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } }
    let type = H5Tcopy(shim_H5T_C_S1())
    guard type >= 0, H5Tset_size(type, length) >= 0, H5Tset_strpad(type, H5T_STR_NULLPAD) >= 0,
      H5Tset_cset(type, ascii ? H5T_CSET_ASCII : H5T_CSET_UTF8) >= 0
    else {
      if type >= 0 { H5Tclose(type) }
      throw site.libraryError(.libraryFailure, "cannot make a string type")
    }
    return type
  }
}
