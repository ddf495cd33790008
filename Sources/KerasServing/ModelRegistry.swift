import Foundation
import Keras
import Logging
import Synchronization

/// One loaded version of a model and the batcher its requests go through.
public final class LoadedVersion: Sendable {
  /// The version number (`DIR/NAME/<version>`; 1 for a single file).
  public let version: Int64
  /// Where the model was loaded from (reported in logs, never read from a request).
  public let source: String
  /// The batcher in front of the model.
  public let batcher: Batcher

  /// A version `version` of `batcher`'s model, loaded from `source`.
  public init(version: Int64, source: String, batcher: Batcher) {
    self.version = version
    self.source = source
    self.batcher = batcher
  }

  /// The model.
  public var model: any ServableModel { batcher.model }
}

/// The models the server answers for, by name, each with its loaded versions.
///
/// Requests look versions up here; a version removed while requests are in flight stays alive
/// until they finish (they hold it), so replacing a version drains the old one.
public final class ModelRegistry: Sendable {
  private let models = Mutex<[String: [Int64: LoadedVersion]]>([:])
  private let expected: Set<String>

  /// A registry that reports ready once each of `expectedModels` has a version.
  public init(expectedModels: Set<String> = []) {
    self.expected = expectedModels
  }

  /// Adds or replaces version `loaded.version` of model `name`.
  public func add(_ loaded: LoadedVersion, as name: String) {
    models.withLock { $0[name, default: [:]][loaded.version] = loaded }
  }

  /// Removes every version of `name` but `version`.
  public func keepOnly(_ version: Int64, of name: String) {
    models.withLock { models in models[name] = models[name]?.filter { $0.key == version } }
  }

  /// The loaded versions of `name`, highest first (empty for an unknown model).
  public func versions(of name: String) -> [LoadedVersion] {
    models.withLock { $0[name].map { $0.values.sorted { $0.version > $1.version } } ?? [] }
  }

  /// The names of the models with at least one version.
  public var modelNames: [String] { models.withLock { $0.filter { !$0.value.isEmpty }.keys.sorted() } }

  /// Whether every expected model has a version loaded (and at least one model does).
  public var isReady: Bool {
    let names = Set(modelNames)
    return !names.isEmpty && expected.isSubset(of: names)
  }

  /// Version `version` of `name`, or its highest version when `version` is nil.
  ///
  /// - Throws: ``ServingError/notFound(_:)`` naming the model or version.
  public func lookup(_ name: String, version: Int64?) throws -> LoadedVersion {
    let loaded = versions(of: name)
    guard !loaded.isEmpty else { throw ServingError.notFound("Servable not found for request: Latest(\(name))") }
    guard let version else { return loaded[0] }
    guard let match = loaded.first(where: { $0.version == version }) else {
      throw ServingError.notFound("Servable not found for request: Specific(\(name), \(version))")
    }
    return match
  }
}
