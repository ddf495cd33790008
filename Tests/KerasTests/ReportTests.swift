import Foundation
import Testing

@testable import Keras

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Three epochs with exactly representable values: loss = 1/2^e, mae = 0.75 - 0.25·e,
/// val_loss = 2·loss, val_mae = mae + 0.125, logged in Keras' order (metrics, loss, val_...).
private func knownHistory() -> History {
  let history = History()
  for epoch in 0..<3 {
    let loss = 1 / Float(1 << epoch)
    let mae = 0.75 - 0.25 * Float(epoch)
    history.onEpochEnd(epoch, Logs([("mae", mae), ("loss", loss), ("val_mae", mae + 0.125), ("val_loss", 2 * loss)]))
  }
  return history
}

/// A fresh empty directory under the system's temporary directory.
private func scratchDirectory() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("swiftkeras-report-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// The elements of an SVG document as parsed by Foundation's XML parser: each element's name,
/// attributes and text, in document order; `nil` when the document is not well-formed XML.
private func parseXML(_ text: String) -> [(name: String, attributes: [String: String], text: String)]? {
  final class Collector: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String], text: String)] = []
    var open: [Int] = []
    func parser(
      _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
      attributes: [String: String] = [:]
    ) {
      open.append(elements.count)
      elements.append((elementName, attributes, ""))
    }
    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
      open.removeLast()
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) {
      if let index = open.last { elements[index].text += string }
    }
  }
  let parser = XMLParser(data: Data(text.utf8))
  let collector = Collector()
  parser.delegate = collector
  return parser.parse() ? collector.elements : nil
}

/// The points of an SVG path's `d` (`M x,y L x,y ...`), one per command.
private func pointCount(_ path: String) -> Int {
  path.split(separator: " ").filter { $0.hasPrefix("M") || $0.hasPrefix("L") }.count
}

@Suite("History reports and SVG charts")
struct ReportTests {
  @Test("writeCSV writes CSVLogger's columns: epoch, then the names sorted, one row per epoch")
  func csvContent() throws {
    let directory = try scratchDirectory()
    let url = directory.appendingPathComponent("history.csv")
    try knownHistory().writeCSV(to: url)
    let expected = """
      epoch,loss,mae,val_loss,val_mae
      0,1.0,0.75,2.0,0.875
      1,0.5,0.5,1.0,0.625
      2,0.25,0.25,0.5,0.375

      """
    #expect(try String(contentsOf: url, encoding: .utf8) == expected)
  }

  @Test("writeCSV replaces an existing file and leaves no temporary file behind")
  func csvReplacesAtomically() throws {
    let directory = try scratchDirectory()
    let url = directory.appendingPathComponent("history.csv")
    try Data("old contents that are longer than the new ones".utf8).write(to: url)
    try knownHistory().writeCSV(to: url, separator: ";")
    #expect(try String(contentsOf: url, encoding: .utf8).hasPrefix("epoch;loss;mae;val_loss;val_mae\n0;1.0;"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["history.csv"])
  }

  @Test("An empty history throws an error naming the file, for CSV and SVG")
  func emptyHistory() throws {
    let directory = try scratchDirectory()
    let csv = directory.appendingPathComponent("empty.csv")
    let svg = directory.appendingPathComponent("empty.svg")
    #expect(throws: ReportError.emptyHistory(file: csv.path)) { try History().writeCSV(to: csv) }
    #expect(throws: ReportError.emptyHistory(file: svg.path)) { try History().writeSVG(to: svg) }
    #expect(ReportError.emptyHistory(file: csv.path).description.contains(csv.path))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
  }

  @Test("Writing into a missing directory throws writeFailed naming the file")
  func unwritablePath() throws {
    let url = try scratchDirectory().appendingPathComponent("no-such-directory/loss.svg")
    do {
      try knownHistory().writeSVG(to: url)
      Issue.record("writeSVG into a missing directory did not throw")
    } catch let error as ReportError {
      guard case .writeFailed(let file, _) = error else { throw error }
      #expect(file == url.path)
      #expect(error.description.contains(url.path))
    }
    #expect(!FileManager.default.fileExists(atPath: url.path))
  }

  @Test("writeSVG draws well-formed SVG: one path per key with a point per epoch, axis labels, legend")
  func historySVG() throws {
    let url = try scratchDirectory().appendingPathComponent("loss.svg")
    try knownHistory().writeSVG(to: url, keys: ["loss", "val_loss"], title: "Loss")
    let elements = try #require(parseXML(try String(contentsOf: url, encoding: .utf8)))
    let root = try #require(elements.first)
    #expect(root.name == "svg" && root.attributes["viewBox"] == "0 0 800 450")
    let paths = elements.filter { $0.name == "path" }
    #expect(paths.map { $0.attributes["data-name"] } == ["loss", "val_loss"])
    #expect(paths.map { pointCount($0.attributes["d"] ?? "") } == [3, 3])
    #expect(paths[0].attributes["stroke-dasharray"] == nil && paths[1].attributes["stroke-dasharray"] != nil)
    let texts = elements.filter { $0.name == "text" }.map(\.text)
    for label in ["Loss", "epoch", "loss", "val_loss", "1", "2", "3"] { #expect(texts.contains(label), "\(label)") }
  }

  @Test("writeSVG without keys draws every name, each followed by its val_ twin")
  func historySVGDefaultKeys() throws {
    let chart = try knownHistory().chart(keys: nil, title: "History", file: "h.svg")
    #expect(chart.series.map(\.name) == ["loss", "val_loss", "mae", "val_mae"])
    #expect(chart.series[0].x == [1, 2, 3])
    #expect(chart.yLabel == "value")
  }

  @Test("writeSVG with a key the history lacks throws unknownKeys listing what it holds")
  func unknownKey() throws {
    #expect(
      throws: ReportError.unknownKeys(
        file: "h.svg", keys: ["accuracy"], available: ["mae", "loss", "val_mae", "val_loss"])
    ) { try knownHistory().chart(keys: ["loss", "accuracy"], title: "", file: "h.svg") }
  }

  @Test("SVGChart escapes text so titles and names with <, & and quotes stay well-formed")
  func escapedText() throws {
    var chart = SVGChart(title: #"a < b & "c" 'd'"#, xLabel: "x > 0", yLabel: "y")
    chart.addSeries("<truth> & \"more\"", x: [0, 1], y: [1, 2])
    let elements = try #require(parseXML(try chart.svgText()))
    let texts = elements.filter { $0.name == "text" }.map(\.text)
    #expect(texts.contains(#"a < b & "c" 'd'"#))
    #expect(texts.contains("x > 0"))
    #expect(elements.first { $0.name == "path" }?.attributes["data-name"] == "<truth> & \"more\"")
  }

  @Test("SVGChart leaves out non-finite values, breaking the line there")
  func nonFiniteValues() throws {
    var chart = SVGChart(title: "gaps")
    chart.addSeries("a", x: [0, 1, 2, 3], y: [1, .nan, 3, 4])
    let path = try #require(parseXML(try chart.svgText())?.first { $0.name == "path" }?.attributes["d"])
    #expect(path.split(separator: " ").map { $0.first! } == ["M", "M", "L"])
  }

  @Test("SVGChart throws invalidChart without series, with unequal x and y, or with no finite value")
  func invalidCharts() throws {
    #expect(throws: ReportError.invalidChart(file: nil, reason: "the chart has no series")) {
      try SVGChart(title: "t").svgText()
    }
    var unequal = SVGChart(title: "t")
    unequal.addSeries("s", x: [0, 1], y: [1])
    #expect(throws: ReportError.invalidChart(file: nil, reason: "series 's' has 2 x values but 1 y values")) {
      try unequal.svgText()
    }
    var empty = SVGChart(title: "t")
    empty.addSeries("s", x: [0], y: [.infinity])
    let url = try scratchDirectory().appendingPathComponent("c.svg")
    #expect(throws: ReportError.invalidChart(file: url.path, reason: "no series has a finite value to draw")) {
      try empty.write(to: url)
    }
  }

  @Test("Axes get round ticks: the y axis widens to them, the x axis keeps the data range")
  func niceTicks() {
    let y = Axis(niceAround: 0.013, 0.078, integer: false)
    #expect(abs(y.low - 0.01) < 1e-12 && abs(y.high - 0.08) < 1e-12)
    #expect(y.labels == ["0.01", "0.02", "0.03", "0.04", "0.05", "0.06", "0.07", "0.08"])
    let x = Axis(spanning: 1700, 2008, integer: true)
    #expect((x.low, x.high) == (1700, 2008))
    #expect(x.labels == ["1700", "1750", "1800", "1850", "1900", "1950", "2000"])
    let epochs = Axis(spanning: 1, 3, integer: true)
    #expect(epochs.labels == ["1", "2", "3"])
    let quarters = Axis(niceAround: 0, 12, integer: false)
    #expect(quarters.labels == ["0.0", "2.5", "5.0", "7.5", "10.0", "12.5"])
  }
}
