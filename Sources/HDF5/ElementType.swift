import CHDF5

/// The type of the elements of a dataset or attribute as stored in the file.
public enum HDF5ElementType: Hashable, Sendable, CustomStringConvertible {
  /// Signed integers of 8, 16, 32 and 64 bits.
  case int8, int16, int32, int64
  /// Unsigned integers of 8, 16, 32 and 64 bits.
  case uint8, uint16, uint32, uint64
  /// IEEE floats of 16 (numpy `float16`), 32 and 64 bits.
  case float16, float32, float64
  /// Strings, fixed-length (numpy `S…`) or variable-length (Python `str`).
  case string
  /// Anything else (compound, enum, reference, odd-sized numbers, ...),
  /// described in words.
  case other(String)

  /// `"float32"`, `"string"`, ...; for `.other`, its description.
  public var description: String {
    switch self {
    case .int8: "int8"
    case .int16: "int16"
    case .int32: "int32"
    case .int64: "int64"
    case .uint8: "uint8"
    case .uint16: "uint16"
    case .uint32: "uint32"
    case .uint64: "uint64"
    case .float16: "float16"
    case .float32: "float32"
    case .float64: "float64"
    case .string: "string"
    case .other(let description): description
    }
  }

  /// The element type of the libhdf5 datatype `type`.
  init(typeID type: hid_t) {
    let size = H5Tget_size(type)
    switch H5Tget_class(type) {
    case H5T_INTEGER:
      let signed = H5Tget_sign(type) != H5T_SGN_NONE
      switch (size, signed) {
      case (1, true): self = .int8
      case (2, true): self = .int16
      case (4, true): self = .int32
      case (8, true): self = .int64
      case (1, false): self = .uint8
      case (2, false): self = .uint16
      case (4, false): self = .uint32
      case (8, false): self = .uint64
      default: self = .other("\(size * 8)-bit \(signed ? "" : "unsigned ")integer")
      }
    case H5T_FLOAT:
      switch size {
      case 2: self = .float16
      case 4: self = .float32
      case 8: self = .float64
      default: self = .other("\(size * 8)-bit float")
      }
    case H5T_STRING: self = .string
    case H5T_COMPOUND: self = .other("compound")
    case H5T_ENUM: self = .other("enum")
    case H5T_BITFIELD: self = .other("bitfield")
    case H5T_OPAQUE: self = .other("opaque")
    case H5T_REFERENCE: self = .other("reference")
    case H5T_VLEN: self = .other("variable-length sequence")
    case H5T_ARRAY: self = .other("array")
    default: self = .other("unknown type")
    }
  }

  /// libhdf5's native (in-memory) type, for the numeric cases Swift has.
  var nativeTypeID: hid_t? {
    switch self {
    case .int8: shim_H5T_NATIVE_INT8()
    case .int16: shim_H5T_NATIVE_INT16()
    case .int32: shim_H5T_NATIVE_INT32()
    case .int64: shim_H5T_NATIVE_INT64()
    case .uint8: shim_H5T_NATIVE_UINT8()
    case .uint16: shim_H5T_NATIVE_UINT16()
    case .uint32: shim_H5T_NATIVE_UINT32()
    case .uint64: shim_H5T_NATIVE_UINT64()
    case .float32: shim_H5T_NATIVE_FLOAT()
    case .float64: shim_H5T_NATIVE_DOUBLE()
    case .float16, .string, .other: nil
    }
  }

  /// The little-endian type written to files (as h5py writes on x86-64).
  var fileTypeID: hid_t? {
    switch self {
    case .int8: shim_H5T_STD_I8LE()
    case .int16: shim_H5T_STD_I16LE()
    case .int32: shim_H5T_STD_I32LE()
    case .int64: shim_H5T_STD_I64LE()
    case .uint8: shim_H5T_STD_U8LE()
    case .uint16: shim_H5T_STD_U16LE()
    case .uint32: shim_H5T_STD_U32LE()
    case .uint64: shim_H5T_STD_U64LE()
    case .float32: shim_H5T_IEEE_F32LE()
    case .float64: shim_H5T_IEEE_F64LE()
    case .float16, .string, .other: nil
    }
  }
}

/// A Swift number type that datasets and attributes can be read as and
/// written from: `Float`, `Double`, `Int`, `Int8`…`Int64`, `UInt8`…`UInt64`.
///
/// Reading converts: any stored integer or float type can be read as any of
/// these (libhdf5 converts, e.g. int32 or float16 data read as `Float`).
public protocol HDF5Numeric: BitwiseCopyable, Sendable {
  /// The element type values of this Swift type are written as.
  static var hdf5ElementType: HDF5ElementType { get }
}

/// `Float` values read from and written to HDF5 datasets and attributes, stored as `float32`.
extension Float: HDF5Numeric {
  /// Written as `float32`.
  public static var hdf5ElementType: HDF5ElementType { .float32 }
}

/// `Double` values read from and written to HDF5 datasets and attributes, stored as `float64`.
extension Double: HDF5Numeric {
  /// Written as `float64`.
  public static var hdf5ElementType: HDF5ElementType { .float64 }
}

/// `Int` values read from and written to HDF5 datasets and attributes, stored as `int64`.
extension Int: HDF5Numeric {
  /// Written as `int64` (or `int32` where `Int` has 32 bits).
  public static var hdf5ElementType: HDF5ElementType {
    MemoryLayout<Int>.size == 8 ? .int64 : .int32
  }
}

/// `Int8` values read from and written to HDF5 datasets and attributes, stored as `int8`.
extension Int8: HDF5Numeric {
  /// Written as `int8`.
  public static var hdf5ElementType: HDF5ElementType { .int8 }
}

/// `Int16` values read from and written to HDF5 datasets and attributes, stored as `int16`.
extension Int16: HDF5Numeric {
  /// Written as `int16`.
  public static var hdf5ElementType: HDF5ElementType { .int16 }
}

/// `Int32` values read from and written to HDF5 datasets and attributes, stored as `int32`.
extension Int32: HDF5Numeric {
  /// Written as `int32`.
  public static var hdf5ElementType: HDF5ElementType { .int32 }
}

/// `Int64` values read from and written to HDF5 datasets and attributes, stored as `int64`.
extension Int64: HDF5Numeric {
  /// Written as `int64`.
  public static var hdf5ElementType: HDF5ElementType { .int64 }
}

/// `UInt8` values read from and written to HDF5 datasets and attributes, stored as `uint8`.
extension UInt8: HDF5Numeric {
  /// Written as `uint8`.
  public static var hdf5ElementType: HDF5ElementType { .uint8 }
}

/// `UInt16` values read from and written to HDF5 datasets and attributes, stored as `uint16`.
extension UInt16: HDF5Numeric {
  /// Written as `uint16`.
  public static var hdf5ElementType: HDF5ElementType { .uint16 }
}

/// `UInt32` values read from and written to HDF5 datasets and attributes, stored as `uint32`.
extension UInt32: HDF5Numeric {
  /// Written as `uint32`.
  public static var hdf5ElementType: HDF5ElementType { .uint32 }
}

/// `UInt64` values read from and written to HDF5 datasets and attributes, stored as `uint64`.
extension UInt64: HDF5Numeric {
  /// Written as `uint64`.
  public static var hdf5ElementType: HDF5ElementType { .uint64 }
}

/// libhdf5's native type for `T`, checked against `T`'s size so a wrong
/// conformance cannot make libhdf5 write past a buffer.
func nativeTypeID<T: HDF5Numeric>(for type: T.Type, _ site: ErrorSite) throws -> hid_t {
  guard let id = T.hdf5ElementType.nativeTypeID, H5Tget_size(id) == MemoryLayout<T>.size else {
    throw site.error(.invalidArgument, "\(T.self) cannot be stored as \(T.hdf5ElementType)")
  }
  return id
}

/// libhdf5's file type for `T`.
func fileTypeID<T: HDF5Numeric>(for type: T.Type, _ site: ErrorSite) throws -> hid_t {
  guard let id = T.hdf5ElementType.fileTypeID else {
    throw site.error(.invalidArgument, "\(T.self) cannot be stored as \(T.hdf5ElementType)")
  }
  return id
}
