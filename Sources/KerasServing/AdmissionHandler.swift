import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// The in-flight bound (``AdmissionControl``) applied in the connection's NIO pipeline, on its
/// event loop, as a request's head arrives: a predict request over the bound is answered 503 from
/// here, before any task is scheduled for it and before its body is read, and its body parts are
/// dropped as they arrive (the connection stays open). An admitted request is passed on and leaves
/// the count when its answer's end is written, or when its connection closes.
///
/// Answers go out in request order: a request that arrives while an earlier one on the same
/// connection is unanswered (HTTP pipelining) is passed on uncounted, never answered ahead.
final class AdmissionHandler: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPRequestPart
  typealias InboundOut = HTTPRequestPart
  typealias OutboundIn = HTTPResponsePart
  typealias OutboundOut = HTTPResponsePart

  private let admission: AdmissionControl
  private let onRefused: @Sendable (_ model: String) -> Void
  /// The requests passed on and not answered yet, oldest first: whether each was counted.
  private var unanswered: [Bool] = []
  /// The current request was refused; its body parts are dropped.
  private var refusing = false

  /// A handler counting against `admission`; `onRefused` is called with the model of each refusal.
  init(admission: AdmissionControl, onRefused: @escaping @Sendable (_ model: String) -> Void) {
    self.admission = admission
    self.onRefused = onRefused
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let part = unwrapInboundIn(data)
    switch part {
    case .head(let head):
      var counted = false
      let path = head.path.map { String($0.prefix { $0 != "?" }) } ?? ""
      if let call = try? APICall(path: path, method: head.method), call.api == "predict" {
        if admission.tryEnter() {
          counted = true
        } else if unanswered.isEmpty {
          refusing = true
          onRefused(call.model)
          refuse(context: context)
          return
        }
      }
      unanswered.append(counted)
      context.fireChannelRead(data)
    case .body, .end:
      if refusing {
        if case .end = part { refusing = false }
        return
      }
      context.fireChannelRead(data)
    }
  }

  /// Writes the 503 answer: TensorFlow Serving's `UNAVAILABLE` as `{"error": ...}`.
  private func refuse(context: ChannelHandlerContext) {
    let body = ByteBuffer(string: "{\"error\":\(JSONTensorWriter.quoted(admission.refusal.description))}")
    let head = HTTPResponse(
      status: .serviceUnavailable,
      headerFields: [.contentType: "application/json", .contentLength: String(body.readableBytes)])
    context.write(wrapOutboundOut(.head(head)), promise: nil)
    context.write(wrapOutboundOut(.body(body)), promise: nil)
    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    if case .end = unwrapOutboundIn(data), !unanswered.isEmpty, unanswered.removeFirst() {
      admission.leave()
    }
    context.write(data, promise: promise)
  }

  func channelInactive(context: ChannelHandlerContext) {
    releaseAll()
    context.fireChannelInactive()
  }

  func handlerRemoved(context: ChannelHandlerContext) { releaseAll() }

  private func releaseAll() {
    for counted in unanswered where counted { admission.leave() }
    unanswered.removeAll()
  }
}
