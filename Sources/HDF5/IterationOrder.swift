import CHDF5

/// The order in which `names(order:)` and `attributeNames(order:)` list.
public enum HDF5IterationOrder: Sendable {
  /// Creation order when the file tracks it (files this module writes, and
  /// h5py's `track_order=True` groups), else name order.
  case creation
  /// Byte-wise ascending name order, h5py's default.
  case name
}

/// Names read by index from a group's links or an object's attributes: in
/// creation order when the object tracks it, else in name order (which
/// `order: .name` asks for directly).
///
/// - Parameter nameAt: fills `buffer` (of `size` bytes) with the name at
///   `index` in `indexType` order, returning the name's length or -1.
func indexedNames(
  count: Int, order: HDF5IterationOrder, _ site: ErrorSite,
  nameAt: (
    _ indexType: H5_index_t, _ index: hsize_t, _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int
  ) -> Int
) throws -> [String] {
  func names(_ indexType: H5_index_t) -> [String]? {
    var result: [String] = []
    result.reserveCapacity(count)
    for index in 0..<count {
      let length = nameAt(indexType, hsize_t(index), nil, 0)
      guard length >= 0, length <= ReadLimits.maxStringBytes else { return nil }
      var buffer = [CChar](repeating: 0, count: length + 1)
      guard nameAt(indexType, hsize_t(index), &buffer, length + 1) >= 0 else { return nil }
      result.append(
        String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return result
  }
  if order == .creation, let inCreationOrder = names(H5_INDEX_CRT_ORDER) { return inCreationOrder }
  _ = takeLibraryErrorMessage()
  guard let inNameOrder = names(H5_INDEX_NAME) else {
    throw site.libraryError(.corruptFile, "cannot read the names")
  }
  return inNameOrder
}
