#if canImport(Glibc)
  import Glibc
#endif
import Foundation

extension Model {
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
    if graph != nil { return functionalSummaryText(width: width) }
    let shapes = (self as? Sequential).flatMap { try? $0.outputShapes() } ?? nil
    let rows: [[String]] = layers.enumerated().map { i, layer in
      let shape = shapes.map { kerasShapeTuple($0[i]) } ?? "?"
      let params = layer.isBuilt ? grouped(layer.countParams()) : "0 (unbuilt)"
      return ["\(layer.name) (\(type(of: layer).className))", shape, params]
    }
    var text = "Model: \"\(name)\"\n"
    text += SummaryTable(width: width).render(header: ["Layer (type)", "Output Shape", "Param #"], rows: rows)
    return text + totalsText
  }

  /// The totals under the table; with a built optimizer (a compiled model that has trained,
  /// or was loaded with its optimizer state) Keras adds its variables to the total and prints
  /// an `Optimizer params` line (the int64 step counter counts 8 bytes).
  var totalsText: String {
    let trainable = trainableWeights.reduce(0) { $0 + $1.value.count }
    let frozen = nonTrainableWeights.reduce(0) { $0 + $1.value.count }
    var optimizerCount = 0
    var optimizerBytes = 0
    if let optimizer = compiled?.optimizer, optimizer.isBuilt {
      for (index, variable) in optimizer.variablesForSaving.enumerated() {
        optimizerCount += variable.value.count
        optimizerBytes += index == 0 ? 8 : variable.value.count * 4
      }
    }
    var text = ""
    text += " Total params: \(grouped(trainable + frozen + optimizerCount)) (\(readableSize((trainable + frozen) * 4 + optimizerBytes)))\n"
    text += " Trainable params: \(grouped(trainable)) (\(readableSize(trainable * 4)))\n"
    text += " Non-trainable params: \(grouped(frozen)) (\(readableSize(frozen * 4)))\n"
    if compiled?.optimizer.isBuilt == true {
      text += " Optimizer params: \(grouped(optimizerCount)) (\(readableSize(optimizerBytes)))\n"
    }
    return text
  }
}

extension Model {
  /// The summary of a Functional model: as a Sequential's when the graph is a chain, else
  /// with Keras' `Connected to` column (`lstm[0][0], dense[0][0]`) and a default width of 108.
  func functionalSummaryText(width requested: Int?) -> String {
    guard let graph else { return "" }
    let inGraph = Set(graph.nodes.map { ObjectIdentifier($0) } + inputs.map { ObjectIdentifier($0.node) })
    var nodeCounts: [ObjectIdentifier: Int] = [:]
    for node in graph.nodes { nodeCounts[ObjectIdentifier(node.layer), default: 0] += 1 }
    let depths = Dictionary(grouping: graph.nodes, by: { graph.depth(of: $0) })
    let chain =
      depths.values.allSatisfy { $0.count == 1 && $0[0].allInputs.count <= 1 } && nodeCounts.values.allSatisfy { $0 <= 1 }
      && inputs.count == 1
    let width = requested ?? Swift.min(chain ? 88 : 108, terminalColumns() - 4)
    var table = SummaryTable(width: width)
    if !chain {
      table.positions = [0.3, 0.56, 0.74, 1.0]
      table.rightAligned = [false, false, true, false]
    }
    let rows: [[String]] = graph.layers.map { layer in
      let nodes = layer.inboundNodes.compactMap(\.node)
      var shape = "?"
      if let last = nodes.last {
        let shapes = last.outputShapes.map(summaryShape)
        shape = shapes.count == 1 ? shapes[0] : "[" + shapes.joined(separator: ", ") + "]"
      }
      let params = layer.isBuilt || layer is InputLayer || layer.weights.isEmpty ? grouped(layer.countParams()) : "0 (unbuilt)"
      var row = ["\(layer.name) (\(type(of: layer).className))", shape, params]
      if !chain {
        var connections: [String] = []
        for node in nodes where inGraph.contains(ObjectIdentifier(node)) {
          for tensor in node.allInputs {
            connections.append("\(tensor.layer.name)[\(graphNodeIndex(tensor.node, graph))][\(tensor.index)]")
          }
        }
        row.append(connections.isEmpty ? "-" : connections.joined(separator: ", "))
      }
      return row
    }
    let header = chain ? ["Layer (type)", "Output Shape", "Param #"] : ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    return "Model: \"\(name)\"\n" + table.render(header: header, rows: rows) + totalsText
  }

  /// A node's index among its layer's calls that belong to this model (Keras' node index in configs and summaries).
  func graphNodeIndex(_ node: Node, _ graph: GraphMap) -> Int {
    let inGraph = Set(graph.nodes.map { ObjectIdentifier($0) } + inputs.map { ObjectIdentifier($0.node) })
    let nodes = node.layer.inboundNodes.compactMap(\.node).filter { inGraph.contains(ObjectIdentifier($0)) }
    return nodes.firstIndex { $0 === node } ?? 0
  }
}

/// A shape as Keras' summary writes it: `(None, 8)`, and `(None)` for rank 1.
func summaryShape(_ shape: [Int?]) -> String {
  "(" + shape.map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + ")"
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
  var positions = [0.45, 0.80, 1.0]
  var rightAligned = [false, false, true]

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

  func render(header: [String], rows: [[String]]) -> String {
    let widths = columnWidths
    func rule(_ left: String, _ fill: String, _ middle: String, _ right: String) -> String {
      left + widths.map { String(repeating: fill, count: $0) }.joined(separator: middle) + right + "\n"
    }
    func line(_ cells: [String], _ bar: String, alignAll: Bool) -> String {
      let wrapped = cells.enumerated().map { i, cell in Self.wrap(cell, width: widths[i] - 2) }
      let height = wrapped.map(\.count).max() ?? 1
      var out = ""
      for row in 0..<height {
        var parts: [String] = []
        for (i, lines) in wrapped.enumerated() {
          let content = widths[i] - 2
          let text = row < lines.count ? lines[row] : ""
          let pad = String(repeating: " ", count: Swift.max(0, content - text.count))
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

  /// A cell's text wrapped as rich wraps it: at spaces, filling each line greedily; a word
  /// longer than the line is cut to the line with an ellipsis.
  static func wrap(_ text: String, width: Int) -> [String] {
    guard width > 0, text.count > width else { return [text] }
    var lines: [String] = []
    var current = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
      let candidate = current.isEmpty ? word : current + " " + word
      if candidate.count <= width {
        current = candidate
        continue
      }
      if !current.isEmpty { lines.append(current) }
      // rich's columns overflow with an ellipsis: a word longer than the line is cut.
      current = word.count > width ? String(word.prefix(width - 1)) + "…" : word
    }
    if !current.isEmpty || lines.isEmpty { lines.append(current) }
    return lines
  }
}
