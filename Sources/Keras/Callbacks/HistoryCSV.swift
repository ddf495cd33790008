import Foundation

extension History {
  /// Writes the history as CSV to `url`, as `keras.callbacks.CSVLogger` would have written it
  /// during training: a header `epoch` then the logged names sorted (`epoch,loss,mae,val_loss,val_mae`),
  /// one row per epoch with the 0-based epoch and each value in its shortest exact form (`NA`
  /// where a name has no value for that epoch). The file is written atomically.
  ///
  /// - Throws: ``ReportError/emptyHistory(file:)`` when no epoch was recorded,
  ///   ``ReportError/writeFailed(file:reason:)`` when the file cannot be written.
  public func writeCSV(to url: URL, separator: String = ",") throws {
    guard !epochs.isEmpty else { throw ReportError.emptyHistory(file: url.path) }
    try writeTextAtomically(csvText(separator: separator), to: url)
  }

  /// Writes the history as CSV to the file at `path`; see ``writeCSV(to:separator:)-(URL,String)``.
  ///
  /// - Throws: ``ReportError/emptyHistory(file:)`` when no epoch was recorded,
  ///   ``ReportError/writeFailed(file:reason:)`` when the file cannot be written.
  public func writeCSV(to path: String, separator: String = ",") throws {
    try writeCSV(to: URL(fileURLWithPath: path), separator: separator)
  }

  /// The CSV text of ``writeCSV(to:separator:)-(String,String)``.
  func csvText(separator: String = ",") -> String {
    let columns = names.sorted()
    var text = (["epoch"] + columns).joined(separator: separator) + "\n"
    for (row, epoch) in epochs.enumerated() {
      let values = columns.map { name in
        let values = history[name] ?? []
        return row < values.count ? "\(values[row])" : "NA"
      }
      text += ([String(epoch)] + values).joined(separator: separator) + "\n"
    }
    return text
  }
}
