import Synchronization

/// A bound on the predict requests in flight (received, not yet answered), checked when a request's
/// head arrives, before its body is read or decoded (in the connection's NIO pipeline, on its event
/// loop: a refusal waits for no task).
///
/// The batching queue bounds the rows waiting for the model, but a request reaches it only after
/// its body has been read and its JSON decoded; under overload, requests waiting for that work are
/// what piles up. A request over the bound is answered 503 at once, its body left unread (the
/// connection discards what still arrives and stays usable).
public final class AdmissionControl: Sendable {
  /// The most predict requests in flight at once.
  public let limit: Int
  private let inFlight = Atomic<Int>(0)

  /// A bound of `limit` requests in flight.
  public init(limit: Int) {
    precondition(limit > 0, "the in-flight limit must be positive, got \(limit)")
    self.limit = limit
  }

  /// The predict requests in flight now.
  public var current: Int { inFlight.load(ordering: .relaxed) }

  /// Admits one request if fewer than ``limit`` are in flight; a `true` answer must be paired with
  /// one ``leave()``.
  func tryEnter() -> Bool {
    let after = inFlight.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
    if after > limit {
      inFlight.wrappingSubtract(1, ordering: .acquiringAndReleasing)
      return false
    }
    return true
  }

  /// Marks an admitted request answered.
  func leave() { inFlight.wrappingSubtract(1, ordering: .acquiringAndReleasing) }

  /// The error a refused request is answered with (503, TensorFlow Serving's `UNAVAILABLE`).
  var refusal: ServingError {
    .unavailable("the server has \(limit) requests in flight (--max-in-flight); try again later")
  }
}
