import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NewIPLog
import NewIPRuntime
import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves a log folder as tlog-tiles names it: `/checkpoint`, `/tile/<L>/<N>[.p/<W>]` and
/// `/tile/entries/<N>[.p/<W>]`. Nothing else in the folder (the key!) is reachable: a path must
/// parse as a tile name.
final class LogHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let directory: String
    private var head: HTTPRequestHead?

    init(directory: String) { self.directory = directory }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(context: context, head: head)
        }
    }

    func respond(context: ChannelHandlerContext, head: HTTPRequestHead) {
        let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "").dropFirst()
        var status = HTTPResponseStatus.ok
        var headers = HTTPHeaders()
        var body = Data()
        if head.method != .GET && head.method != .HEAD {
            status = .methodNotAllowed
        } else if path == LogWriter.checkpointFile || Tiles.Name(path: String(path)) != nil {
            if let data = FileManager.default.contents(atPath: directory + "/" + path) {
                body = data
                let checkpoint = path == LogWriter.checkpointFile
                headers.add(name: "Content-Type", value: checkpoint ? "text/plain; charset=utf-8" : "application/octet-stream")
                // The checkpoint changes with every append; tiles and bundles never do.
                headers.add(name: "Cache-Control", value: checkpoint ? "no-cache" : "public, max-age=31536000, immutable")
            } else {
                status = .notFound
            }
        } else {
            status = .notFound
        }
        if status != .ok { body = Data("\(status.code) \(status.reasonPhrase)\n".utf8) }
        headers.add(name: "Content-Length", value: "\(body.count)")
        headers.add(name: "Connection", value: head.isKeepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !head.isKeepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

struct LogServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the log folder over HTTP as C2SP tlog-tiles (until killed).")

    @Argument(help: "The log folder.")
    var directory: String

    @Option(help: "host:port to listen on; port 0 picks a free one.")
    var listen = "127.0.0.1:8080"

    func run() throws {
        guard FileManager.default.fileExists(atPath: directory + "/" + LogWriter.checkpointFile) else {
            throw ToolError("\(directory) holds no log (no checkpoint)")
        }
        let parts = listen.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]), (0...65535).contains(port) else {
            throw ValidationError("--listen takes host:port, e.g. 127.0.0.1:8080")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let channel = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [directory] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(LogHTTPHandler(directory: directory))
                }
            }
            .bind(host: String(parts[0]), port: port).wait()
        let address = channel.localAddress
        FileHandle.standardOutput.write(Data("serving \(directory) on http://\(address?.ipAddress ?? String(parts[0])):\(address?.port ?? port)\n".utf8))
        try channel.closeFuture.wait()
    }
}

/// A log read over HTTP with URLSession: a 404 is a missing resource, anything else not 200 an error.
struct HTTPSource: LogSource {
    let name: String

    init(prefix: String) { name = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix }

    final class Result: @unchecked Sendable {
        var data: Data?
        var status = 0
        var error: Error?
    }

    func read(_ path: String) throws -> Data {
        let location = name + "/" + path
        guard let url = URL(string: location) else { throw LogError.malformed(location, "not a URL") }
        let result = Result()
        let done = DispatchSemaphore(value: 0)
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.cachePolicy = .reloadIgnoringLocalCacheData
        URLSession.shared.dataTask(with: request) { data, response, error in
            result.data = data
            result.status = (response as? HTTPURLResponse)?.statusCode ?? 0
            result.error = error
            done.signal()
        }.resume()
        done.wait()
        if let error = result.error { throw LogError.io(location, "\(error.localizedDescription)") }
        if result.status == 404 { throw LogError.missing(location) }
        guard result.status == 200, let data = result.data else { throw LogError.io(location, "HTTP status \(result.status)") }
        return data
    }
}
