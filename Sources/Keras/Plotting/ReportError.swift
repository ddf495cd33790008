import Foundation

/// An error from writing a training report (a history CSV or an SVG chart), naming the file.
public enum ReportError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The history holds no epoch, so there is nothing to write to `file`.
  case emptyHistory(file: String)
  /// Names asked for that the history does not hold; `available` lists the ones it does.
  case unknownKeys(file: String, keys: [String], available: [String])
  /// The chart cannot be drawn (no series, x and y of different lengths, no finite value);
  /// `file` is `nil` when rendering to a string.
  case invalidChart(file: String?, reason: String)
  /// The file could not be written (no such directory, no permission, disk full, ...).
  case writeFailed(file: String, reason: String)

  /// A message naming the file and what is wrong.
  public var description: String {
    switch self {
    case .emptyHistory(let file):
      return "Cannot write '\(file)': the history is empty (fit ran no epoch)"
    case .unknownKeys(let file, let keys, let available):
      return "Cannot write '\(file)': the history has no \(keys.map { "'\($0)'" }.joined(separator: ", ")); "
        + "it holds [\(available.joined(separator: ", "))]"
    case .invalidChart(let file, let reason):
      return "Cannot draw chart\(file.map { " '\($0)'" } ?? ""): \(reason)"
    case .writeFailed(let file, let reason):
      return "Cannot write '\(file)': \(reason)"
    }
  }
}

extension ReportError: LocalizedError {
  /// The message of `description`, so that `error.localizedDescription` shows it too (Foundation
  /// would otherwise print "The operation could not be completed").
  public var errorDescription: String? { description }
}
