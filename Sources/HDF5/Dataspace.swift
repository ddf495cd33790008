import CHDF5

/// Dataspaces: the shape of a dataset or attribute.
enum Dataspace {
  /// Creates a dataspace for `shape` (`[]` is a scalar). Close it with
  /// `H5Sclose`. Call with the lock held.
  static func create(shape: [Int], _ site: ErrorSite) throws -> hid_t {
    let space: hid_t
    if shape.isEmpty {
      space = H5Screate(H5S_SCALAR)
    } else {
      let dimensions = shape.map { hsize_t($0) }
      space = H5Screate_simple(Int32(shape.count), dimensions, nil)
    }
    guard space >= 0 else {
      throw site.libraryError(.invalidArgument, "cannot make a dataspace of shape \(shape)")
    }
    return space
  }

  /// The shape of `space`: `[]` for a scalar, `[0]` for an empty (null)
  /// dataspace. Throws when a dimension or the element count does not fit
  /// in an `Int`.
  static func shape(of space: hid_t, _ site: ErrorSite) throws -> [Int] {
    switch H5Sget_simple_extent_type(space) {
    case H5S_SCALAR: return []
    case H5S_NULL: return [0]
    case H5S_SIMPLE: break
    default: throw site.libraryError(.corruptFile, "cannot read the dataspace")
    }
    let rank = H5Sget_simple_extent_ndims(space)
    guard rank >= 0, rank <= 32 else {
      throw site.libraryError(.corruptFile, "cannot read the dataspace")
    }
    var dimensions = [hsize_t](repeating: 0, count: Int(rank))
    guard H5Sget_simple_extent_dims(space, &dimensions, nil) >= 0 else {
      throw site.libraryError(.corruptFile, "cannot read the dataspace")
    }
    let shape = dimensions.map { Int(clamping: $0) }
    _ = try elementCount(of: shape, site)
    return shape
  }

  /// The number of elements of `shape`, throwing on a negative dimension or
  /// an overflowing product.
  static func elementCount(of shape: [Int], _ site: ErrorSite) throws -> Int {
    var count = 1
    for dimension in shape {
      guard dimension >= 0 else {
        throw site.error(.invalidArgument, "shape \(shape) has a negative dimension")
      }
      let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
      guard !overflow else {
        throw site.error(.limitExceeded, "shape \(shape) has too many elements")
      }
      count = product
    }
    return count
  }

  /// Throws `shapeMismatch` unless `count` values fill `shape` exactly.
  static func checkFill(count: Int, shape: [Int], _ site: ErrorSite) throws {
    let expected = try elementCount(of: shape, site)
    guard count == expected else {
      throw site.error(
        .shapeMismatch, "\(count) values do not fill shape \(shape) (\(expected) elements)")
    }
  }
}
