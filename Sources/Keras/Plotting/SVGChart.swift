import Foundation

/// A line chart of named series over a shared x axis, written as a self-contained SVG file: no
/// scripts, no external fonts, a `viewBox` so it scales in a browser.
///
/// The y axis runs between "nice" round numbers around the data, the x axis spans the data
/// exactly; both carry round tick values with labels, light grid lines and an axis label. A
/// legend above the plot names each series in its colour. Values that are not finite (a NaN
/// loss) are left out and break the line there.
///
/// ```swift
/// var chart = SVGChart(title: "Sunspots", xLabel: "year", yLabel: "sunspot number")
/// chart.addSeries("truth", x: years, y: truth)
/// chart.addSeries("prediction", x: years, y: predicted)
/// try chart.write(to: "prediction.svg")
/// ```
public struct SVGChart: Sendable {
  /// One named line of the chart: `x[i]`, `y[i]` is its i-th point.
  public struct Series: Sendable {
    /// The name shown in the legend.
    public var name: String
    /// The x values, one per point.
    public var x: [Double]
    /// The y values, one per point.
    public var y: [Double]
    /// An SVG colour (`"#1f77b4"`, `"teal"`); `nil` takes the next colour of ``SVGChart/palette``.
    public var color: String?
    /// Whether the line is dashed (used for validation curves beside their training curve).
    public var dashed: Bool

    /// A series named `name` through the points `(x[i], y[i])`.
    public init(name: String, x: [Double], y: [Double], color: String? = nil, dashed: Bool = false) {
      self.name = name
      self.x = x
      self.y = y
      self.color = color
      self.dashed = dashed
    }
  }

  /// The colours given to series without their own, in order (matplotlib's `tab10`).
  public static let palette = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
  ]

  /// The title above the chart.
  public var title: String
  /// The label under the x axis.
  public var xLabel: String
  /// The label beside the y axis.
  public var yLabel: String
  /// The lines, drawn in order (later ones on top).
  public var series: [Series] = []
  /// The width of the drawing in SVG units (pixels at 100 % zoom).
  public var width: Int
  /// The height of the drawing in SVG units.
  public var height: Int
  /// Whether x ticks fall on whole numbers only (epochs, years).
  public var integerXTicks: Bool

  /// An empty chart; add lines with ``addSeries(_:x:y:color:dashed:)``.
  public init(
    title: String, xLabel: String = "", yLabel: String = "", width: Int = 800, height: Int = 450,
    integerXTicks: Bool = false
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.width = width
    self.height = height
    self.integerXTicks = integerXTicks
  }

  /// Adds a line named `name` through the points `(x[i], y[i])`.
  public mutating func addSeries(
    _ name: String, x: [Double], y: [Double], color: String? = nil, dashed: Bool = false
  ) {
    series.append(Series(name: name, x: x, y: y, color: color, dashed: dashed))
  }

  /// The chart as an SVG document.
  ///
  /// - Throws: ``ReportError/invalidChart(file:reason:)`` when there is no series, a series has
  ///   another number of x than y values, or no value is finite.
  public func svgText() throws -> String { try render(file: nil) }

  /// Writes the chart as an SVG file at `url`, atomically (a temporary file renamed into place).
  ///
  /// - Throws: ``ReportError/invalidChart(file:reason:)`` as ``svgText()``, or
  ///   ``ReportError/writeFailed(file:reason:)``; both name the file.
  public func write(to url: URL) throws {
    try writeTextAtomically(render(file: url.path), to: url)
  }

  /// Writes the chart as an SVG file at `path`; see ``write(to:)-(URL)``.
  ///
  /// - Throws: the errors of ``write(to:)-(URL)``.
  public func write(to path: String) throws { try write(to: URL(fileURLWithPath: path)) }

  // MARK: Layout and drawing

  private static let tickFont = 12.0
  private static let labelFont = 13.0
  private static let titleFont = 16.0
  private static let legendRowHeight = 20.0
  private static let markerLimit = 20

  private func render(file: String?) throws -> String {
    guard !series.isEmpty else { throw ReportError.invalidChart(file: file, reason: "the chart has no series") }
    for line in series where line.x.count != line.y.count {
      throw ReportError.invalidChart(
        file: file, reason: "series '\(line.name)' has \(line.x.count) x values but \(line.y.count) y values")
    }
    let finite = series.flatMap { zip($0.x, $0.y).filter { $0.0.isFinite && $0.1.isFinite } }
    guard let first = finite.first else {
      throw ReportError.invalidChart(file: file, reason: "no series has a finite value to draw")
    }
    var (xLow, xHigh, yLow, yHigh) = (first.0, first.0, first.1, first.1)
    for (x, y) in finite {
      (xLow, xHigh) = (min(xLow, x), max(xHigh, x))
      (yLow, yHigh) = (min(yLow, y), max(yHigh, y))
    }
    if xLow == xHigh { (xLow, xHigh) = (xLow - 1, xHigh + 1) }
    if yLow == yHigh {
      let pad = yLow == 0 ? 1 : abs(yLow) * 0.1
      (yLow, yHigh) = (yLow - pad, yHigh + pad)
    }
    let yAxis = Axis(niceAround: yLow, yHigh, integer: false)
    let xAxis = Axis(spanning: xLow, xHigh, integer: integerXTicks)

    // Margins: title and legend on top, tick labels and axis labels left and below.
    let charWidth = 0.6
    let legend = legendLayout(maxWidth: Double(width) - 80)
    let top = 14 + Self.titleFont + 10 + Double(legend.rows) * Self.legendRowHeight + 8
    let yTickWidth = yAxis.labels.map { Double($0.count) * Self.tickFont * charWidth }.max() ?? 0
    let left = 12 + (yLabel.isEmpty ? 0 : Self.labelFont + 10) + yTickWidth + 10
    let lastXLabel = Double(xAxis.labels.last?.count ?? 0) * Self.tickFont * charWidth
    let right = max(20, lastXLabel / 2 + 8)
    let bottom = 6 + Self.tickFont + 8 + (xLabel.isEmpty ? 0 : Self.labelFont + 10) + 8
    let plot = (x: left, y: top, width: Double(width) - left - right, height: Double(height) - top - bottom)
    func px(_ x: Double) -> Double { plot.x + (x - xAxis.low) / (xAxis.high - xAxis.low) * plot.width }
    func py(_ y: Double) -> Double { plot.y + plot.height - (y - yAxis.low) / (yAxis.high - yAxis.low) * plot.height }

    var svg = """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
      font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
      <title>\(escapeXML(title))</title>
      <rect x="0" y="0" width="\(width)" height="\(height)" fill="white"/>

      """
    svg += text(
      title, x: Double(width) / 2, y: 14 + Self.titleFont, size: Self.titleFont, anchor: "middle",
      extra: #" font-weight="bold" class="title""#)

    // Grid, axes, ticks and tick labels.
    svg += "<g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">\n"
    for v in yAxis.ticks { svg += line(plot.x, py(v), plot.x + plot.width, py(v)) }
    for v in xAxis.ticks { svg += line(px(v), plot.y, px(v), plot.y + plot.height) }
    svg += "</g>\n<g class=\"axes\" stroke=\"#333333\" stroke-width=\"1\">\n"
    svg += line(plot.x, plot.y + plot.height, plot.x + plot.width, plot.y + plot.height)
    svg += line(plot.x, plot.y, plot.x, plot.y + plot.height)
    for v in yAxis.ticks { svg += line(plot.x - 5, py(v), plot.x, py(v)) }
    for v in xAxis.ticks { svg += line(px(v), plot.y + plot.height, px(v), plot.y + plot.height + 5) }
    svg += "</g>\n<g class=\"tick-labels\" fill=\"#333333\">\n"
    for (v, label) in zip(yAxis.ticks, yAxis.labels) {
      svg += text(label, x: plot.x - 8, y: py(v) + Self.tickFont * 0.35, size: Self.tickFont, anchor: "end")
    }
    for (v, label) in zip(xAxis.ticks, xAxis.labels) {
      svg += text(label, x: px(v), y: plot.y + plot.height + 6 + Self.tickFont, size: Self.tickFont, anchor: "middle")
    }
    svg += "</g>\n"
    if !xLabel.isEmpty {
      svg += text(
        xLabel, x: plot.x + plot.width / 2, y: Double(height) - 10, size: Self.labelFont,
        anchor: "middle", extra: #" class="axis-label""#)
    }
    if !yLabel.isEmpty {
      let (x, y) = (12 + Self.labelFont, plot.y + plot.height / 2)
      svg += text(
        yLabel, x: x, y: y, size: Self.labelFont, anchor: "middle",
        extra: " class=\"axis-label\" transform=\"rotate(-90 \(number(x)) \(number(y)))\"")
    }

    // The lines, each one path; short series also get a marker on every point.
    for (index, line) in series.enumerated() {
      let color = escapeXML(line.color ?? Self.palette[index % Self.palette.count])
      var commands: [String] = []
      var penDown = false
      var markers: [(Double, Double)] = []
      for (x, y) in zip(line.x, line.y) {
        guard x.isFinite && y.isFinite else {
          penDown = false
          continue
        }
        commands.append("\(penDown ? "L" : "M")\(number(px(x))),\(number(py(y)))")
        markers.append((px(x), py(y)))
        penDown = true
      }
      let dash = line.dashed ? #" stroke-dasharray="6 4""# : ""
      svg +=
        "<path class=\"series\" data-name=\"\(escapeXML(line.name))\" d=\"\(commands.joined(separator: " "))\" "
        + "fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-linejoin=\"round\"\(dash)/>\n"
      if markers.count <= Self.markerLimit {
        svg += "<g class=\"markers\" fill=\"\(color)\">\n"
        for (x, y) in markers { svg += "<circle cx=\"\(number(x))\" cy=\"\(number(y))\" r=\"3\"/>\n" }
        svg += "</g>\n"
      }
    }

    // The legend: a short line in each series' colour and its name, wrapped into rows.
    svg += "<g class=\"legend\">\n"
    for (index, item) in legend.items.enumerated() {
      let line = series[index]
      let color = escapeXML(line.color ?? Self.palette[index % Self.palette.count])
      let x = plot.x + item.x
      let y = 14 + Self.titleFont + 10 + Double(item.row) * Self.legendRowHeight + Self.legendRowHeight / 2
      let dash = line.dashed ? #" stroke-dasharray="6 4""# : ""
      svg +=
        "<line x1=\"\(number(x))\" y1=\"\(number(y))\" x2=\"\(number(x + 24))\" y2=\"\(number(y))\" "
        + "stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>\n"
      svg += text(line.name, x: x + 30, y: y + Self.tickFont * 0.35, size: Self.tickFont, anchor: "start")
    }
    svg += "</g>\n</svg>\n"
    return svg
  }

  /// Where each legend entry goes: its x offset from the plot's left edge and its row.
  private func legendLayout(maxWidth: Double) -> (items: [(x: Double, row: Int)], rows: Int) {
    var items: [(x: Double, row: Int)] = []
    var (x, row) = (0.0, 0)
    for line in series {
      let itemWidth = 30 + Double(line.name.count) * Self.tickFont * 0.6 + 18
      if x > 0 && x + itemWidth > maxWidth { (x, row) = (0, row + 1) }
      items.append((x, row))
      x += itemWidth
    }
    return (items, row + 1)
  }

  private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) -> String {
    "<line x1=\"\(number(x1))\" y1=\"\(number(y1))\" x2=\"\(number(x2))\" y2=\"\(number(y2))\"/>\n"
  }

  private func text(
    _ content: String, x: Double, y: Double, size: Double, anchor: String, extra: String = ""
  ) -> String {
    "<text x=\"\(number(x))\" y=\"\(number(y))\" font-size=\"\(number(size))\" text-anchor=\"\(anchor)\"\(extra)>"
      + "\(escapeXML(content))</text>\n"
  }

  private func number(_ value: Double) -> String { String(format: "%.2f", value) }
}

/// An axis' range and its round tick values with their labels.
struct Axis {
  /// The value at the axis' start.
  var low: Double
  /// The value at the axis' end.
  var high: Double
  /// The tick values, all within `low...high`.
  var ticks: [Double]
  /// Each tick's label, with as many decimals as the tick step needs.
  var labels: [String]

  /// An axis from a round number at or below `low` to one at or above `high`.
  init(niceAround low: Double, _ high: Double, integer: Bool) {
    let step = Axis.niceStep(for: high - low, integer: integer)
    self.init(low: (low / step).rounded(.down) * step, high: (high / step).rounded(.up) * step, step: step)
  }

  /// An axis from exactly `low` to `high`, with round ticks inside.
  init(spanning low: Double, _ high: Double, integer: Bool) {
    self.init(low: low, high: high, step: Axis.niceStep(for: high - low, integer: integer))
  }

  private init(low: Double, high: Double, step: Double) {
    self.low = low
    self.high = high
    var ticks: [Double] = []
    var k = (low / step - 1e-9).rounded(.up)
    while k * step <= high + step * 1e-9 {
      ticks.append(k * step == 0 ? 0 : k * step)
      k += 1
    }
    self.ticks = ticks
    let magnitude = max(abs(low), abs(high))
    if magnitude >= 1e6 || (magnitude < 1e-3 && magnitude > 0) {
      labels = ticks.map { String(format: "%.3g", $0) }
    } else {
      var decimals = 0
      while decimals < 6 && abs(step * pow(10, Double(decimals)) - (step * pow(10, Double(decimals))).rounded()) > 1e-6
      {
        decimals += 1
      }
      labels = ticks.map { String(format: "%.\(decimals)f", $0) }
    }
  }

  /// 1, 2, 2.5 or 5 times a power of ten, giving about six ticks over `range`.
  static func niceStep(for range: Double, integer: Bool) -> Double {
    let rough = range / 5
    let power = pow(10, (log10(rough)).rounded(.down))
    let fraction = rough / power
    let nice: Double = fraction < 1.5 ? 1 : fraction < 2.25 ? 2 : fraction < 3.5 ? 2.5 : fraction < 7.5 ? 5 : 10
    let step = nice * power
    guard integer else { return step }
    return step < 1 ? 1 : step == step.rounded() ? step : step * 2
  }
}

/// `text` with `&`, `<`, `>`, `"` and `'` escaped and characters XML 1.0 forbids dropped, so it
/// can stand in SVG text and attribute values.
func escapeXML(_ text: String) -> String {
  var escaped = ""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "&": escaped += "&amp;"
    case "<": escaped += "&lt;"
    case ">": escaped += "&gt;"
    case "\"": escaped += "&quot;"
    case "'": escaped += "&apos;"
    case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
    default:
      if scalar.value >= 0x20 && scalar.value != 0xFFFE && scalar.value != 0xFFFF {
        escaped.unicodeScalars.append(scalar)
      }
    }
  }
  return escaped
}
