import Foundation

/// Saves the model's weights during training (`keras.callbacks.ModelCheckpoint`), every epoch
/// or only when the monitored value improves.
///
/// The file name may hold Keras' templates: `{epoch}` (1-based) and any logged value, with
/// Python-style formats, e.g. `"ckpt-{epoch:02d}-{val_loss:.2f}.weights.h5"`. Files are written
/// atomically, so an interrupted save leaves the previous checkpoint intact. A failed save stops
/// `fit`, which then throws the error.
///
/// With `saveWeightsOnly` the file is a `.weights.h5`; otherwise the whole model is saved
/// (`.keras` or `.h5`), so ``loadModel(_:)-(String)`` restores it ready to keep training.
public final class ModelCheckpoint: Callback {
  /// The file name template.
  public let filepath: String
  /// The logged value compared for `saveBestOnly`.
  public let monitor: String
  /// Print a line per save (1) or not (0).
  public let verbose: Int
  /// Save only when `monitor` improves on the best value so far.
  public let saveBestOnly: Bool
  /// Save weights only (`.weights.h5`).
  public let saveWeightsOnly: Bool
  private let rule: Monitor
  private weak var model: Model?
  /// The best monitored value so far.
  public private(set) var best: Float?
  /// The paths written, in order.
  public private(set) var savedPaths: [String] = []

  /// A checkpoint writing to `filepath`.
  ///
  /// - Throws: ``KerasError/invalidArgument(_:)`` when the file name does not fit the mode, as
  ///   Keras requires: `.weights.h5` for weights only, `.keras` (or `.h5`) for the whole model.
  public init(
    _ filepath: String, monitor: String = "val_loss", verbose: Int = 0, saveBestOnly: Bool = false,
    saveWeightsOnly: Bool = false, mode: MonitorMode = .auto, initialValueThreshold: Float? = nil
  ) throws {
    if saveWeightsOnly {
      guard filepath.hasSuffix(".weights.h5") else {
        throw KerasError.invalidArgument(
          "ModelCheckpoint: when using saveWeightsOnly: true, the filepath must end in `.weights.h5`. Received: filepath=\(filepath)")
      }
    } else {
      guard filepath.hasSuffix(".keras") || (filepath.hasSuffix(".h5") && !filepath.hasSuffix(".weights.h5")) else {
        throw KerasError.invalidArgument(
          "ModelCheckpoint: the filepath provided must end in `.keras` (Keras model format), or be saved with "
            + "saveWeightsOnly: true as `.weights.h5`. Received: filepath=\(filepath)")
      }
    }
    self.filepath = filepath
    self.monitor = monitor
    self.verbose = verbose
    self.saveBestOnly = saveBestOnly
    self.saveWeightsOnly = saveWeightsOnly
    self.rule = Monitor(monitor, mode: mode, minDelta: 0)
    self.best = initialValueThreshold
  }

  public func setModel(_ model: Model) { self.model = model }

  public func onEpochEnd(_ epoch: Int, _ logs: Logs) {
    guard let model else { return }
    let path: String
    do {
      path = try ModelCheckpoint.expand(filepath, epoch: epoch + 1, logs: logs)
    } catch {
      model.failTraining(with: error)
      return
    }
    if saveBestOnly {
      guard let current = rule.value(in: logs, callback: "Can save best model only with \(monitor) available, skipping.")
      else { return }
      guard rule.isImprovement(current, over: best) else {
        if verbose > 0 {
          FileHandleOutput.standardOutput(
            "\nEpoch \(epoch + 1): \(monitor) did not improve from \(ModelCheckpoint.pythonFloat(best))\n")
        }
        return
      }
      if verbose > 0 {
        FileHandleOutput.standardOutput(
          "\nEpoch \(epoch + 1): \(monitor) improved from \(ModelCheckpoint.pythonFloat(best)) to "
            + "\(ModelCheckpoint.pythonFloat(current)), saving model to \(path)\n")
      }
      best = current
    } else if verbose > 0 {
      FileHandleOutput.standardOutput("\nEpoch \(epoch + 1): saving model to \(path)\n")
    }
    ModelCheckpoint.removeStaleTemporaryFiles(of: path)
    do {
      if saveWeightsOnly { try model.saveWeights(path) } else { try model.save(path) }
      savedPaths.append(path)
    } catch {
      model.failTraining(with: error)
    }
  }

  /// Removes the temporary files that saves of `path` killed mid-write left beside it:
  /// `.<name>.tmp-<pid>-<n>` (HDF5) of a process that no longer runs, and `.<name>.<uuid>.tmp`
  /// (zip archive), so a checkpoint directory does not fill up across crashes.
  static func removeStaleTemporaryFiles(of path: String) {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent()
    let prefix = "." + url.lastPathComponent + "."
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
    for name in names where name.hasPrefix(prefix) {
      let rest = name.dropFirst(prefix.count)
      let stale: Bool
      if rest.hasPrefix("tmp-"), let pid = Int32(rest.dropFirst(4).prefix { $0 != "-" }) {
        stale = processHasExited(pid)
      } else {
        stale = rest.hasSuffix(".tmp") && UUID(uuidString: String(rest.dropLast(4))) != nil
      }
      if stale { try? FileManager.default.removeItem(at: directory.appendingPathComponent(name)) }
    }
  }

  /// Python's text of a float for Keras' messages (`inf` before any value).
  static func pythonFloat(_ value: Float?) -> String { value.map { "\(Double($0))" } ?? "inf" }

  /// The file name with `{name}` and `{name:format}` replaced, as Python's `str.format`.
  ///
  /// - Throws: when the template names a value that is not logged, or a format it cannot read.
  static func expand(_ template: String, epoch: Int, logs: Logs) throws -> String {
    var result = ""
    var rest = Substring(template)
    while let open = rest.firstIndex(of: "{") {
      result += rest[..<open]
      guard let close = rest[open...].firstIndex(of: "}") else {
        throw KerasError.invalidArgument("ModelCheckpoint: unclosed '{' in filepath '\(template)'")
      }
      let field = rest[rest.index(after: open)..<close]
      let parts = field.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
      let key = String(parts[0])
      let format = parts.count > 1 ? String(parts[1]) : ""
      let value: Double
      if key == "epoch" {
        value = Double(epoch)
      } else if let logged = logs[key] {
        value = Double(logged)
      } else {
        throw KerasError.invalidArgument(
          "ModelCheckpoint: filepath '\(template)' names '\(key)', which is not logged; logged: "
            + (["epoch"] + logs.names).joined(separator: ", "))
      }
      result += try pythonFormat(value, format, isInteger: key == "epoch", template: template)
      rest = rest[rest.index(after: close)...]
    }
    return result + rest
  }

  /// `value` formatted by a Python format spec of the form `[0][width][.precision][d|f|e|g]`.
  static func pythonFormat(_ value: Double, _ spec: String, isInteger: Bool, template: String) throws -> String {
    if spec.isEmpty { return isInteger ? String(Int(value)) : "\(value)" }
    var chars = Array(spec)
    let type = chars.last!.isLetter ? chars.removeLast() : (isInteger ? "d" : "g")
    let body = String(chars)
    guard body.allSatisfy({ $0.isNumber || $0 == "." }), "dfeg".contains(type) else {
      throw KerasError.invalidArgument("ModelCheckpoint: unsupported format '{…:\(spec)}' in filepath '\(template)'")
    }
    if type == "d" { return String(format: "%\(body)d", Int(value)) }
    return String(format: "%\(body)\(type)", value)
  }
}
