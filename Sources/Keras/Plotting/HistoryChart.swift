import Foundation

extension History {
  /// Writes a line chart of the history as SVG to `url`: each of `keys` against the epoch
  /// (1-based, as the progress bar counts), one colour per curve, validation curves dashed.
  /// The file is written atomically.
  ///
  /// With `keys` `nil` every logged name is drawn, each followed by its `val_` twin
  /// (`loss`, `val_loss`, `mae`, `val_mae`).
  ///
  /// ```swift
  /// let history = try model.fit(x, y, epochs: 20, validationSplit: 0.1)
  /// try history.writeSVG(to: "loss.svg", keys: ["loss", "val_loss"])
  /// ```
  ///
  /// - Throws: ``ReportError/emptyHistory(file:)`` when no epoch was recorded,
  ///   ``ReportError/unknownKeys(file:keys:available:)`` for a name the history does not hold,
  ///   ``ReportError/invalidChart(file:reason:)`` when no value is finite, and
  ///   ``ReportError/writeFailed(file:reason:)``.
  public func writeSVG(to url: URL, keys: [String]? = nil, title: String = "Training history") throws {
    try chart(keys: keys, title: title, file: url.path).write(to: url)
  }

  /// Writes a line chart of the history as SVG to the file at `path`; see
  /// ``writeSVG(to:keys:title:)-(URL,[String]?,String)``.
  ///
  /// - Throws: the errors of ``writeSVG(to:keys:title:)-(URL,[String]?,String)``.
  public func writeSVG(to path: String, keys: [String]? = nil, title: String = "Training history") throws {
    try writeSVG(to: URL(fileURLWithPath: path), keys: keys, title: title)
  }

  /// The chart ``writeSVG(to:keys:title:)-(String,[String]?,String)`` writes; `file` names the file in errors.
  func chart(keys: [String]?, title: String, file: String) throws -> SVGChart {
    guard !epochs.isEmpty else { throw ReportError.emptyHistory(file: file) }
    let keys = keys ?? pairedNames()
    let unknown = keys.filter { history[$0] == nil }
    guard unknown.isEmpty else { throw ReportError.unknownKeys(file: file, keys: unknown, available: names) }

    let bases = keys.map { $0.hasPrefix("val_") ? String($0.dropFirst(4)) : $0 }
    let yLabel = Set(bases).count == 1 ? bases[0] : "value"
    var chart = SVGChart(title: title, xLabel: "epoch", yLabel: yLabel, integerXTicks: true)
    for key in keys {
      let values = history[key]!
      let x = epochs.prefix(values.count).map { Double($0 + 1) }
      chart.addSeries(key, x: x, y: values.prefix(x.count).map(Double.init), dashed: key.hasPrefix("val_"))
    }
    return chart
  }

  /// The logged names with `loss` first and each name followed by its `val_` twin.
  private func pairedNames() -> [String] {
    let training = names.filter { $0 == "loss" } + names.filter { $0 != "loss" && !$0.hasPrefix("val_") }
    var ordered: [String] = []
    for name in training {
      ordered.append(name)
      if history["val_" + name] != nil { ordered.append("val_" + name) }
    }
    return ordered + names.filter { !ordered.contains($0) }
  }
}
