import AtomicFile
import Foundation

/// Reading and writing NumPy `.npy` files, so data moves to and from NumPy.
///
/// Reads little- and big-endian `float32`, `float64` (narrowed to Float32),
/// `int32`, `int64`, `int16`, `int8`, `uint8` and `bool`, C or Fortran order, format
/// versions 1–3. Writes version 1.0, `<f4` for ``Tensor`` and `<i4` for ``IntTensor``.
public enum NPY {
  /// The element types a `.npy` file may hold that this reader accepts.
  public enum ElementType: Sendable {
    case float32, float64, int8, int16, int32, int64, uint8, bool

    /// The type of a `descr` such as `<f4` (the byte order is read apart), or `nil`.
    public init?(descr: String) {
      let kind = descr.dropFirst()
      switch kind {
      case "f4": self = .float32
      case "f8": self = .float64
      case "i1": self = .int8
      case "i2": self = .int16
      case "i4": self = .int32
      case "i8": self = .int64
      case "u1": self = .uint8
      case "b1": self = .bool
      default: return nil
      }
    }

    /// Bytes per element.
    public var size: Int {
      switch self {
      case .int8, .uint8, .bool: 1
      case .int16: 2
      case .float32, .int32: 4
      case .float64, .int64: 8
      }
    }
  }

  /// A parsed header: element type, byte order, layout and shape, and where the data starts.
  public struct Header: Sendable {
    public var type: ElementType
    public var bigEndian: Bool
    public var fortranOrder: Bool
    public var shape: [Int]
    /// Bytes from the file's start to the first element.
    public var dataOffset: Int
  }

  /// Reads a float tensor from `path` (integers are converted to Float).
  ///
  /// - Throws: ``TensorError/file(path:_:)`` naming the file and what is wrong with it.
  public static func read(_ path: String) throws -> Tensor {
    let (header, data) = try load(path)
    return try tensor(header, data, path: path)
  }

  /// Decodes the bytes of a `.npy` file (an entry of an `.npz` archive, say) into a float tensor;
  /// `source` names them in errors.
  ///
  /// - Throws: ``TensorError/file(path:_:)`` naming `source` and what is wrong with the bytes.
  public static func decode(_ data: Data, source: String) throws -> Tensor {
    try tensor(try parseHeader(data, path: source), data, path: source)
  }

  /// Decodes the bytes of a `.npy` file into an integer tensor; float arrays must hold whole numbers.
  ///
  /// - Throws: ``TensorError/file(path:_:)`` naming `source`, as ``readInts(_:)-(String)``.
  public static func decodeInts(_ data: Data, source: String) throws -> IntTensor {
    try integers(of: try decode(data, source: source), path: source)
  }

  private static func tensor(_ header: Header, _ data: Data, path: String) throws -> Tensor {
    let values = try decode(header, data, path: path)
    return try order(Tensor(shape: header.fortranOrder ? header.shape.reversed() : header.shape, scalars: values), header)
  }

  /// Reads an integer tensor (token ids, labels) from `path`; float files must hold whole numbers.
  public static func readInts(_ path: String) throws -> IntTensor {
    try integers(of: try read(path), path: path)
  }

  /// The whole numbers of `tensor` read from `path`.
  private static func integers(of tensor: Tensor, path: String) throws -> IntTensor {
    do {
      let ints = try IntTensor(tensor)
      guard zip(ints.scalars, tensor.scalars).allSatisfy({ Float($0) == $1 }) else {
        throw TensorError.file(path: path, "holds non-integer values where integers were expected")
      }
      return ints
    } catch let error as TensorError {
      if case .file = error { throw error }
      throw TensorError.file(path: path, "\(error)")
    }
  }

  /// Writes `tensor` to `path` as `<f4`, atomically (a temporary file renamed into place).
  public static func write(_ tensor: Tensor, to path: String) throws {
    try write(encode(tensor), to: path)
  }

  /// Writes `ints` to `path` as `<i4`, atomically.
  public static func write(_ ints: IntTensor, to path: String) throws {
    try write(encode(ints), to: path)
  }

  /// The bytes of a `.npy` file (version 1.0, `<f4`) holding `tensor`, as `np.save` writes them.
  public static func encode(_ tensor: Tensor) -> Data {
    var body = Data(capacity: tensor.count * 4)
    tensor.withUnsafeBufferPointer { buffer in
      for v in buffer { withUnsafeBytes(of: v.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
    }
    return encode(descr: "<f4", shape: tensor.shape, body: body)
  }

  /// The bytes of a `.npy` file (version 1.0, `<i4`) holding `ints`.
  public static func encode(_ ints: IntTensor) -> Data {
    var body = Data(capacity: ints.count * 4)
    for v in ints.scalars { withUnsafeBytes(of: v.littleEndian) { body.append(contentsOf: $0) } }
    return encode(descr: "<i4", shape: ints.shape, body: body)
  }

  private static func write(_ file: Data, to path: String) throws {
    do {
      try AtomicFile.write(Array(file), to: path)
    } catch {
      throw TensorError.file(path: path, "cannot write: \(error)")
    }
  }

  private static func encode(descr: String, shape: [Int], body: Data) -> Data {
    let shapeText = shape.isEmpty ? "()" : shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
    // Pad so magic (6) + version (2) + length (2) + header + "\n" is a multiple of 64.
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var file = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
    let length = UInt16(header.utf8.count)
    file.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
    file.append(contentsOf: Array(header.utf8))
    file.append(body)
    return file
  }

  private static func load(_ path: String) throws -> (Header, Data) {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
    } catch {
      throw TensorError.file(path: path, "cannot read: \(FileManager.default.fileExists(atPath: path) ? "unreadable" : "no such file")")
    }
    return (try parseHeader(data, path: path), data)
  }

  /// The header of the `.npy` bytes `data` (the whole file, which may be memory-mapped: only
  /// the header is read), checked against the file's length; `path` names the file in errors.
  ///
  /// `elementLimit` bounds the element count (a tensor's, by default; a reader of a few rows at
  /// a time may allow more).
  ///
  /// - Throws: ``TensorError/file(path:_:)`` for a missing magic, an unsupported version or
  ///   dtype, a malformed header, or too few data bytes for the shape.
  public static func parseHeader(_ data: Data, path: String, elementLimit: Int = Int(Int32.max)) throws -> Header {
    let bytes = [UInt8](data.prefix(12))
    guard bytes.count >= 10, bytes[0] == 0x93, bytes[1...5].elementsEqual("NUMPY".utf8) else {
      throw TensorError.file(path: path, "not a .npy file (missing the \\x93NUMPY magic)")
    }
    let major = bytes[6]
    let headerLength: Int
    let start: Int
    switch major {
    case 1:
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      start = 10
    case 2, 3:
      guard bytes.count >= 12 else { throw TensorError.file(path: path, "truncated .npy header") }
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
      start = 12
    default:
      throw TensorError.file(path: path, "unsupported .npy format version \(major)")
    }
    guard data.count >= start + headerLength else { throw TensorError.file(path: path, "truncated .npy header") }
    guard let text = String(data: data.subdata(in: (data.startIndex + start)..<(data.startIndex + start + headerLength)), encoding: .utf8)
    else { throw TensorError.file(path: path, "the .npy header is not text") }

    func value(of key: String) throws -> String {
      guard let keyRange = text.range(of: "'\(key)':") else {
        throw TensorError.file(path: path, "the .npy header has no '\(key)' entry: \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
      }
      let rest = text[keyRange.upperBound...].drop(while: { $0 == " " })
      if rest.first == "(" {
        guard let close = rest.firstIndex(of: ")") else { throw TensorError.file(path: path, "malformed shape in the .npy header") }
        return String(rest[rest.startIndex...close])
      }
      let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) ?? rest.endIndex
      return rest[..<end].trimmingCharacters(in: CharacterSet(charactersIn: " '\""))
    }

    let descr = try value(of: "descr")
    guard let type = ElementType(descr: descr), let order = descr.first, "<>|=".contains(order) else {
      throw TensorError.file(path: path, "unsupported dtype '\(descr)' (expected float32, float64, int8-64, uint8 or bool)")
    }
    let fortran = try value(of: "fortran_order")
    guard fortran == "True" || fortran == "False" else { throw TensorError.file(path: path, "malformed fortran_order '\(fortran)'") }
    let shapeText = try value(of: "shape").trimmingCharacters(in: CharacterSet(charactersIn: "() "))
    var shape: [Int] = []
    for piece in shapeText.split(separator: ",") {
      let trimmed = piece.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty { continue }
      guard let d = Int(trimmed.hasSuffix("L") ? String(trimmed.dropLast()) : trimmed), d >= 0, d < 1 << 40 else {
        throw TensorError.file(path: path, "malformed shape '\(shapeText)' in the .npy header")
      }
      shape.append(d)
    }
    let (count, overflow) = shape.reduce((1, false)) { acc, d in
      let (p, o) = acc.0.multipliedReportingOverflow(by: d)
      return (p, acc.1 || o)
    }
    let dataOffset = start + headerLength
    guard !overflow, count.multipliedReportingOverflow(by: type.size).partialValue <= data.count - dataOffset,
      count < elementLimit
    else {
      throw TensorError.file(
        path: path, "holds \(data.count - dataOffset) data bytes, too few for shape \(shape) of \(descr) (file truncated?)")
    }
    return Header(type: type, bigEndian: order == ">", fortranOrder: fortran == "True", shape: shape, dataOffset: dataOffset)
  }

  private static func decode(_ header: Header, _ data: Data, path: String) throws -> [Float] {
    let count = Shape.count(header.shape)
    let size = header.type.size
    return data.withUnsafeBytes { raw -> [Float] in
      let base = raw.baseAddress! + header.dataOffset
      func word<T: FixedWidthInteger>(_ i: Int, _: T.Type) -> T {
        let v = base.loadUnaligned(fromByteOffset: i * size, as: T.self)
        return header.bigEndian ? T(bigEndian: v) : T(littleEndian: v)
      }
      return (0..<count).map { i -> Float in
        switch header.type {
        case .float32: Float(bitPattern: word(i, UInt32.self))
        case .float64: Float(Double(bitPattern: word(i, UInt64.self)))
        case .int8: Float(Int8(bitPattern: base.load(fromByteOffset: i, as: UInt8.self)))
        case .uint8: Float(base.load(fromByteOffset: i, as: UInt8.self))
        case .bool: base.load(fromByteOffset: i, as: UInt8.self) != 0 ? 1 : 0
        case .int16: Float(word(i, Int16.self))
        case .int32: Float(word(i, Int32.self))
        case .int64: Float(word(i, Int64.self))
        }
      }
    }
  }

  /// A Fortran-ordered array was read with its shape reversed: transpose it back.
  private static func order(_ tensor: Tensor, _ header: Header) throws -> Tensor {
    header.fortranOrder && tensor.rank > 1 ? tensor.transposed() : tensor
  }
}

extension NPY {
  /// Reads a float tensor from the `.npy` file at `url`; see ``read(_:)-(String)``.
  ///
  /// - Throws: ``TensorError/file(path:_:)`` for a URL that is not a file URL, or as ``read(_:)-(String)``.
  public static func read(_ url: URL) throws -> Tensor { try read(try filePath(url)) }

  /// Reads an integer tensor from the `.npy` file at `url`; see ``readInts(_:)-(String)``.
  ///
  /// - Throws: ``TensorError/file(path:_:)`` for a URL that is not a file URL, or as ``readInts(_:)-(String)``.
  public static func readInts(_ url: URL) throws -> IntTensor { try readInts(try filePath(url)) }

  /// Writes `tensor` to the file at `url` as `<f4`, atomically.
  ///
  /// - Throws: ``TensorError/file(path:_:)`` for a URL that is not a file URL or a file that cannot be written.
  public static func write(_ tensor: Tensor, to url: URL) throws { try write(tensor, to: try filePath(url)) }

  /// Writes `ints` to the file at `url` as `<i4`, atomically.
  ///
  /// - Throws: ``TensorError/file(path:_:)`` for a URL that is not a file URL or a file that cannot be written.
  public static func write(_ ints: IntTensor, to url: URL) throws { try write(ints, to: try filePath(url)) }

  /// The path of a file URL.
  private static func filePath(_ url: URL) throws -> String {
    guard url.isFileURL else {
      throw TensorError.file(path: url.absoluteString, "not a file URL; pass a path, or URL(fileURLWithPath:)")
    }
    return url.path
  }
}
