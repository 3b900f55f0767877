import NIOCore
import NIOHTTP1

/// One HTTP/1.1 request at a time: the control endpoint's and the registrar's plumbing. It
/// collects a request's head and body (at most `bodyLimit` bytes are kept), asks `respond`
/// for the answer, writes it with its length and keep-alive, and closes the connection when
/// the client asked to.
final class HTTPExchange: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    struct Request {
        var head: HTTPRequestHead
        var body: String
        /// The client's IP address, as text ("?" when the socket does not say).
        var client: String
    }

    struct Answer {
        var status: HTTPResponseStatus
        var contentType = "application/json"
        var body: String
        /// Extra header fields (e.g. `WWW-Authenticate` on a 401).
        var headers: [(name: String, value: String)] = []
        /// Run once the answer is written (a node stopping on `POST /shutdown`).
        var afterwards: (() -> Void)?
    }

    private let bodyLimit: Int
    private let respond: (Request) -> Answer
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?

    init(bodyLimit: Int, respond: @escaping (Request) -> Answer) {
        self.bodyLimit = bodyLimit
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = context.channel.allocator.buffer(capacity: 0)
        case .body(var chunk):
            if (body?.readableBytes ?? 0) < bodyLimit { body?.writeBuffer(&chunk) }
        case .end:
            guard let head else { return }
            let answer = respond(Request(head: head, body: body.map { String(buffer: $0) } ?? "",
                                         client: context.channel.remoteAddress?.ipAddress ?? "?"))
            var headers = HTTPHeaders()
            for field in answer.headers { headers.add(name: field.name, value: field.value) }
            headers.add(name: "Content-Type", value: answer.contentType)
            headers.add(name: "Content-Length", value: "\(answer.body.utf8.count)")
            let keepAlive = head.isKeepAlive
            headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: answer.status, headers: headers))),
                          promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: answer.body.utf8.count)
            buffer.writeString(answer.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let channel = context.channel
                done.whenComplete { _ in channel.close(promise: nil) }
            }
            self.head = nil
            body = nil
            answer.afterwards?()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}
