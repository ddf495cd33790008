import Foundation

/// Writes each epoch's logs as a CSV row (`keras.callbacks.CSVLogger`): an `epoch` column, then
/// the logged names sorted, as Keras.
public final class CSVLogger: Callback {
  /// The CSV file written, one row per epoch (Keras' `filename`).
  public let filename: String
  /// The column separator.
  public let separator: String
  /// Whether to add to an existing file rather than replace it.
  public let append: Bool
  private var keys: [String]?
  private var handle: FileHandle?

  /// A logger writing to `filename`.
  public init(_ filename: String, separator: String = ",", append: Bool = false) {
    self.filename = filename
    self.separator = separator
    self.append = append
  }

  public func onTrainBegin(_ logs: Logs) {
    let exists = FileManager.default.fileExists(atPath: filename)
    if !append || !exists { _ = FileManager.default.createFile(atPath: filename, contents: nil) }
    handle = FileHandle(forWritingAtPath: filename)
    handle?.seekToEndOfFile()
    keys = append && exists ? [] : nil
  }

  public func onEpochEnd(_ epoch: Int, _ logs: Logs) {
    if keys == nil || keys == [] {
      let sorted = logs.names.sorted()
      if keys == nil { write((["epoch"] + sorted).joined(separator: separator) + "\n") }
      keys = sorted
    }
    let row = [String(epoch)] + keys!.map { logs[$0].map { "\($0)" } ?? "NA" }
    write(row.joined(separator: separator) + "\n")
  }

  public func onTrainEnd(_ logs: Logs) {
    try? handle?.close()
    handle = nil
  }

  private func write(_ text: String) { handle?.write(Data(text.utf8)) }
}
