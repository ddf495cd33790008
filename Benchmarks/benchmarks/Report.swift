import Foundation

/// One workload's measurements, Swift's and the references' that ran.
struct WorkloadResult: Codable, Sendable {
  /// The workload's name.
  var workload: String
  /// The measurement per runner (`swift`, `keras`, `torch`): the per-figure median over rounds.
  var measurements: [String: Measurement]
  /// Every round's measurement per runner.
  var rounds: [String: [Measurement]]

  /// The measurement of `runner`, if it ran.
  subscript(runner: Runner) -> Measurement? { measurements[runner.rawValue] }
}

/// The whole run as written by `--json`.
struct BenchmarkReport: Codable, Sendable {
  /// When the run started (ISO 8601).
  var date: String
  /// The CPU model (`lscpu` model name) and core count.
  var machine: String
  /// The epochs given on the command line, or nil for each workload's default.
  var epochs: Int?
  /// How many times each workload ran per framework (figures are medians over them).
  var rounds: Int
  /// One entry per workload, in the order run.
  var results: [WorkloadResult]

  /// Writes the report as pretty-printed JSON.
  func write(to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(self).write(to: url)
  }
}

/// A row of the comparison table: a figure, how to read it from a measurement, and its format.
private struct Figure {
  let title: String
  let value: (Measurement) -> Double?
  let format: String
  /// Whether a ratio Swift / reference means anything (not for the contamination figure).
  var hasRatio = true

  static var all: [Figure] {
    [
      Figure(title: "train samples/s", value: \.trainSamplesPerSecond, format: "%.1f"),
      Figure(title: "evaluate samples/s", value: \.evaluateSamplesPerSecond, format: "%.1f"),
      Figure(title: "predict samples/s", value: \.predictSamplesPerSecond, format: "%.1f"),
      Figure(title: "first epoch s", value: \.firstEpochSeconds, format: "%.2f"),
      Figure(title: "final loss", value: \.finalLoss, format: "%.5f"),
      Figure(title: "peak RSS MB", value: \.peakRSSMB, format: "%.1f"),
      Figure(title: "parameters", value: { $0.parameters.map(Double.init) }, format: "%.0f", hasRatio: false),
      Figure(title: "others' CPU s", value: \.othersCPUSeconds, format: "%.1f", hasRatio: false),
    ]
  }
}

extension WorkloadResult {
  /// The comparison table in Markdown: each figure for Swift and each reference that ran, with
  /// the ratio Swift / reference (for throughput higher is better; for seconds, loss and RSS lower;
  /// "others' CPU s" above zero marks a run that shared the machine with another process).
  /// A figure a run did not report prints as `-`.
  func table() -> String {
    let references = [Runner.keras, .torch].filter { self[$0] != nil }
    var header = ["figure", "Swift"]
    for runner in references { header += [runner.title, "Swift/\(runner.title)"] }
    var rows = [header]
    for figure in Figure.all {
      let swift = self[.swift].flatMap(figure.value)
      var row = [figure.title, Self.text(swift, figure.format)]
      for runner in references {
        let reference = self[runner].flatMap(figure.value)
        let ratio = figure.hasRatio ? swift.flatMap { s in reference.flatMap { r in r != 0 ? s / r : nil } } : nil
        row += [Self.text(reference, figure.format), ratio.map { String(format: "%.2fx", $0) } ?? "-"]
      }
      rows.append(row)
    }
    let runs = ([Runner.swift] + references).compactMap { runner in self[runner].map { describe(runner, $0) } }
    var lines = ["\(workload) (" + runs.joined(separator: "; ") + ")"]
    let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    for (index, row) in rows.enumerated() {
      let cells = row.enumerated().map { column, cell in
        column == 0
          ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
          : String(repeating: " ", count: widths[column] - cell.count) + cell
      }
      lines.append("| " + cells.joined(separator: " | ") + " |")
      if index == 0 {
        lines.append(
          "|"
            + widths.enumerated().map { column, width in
              column == 0 ? String(repeating: "-", count: width + 2) : String(repeating: "-", count: width + 1) + ":"
            }.joined(separator: "|") + "|")
      }
    }
    return lines.joined(separator: "\n")
  }

  /// "Keras: keras 3.15.1 / tensorflow, 3 epochs, 2 rounds".
  private func describe(_ runner: Runner, _ measurement: Measurement) -> String {
    let epochs = measurement.epochs.map(String.init) ?? "?"
    return "\(runner.title): \(measurement.framework), \(epochs) epochs, \(rounds[runner.rawValue]?.count ?? 1) rounds"
  }

  private static func text(_ value: Double?, _ format: String) -> String {
    value.map { String(format: format, $0) } ?? "-"
  }
}
