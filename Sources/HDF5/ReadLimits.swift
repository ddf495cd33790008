import CHDF5

/// Bounds checked before a read allocates, so a hostile or corrupt file that
/// declares a huge shape or string gets an error instead of an allocation.
///
/// Variable-length strings are bounded as libhdf5 allocates them, through
/// the dataset transfer list; attribute reads take no transfer list, so a
/// variable-length string attribute is bounded only by its element count.
enum ReadLimits {
  /// At most 2^31 elements per dataset or attribute.
  static let maxElements = 1 << 31
  /// At most 64 MiB per string (fixed-length size or variable-length value).
  static let maxStringBytes = Int(shim_max_string_bytes())
  /// Stored bytes may exceed the file size by this much: data never
  /// written reads as fill values without taking space in the file.
  static let unstoredSlackBytes = 16 << 20
  /// Compressed (filtered) datasets may expand this much (gzip's best ratio
  /// is about 1000:1).
  static let filteredExpansion = 4096

  /// Throws `limitExceeded` unless `count` elements of `elementSize` stored
  /// bytes each could come from a file of `fileSize` bytes.
  static func check(count: Int, elementSize: Int, fileSize: Int, filtered: Bool, _ site: ErrorSite)
    throws
  {
    guard count <= maxElements else {
      throw site.error(.limitExceeded, "\(count) elements exceed the limit of \(maxElements)")
    }
    let (bytes, overflow) = count.multipliedReportingOverflow(by: max(elementSize, 1))
    let expansion = filtered ? filteredExpansion : 1
    let (capacity, capacityOverflow) = fileSize.multipliedReportingOverflow(by: expansion)
    let (withSlack, slackOverflow) = capacity.addingReportingOverflow(unstoredSlackBytes)
    let allowed = capacityOverflow || slackOverflow ? Int.max : withSlack
    guard !overflow, bytes <= allowed else {
      throw site.error(
        .limitExceeded,
        "\(count) elements of \(elementSize) bytes are more than a file of \(fileSize) bytes can hold"
      )
    }
  }
}
