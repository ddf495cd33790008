import Foundation
import Logging
import ServiceLifecycle

/// TensorFlow Serving's model directory, `BASE/NAME/<version>/model.keras` (or `model.h5`),
/// polled for new versions: the highest version of each model is served, and when a higher one
/// appears it is loaded and the older one retired (its in-flight requests finish first).
public struct ModelRepository: Service {
  /// The base directory.
  public let basePath: String
  /// The models to serve; nil serves every subdirectory of ``basePath``.
  public let modelNames: [String]?
  /// How often the directory is read again.
  public let pollInterval: Duration
  /// The server whose registry receives the versions.
  public let server: ModelServer
  /// Loads one model file.
  public let load: @Sendable (String) throws -> any ServableModel
  private let failures = FailedLoads()

  /// A repository under `basePath` feeding `server`'s registry; `load` defaults to `loadModel(_:)`.
  public init(
    basePath: String, modelNames: [String]? = nil, pollInterval: Duration = .seconds(1), server: ModelServer,
    load: @escaping @Sendable (String) throws -> any ServableModel = { try ModelServable(contentsOf: $0) }
  ) {
    self.basePath = basePath
    self.modelNames = modelNames
    self.pollInterval = pollInterval
    self.server = server
    self.load = load
  }

  /// The file of each model version found: `[name: [(version, file)]]`, highest version first.
  public func scan() -> [String: [(version: Int64, file: String)]] {
    let files = FileManager.default
    let names = modelNames ?? ((try? files.contentsOfDirectory(atPath: basePath)) ?? []).sorted()
    var found: [String: [(version: Int64, file: String)]] = [:]
    for name in names {
      let modelDirectory = (basePath as NSString).appendingPathComponent(name)
      let entries = (try? files.contentsOfDirectory(atPath: modelDirectory)) ?? []
      let versions = entries.compactMap { entry -> (Int64, String)? in
        guard let version = Int64(entry), version >= 0 else { return nil }
        let directory = (modelDirectory as NSString).appendingPathComponent(entry)
        for candidate in ["model.keras", "model.h5"] {
          let file = (directory as NSString).appendingPathComponent(candidate)
          if files.fileExists(atPath: file) { return (version, file) }
        }
        return nil
      }
      if !versions.isEmpty { found[name] = versions.sorted { $0.0 > $1.0 }.map { (version: $0.0, file: $0.1) } }
    }
    return found
  }

  /// Loads every model's highest version that is newer than the one served; returns what changed.
  @discardableResult
  public func poll() -> [(name: String, version: Int64)] {
    var loaded: [(name: String, version: Int64)] = []
    for (name, versions) in scan().sorted(by: { $0.key < $1.key }) {
      let served = server.registry.versions(of: name).first?.version ?? Int64.min
      guard let newest = versions.first(where: { !failures.contains($0.file) }), newest.version > served else {
        continue
      }
      do {
        let model = try load(newest.file)
        server.serve(model, name: name, version: newest.version, source: newest.file)
        server.registry.keepOnly(newest.version, of: name)
        server.logger.info(
          "model version loaded",
          metadata: ["model": "\(name)", "version": "\(newest.version)", "file": "\(newest.file)"])
        loaded.append((name, newest.version))
      } catch {
        failures.insert(newest.file)
        server.logger.error(
          "model version failed to load",
          metadata: ["model": "\(name)", "version": "\(newest.version)", "file": "\(newest.file)", "error": "\(error)"])
      }
    }
    return loaded
  }

  /// Polls every ``pollInterval`` until the service group shuts down.
  public func run() async throws {
    await cancelWhenGracefulShutdown {
      while !Task.isCancelled {
        poll()
        try? await Task.sleep(for: pollInterval)
      }
    }
  }
}

/// Files that failed to load, not retried while their size and date stay the same.
private final class FailedLoads: @unchecked Sendable {
  private let lock = NSLock()
  private var stamps: [String: String] = [:]

  private static func stamp(_ file: String) -> String {
    let attributes = (try? FileManager.default.attributesOfItem(atPath: file)) ?? [:]
    return "\(attributes[.size] ?? 0) \(attributes[.modificationDate] ?? 0)"
  }

  func contains(_ file: String) -> Bool {
    lock.withLock { stamps[file] == Self.stamp(file) }
  }

  func insert(_ file: String) {
    let stamp = Self.stamp(file)
    lock.withLock { stamps[file] = stamp }
  }
}
