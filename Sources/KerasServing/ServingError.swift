/// A request the server cannot answer, with the HTTP status TensorFlow Serving gives it.
public enum ServingError: Error, Equatable, CustomStringConvertible {
  /// Malformed JSON, wrong shapes or element types, non-finite numbers (`INVALID_ARGUMENT`, 400).
  case invalidArgument(String)
  /// An unknown model, version or path (`NOT_FOUND`, 404).
  case notFound(String)
  /// The batching queue is full (`UNAVAILABLE`, 503).
  case unavailable(String)
  /// A request body over the size limit (413).
  case bodyTooLarge(limit: Int)
  /// A failure of the server or model, not of the request (`INTERNAL`, 500).
  case internalError(String)

  /// The HTTP status code.
  public var statusCode: Int {
    switch self {
    case .invalidArgument: return 400
    case .notFound: return 404
    case .unavailable: return 503
    case .bodyTooLarge: return 413
    case .internalError: return 500
    }
  }

  /// The message sent as `{"error": message}`.
  public var description: String {
    switch self {
    case .invalidArgument(let message), .notFound(let message), .unavailable(let message),
      .internalError(let message):
      return message
    case .bodyTooLarge(let limit): return "request body is larger than the limit of \(limit) bytes"
    }
  }
}
