#if canImport(Glibc)
  import Glibc
#endif
import Foundation

extension Sequential {
  /// Prints the Keras summary table: each layer's name (type), output shape and parameter
  /// count, then the totals (`model.summary()`).
  ///
  /// The width is Keras': `min(88, terminal columns - 4)`, with the terminal width taken from
  /// `COLUMNS`, then the terminal, then 80.
  public func summary(lineLength: Int? = nil) {
    print(summaryText(lineLength: lineLength), terminator: "")
  }

  /// Keras' table width for a terminal of `columns`: `min(88, columns - 4)`.
  public static func summaryLineLength(columns: Int) -> Int { Swift.min(88, columns - 4) }

  /// The summary as text, one line per row, ending in a newline.
  public func summaryText(lineLength: Int? = nil) -> String {
    let width = lineLength ?? Sequential.summaryLineLength(columns: terminalColumns())
    let shapes = (try? outputShapes()) ?? nil
    let rows: [[String]] = layers.enumerated().map { i, layer in
      let shape = shapes.map { kerasShapeTuple($0[i]) } ?? "?"
      let params = layer.isBuilt ? grouped(layer.countParams()) : "0 (unbuilt)"
      return ["\(layer.name) (\(type(of: layer).className))", shape, params]
    }
    var text = "Model: \"\(name)\"\n"
    text += SummaryTable(width: width).render(header: ["Layer (type)", "Output Shape", "Param #"], rows: rows)
    let trainable = trainableWeights.reduce(0) { $0 + $1.value.count }
    let frozen = nonTrainableWeights.reduce(0) { $0 + $1.value.count }
    text += " Total params: \(grouped(trainable + frozen)) (\(readableSize((trainable + frozen) * 4)))\n"
    text += " Trainable params: \(grouped(trainable)) (\(readableSize(trainable * 4)))\n"
    text += " Non-trainable params: \(grouped(frozen)) (\(readableSize(frozen * 4)))\n"
    return text
  }
}

/// Keras' shape text in summaries: `(None, 60, 50)` (and `(None,)`-style for rank 1 never occurs there).
func kerasShapeTuple(_ shape: [Int?]) -> String {
  "(" + shape.map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + ")"
}

/// `30651` → `30,651`.
func grouped(_ n: Int) -> String {
  let digits = String(n)
  var out = ""
  for (i, c) in digits.enumerated() {
    if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
    out.append(c)
  }
  return out
}

/// Keras' `readable_memory_size`: bytes in B, KB, MB, ... (powers of 1024) with two decimals.
func readableSize(_ bytes: Int) -> String {
  var size = Double(bytes)
  for unit in ["B", "KB", "MB", "GB", "TB"] {
    if size / 1024 < 1 { return String(format: "%.2f %@", size, unit) }
    size /= 1024
  }
  return String(format: "%.2f PB", size)
}

/// The terminal width as Python's `shutil.get_terminal_size()`: `COLUMNS`, then the terminal, then 80.
func terminalColumns() -> Int {
  if let text = ProcessInfo.processInfo.environment["COLUMNS"], let columns = Int(text), columns > 0 { return columns }
  var size = winsize()
  if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
  return 80
}

/// The box-drawn table Keras prints with `rich` (`show_lines=True`), laid out by rich's rules.
struct SummaryTable {
  let width: Int
  let positions = [0.45, 0.80, 1.0]
  let rightAligned = [false, false, true]

  /// Column widths inside the borders, padding included, as rich computes them.
  var columnWidths: [Int] {
    var widths: [Int] = []
    var current = 0
    for p in positions {
      let w = Int(p * Double(width)) - current
      widths.append(w + 2)  // one space of padding each side
      current += w
    }
    // rich reduces columns evenly (ratio_reduce with equal ratios) to fit the table width.
    let available = width - (positions.count + 1)
    let excess = widths.reduce(0, +) - available
    if excess > 0 {
      var remaining = excess
      var ratioLeft = widths.count
      for i in widths.indices {
        let share = Int((Double(remaining) / Double(ratioLeft)).rounded(.toNearestOrEven))
        let distributed = Swift.min(widths[i], share)
        widths[i] -= distributed
        remaining -= distributed
        ratioLeft -= 1
      }
    }
    return widths
  }

  /// `text` in lines of at most `width` characters, as rich wraps a table cell: at spaces, a word
  /// longer than a line folded across lines.
  func wrapped(_ text: String, width: Int) -> [String] {
    guard text.count > width, width > 0 else { return [text] }
    var lines: [String] = []
    var current = ""
    for piece in text.split(separator: " ") {
      var word = String(piece)
      let candidate = current.isEmpty ? word : current + " " + word
      if candidate.count <= width {
        current = candidate
        continue
      }
      if !current.isEmpty { lines.append(current) }
      while word.count > width {
        lines.append(String(word.prefix(width)))
        word = String(word.dropFirst(width))
      }
      current = word
    }
    if !current.isEmpty || lines.isEmpty { lines.append(current) }
    return lines
  }

  func render(header: [String], rows: [[String]]) -> String {
    let widths = columnWidths
    func rule(_ left: String, _ fill: String, _ middle: String, _ right: String) -> String {
      left + widths.map { String(repeating: fill, count: $0) }.joined(separator: middle) + right + "\n"
    }
    func line(_ cells: [String], _ bar: String, alignAll: Bool) -> String {
      let wrappedCells = cells.enumerated().map { i, cell in wrapped(cell, width: widths[i] - 2) }
      var out = ""
      for k in 0..<(wrappedCells.map(\.count).max() ?? 1) {
        var parts: [String] = []
        for (i, cellLines) in wrappedCells.enumerated() {
          let text = k < cellLines.count ? cellLines[k] : ""
          let pad = String(repeating: " ", count: widths[i] - 2 - text.count)
          parts.append(" " + (rightAligned[i] ? pad + text : text + pad) + " ")
        }
        out += bar + parts.joined(separator: bar) + bar + "\n"
      }
      return out
    }
    var out = rule("┏", "━", "┳", "┓")
    out += line(header, "┃", alignAll: true)
    out += rule("┡", "━", "╇", "┩")
    for (i, row) in rows.enumerated() {
      out += line(row, "│", alignAll: false)
      if i < rows.count - 1 { out += rule("├", "─", "┼", "┤") }
    }
    out += rule("└", "─", "┴", "┘")
    return out
  }
}
