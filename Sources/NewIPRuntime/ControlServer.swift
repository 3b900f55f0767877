import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NewIPDataPlane
import NewIPTopology
import NewIPWire

/// The control endpoint: HTTP/1.1 with JSON bodies, on loopback (docs/node.md lists the
/// requests). It runs on the node's loop, so it reads and edits the data plane directly.
final class ControlHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    unowned let node: Node
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?

    init(node: Node) { self.node = node }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = context.channel.allocator.buffer(capacity: 0)
        case .body(var chunk):
            if (body?.readableBytes ?? 0) < 1 << 20 { body?.writeBuffer(&chunk) }
        case .end:
            guard let head else { return }
            let text = body.map { String(buffer: $0) } ?? ""
            let response = node.handleControl(method: head.method, uri: head.uri, body: text)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: response.contentType)
            headers.add(name: "Content-Length", value: "\(response.body.utf8.count)")
            let keepAlive = head.isKeepAlive
            headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: response.status, headers: headers))),
                          promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: response.body.utf8.count)
            buffer.writeString(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive {
                let channel = context.channel
                done.whenComplete { _ in channel.close(promise: nil) }
            }
            self.head = nil
            body = nil
            if response.stopAfter { node.stop() }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

struct ControlResponse {
    var status: HTTPResponseStatus = .ok
    var contentType = "application/json"
    var body: String
    var stopAfter = false

    static func json(_ object: Any, status: HTTPResponseStatus = .ok) -> ControlResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return ControlResponse(status: status, body: String(decoding: data, as: UTF8.self) + "\n")
    }

    static func error(_ message: String, status: HTTPResponseStatus = .badRequest) -> ControlResponse {
        json(["error": message], status: status)
    }
}

extension Node {
    func startControl() throws {
        // Address reuse here only skips TIME_WAIT after a restart: a listening TCP port stays exclusive.
        let bootstrap = ServerBootstrap(group: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ControlHandler(node: self))
                }
            }
        let channel = try bind("the control endpoint (TCP)", config.control) { try bootstrap.bind(to: $0).wait() }
        controlChannel = channel
        controlAddress = channel.localAddress
    }

    func handleControl(method: HTTPMethod, uri: String, body: String) -> ControlResponse {
        let components = URLComponents(string: uri)
        let path = components?.path ?? uri
        var query: [String: String] = [:]
        for item in components?.queryItems ?? [] { query[item.name] = item.value ?? "" }
        switch (method, path) {
        case (.GET, "/status"): return .json(status())
        case (.GET, "/interfaces"): return .json(interfacesJSON())
        case (.GET, "/routes"): return .json(routesJSON())
        case (.GET, "/counters"): return .json(countersJSON())
        case (.GET, "/metrics"):
            return ControlResponse(contentType: "text/plain; version=0.0.4", body: prometheusText())
        case (.POST, "/routes"): return addRoute(body)
        case (.DELETE, "/routes"): return removeRoute(query["prefix"] ?? jsonObject(body)?["prefix"] as? String)
        case (.POST, "/capture"), (.DELETE, "/capture"):
            return captureRequest(add: method == .POST, interface: query["interface"], sink: query["sink"])
        case (.POST, "/shutdown"):
            var response = ControlResponse.json(["stopping": true])
            response.stopAfter = true
            return response
        default:
            return .error("no such request: \(method) \(path); see docs/node.md", status: .notFound)
        }
    }

    private func jsonObject(_ body: String) -> [String: Any]? {
        guard let data = body.data(using: .utf8), !data.isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    func status() -> [String: Any] {
        var result: [String: Any] = [
            "name": config.name, "role": config.role.rawValue,
            "dialect": config.dialect == .compact ? "compact" : "framework",
            "pid": Int(getpid()), "uptime_seconds": Double(Self.now() - startTime) / 1e9,
            "control": controlAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "",
            "app": appAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "",
            "addresses": config.localAddresses.map(\.description),
            "resident_bytes": Self.residentBytes(),
            "ready": true,
        ]
        for (key, value) in statusExtras?() ?? [:] { result[key] = value }
        return result
    }

    func interfacesJSON() -> [[String: Any]] {
        config.interfaces.enumerated().map { index, interface in
            var entry: [String: Any] = ["name": interface.name, "index": index,
                                        "address": interface.address?.description ?? "",
                                        "delay": UnitText.duration(interface.delay),
                                        "queue": interface.queue.discipline.rawValue]
            switch interface.link {
            case .udp(let local, let peer): entry["udp"] = ["local": local.description, "peer": peer.description]
            case .ethernet(let device, let peer, let namespace):
                entry["ethernet"] = ["device": device, "peer": peer?.description ?? "broadcast", "netns": namespace ?? ""]
            case .tun(let device, let namespace, let routes, let mtu):
                entry["tun"] = ["device": device, "netns": namespace ?? "", "routes": routes.map(\.description), "mtu": mtu]
            }
            entry["counters"] = countersJSON(index)
            let depth = dataPlane.queueDepth(index)
            entry["queue_packets"] = depth.packets
            entry["queue_bytes"] = depth.bytes
            return entry
        }
    }

    func routesJSON() -> [[String: Any]] {
        dataPlane.routes.map { prefix, route in
            [
                "prefix": prefix.description,
                "via": NodeDataPlane.isLocal(route) ? "local" : interfaceName(route.nextHop.interface),
                "to-delay": UnitText.duration(route.toDelay), "to-hops": route.toHops,
            ]
        }
    }

    /// Drops on `index`, by reason: arrival drops there, plus its egress queue's own.
    func drops(_ index: Int) -> DropCounters {
        var result = counters[index].drops
        if index < config.interfaces.count { result.record(.queueFull, count: dataPlane.queueFullDrops(index)) }
        return result
    }

    func countersJSON(_ index: Int) -> [String: Any] {
        let c = counters[index]
        var dropsJSON: [String: Int] = [:]
        for (reason, count) in drops(index).sorted { dropsJSON[reason] = count }
        return ["rx_packets": c.rxPackets, "rx_bytes": c.rxBytes, "tx_packets": c.txPackets, "tx_bytes": c.txBytes,
                "delivered": c.delivered, "drops": dropsJSON]
    }

    func countersJSON() -> [String: Any] {
        var perInterface: [String: Any] = [:]
        for index in 0...config.interfaces.count { perInterface[interfaceName(index)] = countersJSON(index) }
        let total = counters.reduce(into: InterfaceCounters()) { sum, c in
            sum.rxPackets += c.rxPackets
            sum.txPackets += c.txPackets
            sum.delivered += c.delivered
        }
        let allDrops = (0...config.interfaces.count).reduce(0) { $0 + drops($1).total }
        var result: [String: Any] = ["interfaces": perInterface, "rx_packets": total.rxPackets, "tx_packets": total.txPackets,
                                     "delivered": total.delivered, "drops": allDrops, "buffers_out": dataPlane.buffersOut]
        if gateway != nil {
            result["translations"] = ["compact_to_ip": translations.compactToIP, "ip_to_compact": translations.ipToCompact,
                                      "failures": Dictionary(uniqueKeysWithValues: translations.failures.sorted.map { ($0.reason, $0.count) })]
        }
        return result
    }

    private func addRoute(_ body: String) -> ControlResponse {
        guard let object = jsonObject(body), let prefixText = object["prefix"] as? String, let via = object["via"] as? String else {
            return problem("a route needs a JSON body {\"prefix\": \"0x03\", \"via\": \"eth0\"}")
        }
        guard let prefix = RouteText.prefix(prefixText, dialect: config.dialect) else {
            return problem("`\(prefixText)` is not a route prefix (0x03, 0xDE/8, 10.0.0.0/8, 2001:db8::/32, default)")
        }
        guard let interface = config.interfaces.firstIndex(where: { $0.name == via }) else {
            return problem("no interface `\(via)`; the node has \(config.interfaces.map(\.name).joined(separator: ", "))")
        }
        var toDelay: Nanoseconds = 0
        if let text = object["to-delay"] as? String {
            guard let value = (try? Units.duration(text)) else { return problem("to-delay `\(text)` is not a duration (2ms)") }
            toDelay = value
        }
        let toHops = (object["to-hops"] as? Int) ?? 1
        guard (0...255).contains(toHops) else { return problem("to-hops must be 0…255") }
        let replaced = dataPlane.insert(NodeDataPlane.makeRoute(interface: interface, toDelay: toDelay, toHops: toHops), for: prefix)
        logger.info("route added", metadata: ["prefix": "\(prefix)", "via": "\(via)"])
        return .json(["added": prefix.description, "replaced": replaced != nil])
    }

    private func removeRoute(_ text: String?) -> ControlResponse {
        guard let text, let prefix = RouteText.prefix(text, dialect: config.dialect) else {
            return problem("give the prefix to remove: DELETE /routes?prefix=0x03")
        }
        guard let removed = dataPlane.remove(prefix) else { return .error("no route for \(prefix)", status: .notFound) }
        if NodeDataPlane.isLocal(removed) {
            dataPlane.insert(removed, for: prefix)
            return problem("\(prefix) is one of the node's own addresses")
        }
        logger.info("route removed", metadata: ["prefix": "\(prefix)"])
        return .json(["removed": prefix.description])
    }

    private func captureRequest(add: Bool, interface: String?, sink: String?) -> ControlResponse {
        guard let name = interface, let index = config.interfaces.firstIndex(where: { $0.name == name }) else {
            return problem("capture needs ?interface=NAME of one of \(config.interfaces.map(\.name).joined(separator: ", "))")
        }
        guard let sinkText = sink, let endpoint = NodeConfig.Endpoint(sinkText),
              let address = try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port),
              address.ipAddress == "127.0.0.1" || address.ipAddress == "::1" else {
            return problem("capture needs &sink=127.0.0.1:PORT (captures go to loopback only)")
        }
        if add { addCapture(interface: index, sink: address) } else { removeCapture(interface: index, sink: address) }
        return .json(["interface": name, "sink": sinkText, "capturing": add,
                      "lease_seconds": Double(Self.captureLease) / 1e9, "dialect": config.dialect == .compact ? "compact" : "framework"])
    }

    /// A refused control request: answered with the reason, logged at most once per interval.
    private func problem(_ message: String) -> ControlResponse {
        logProblem(appIndex, "control request refused: \(message)", now: Self.now())
        return .error(message)
    }
}
