import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NewIPDataPlane
import NewIPJSON
import NewIPTopology
import NewIPWire

/// An answer of the control endpoint: HTTP/1.1 with JSON bodies, on loopback (docs/node.md
/// lists the requests; `HTTPExchange` carries them). It runs on the node's loop, so it reads
/// and edits the data plane directly. Answers are `JSONValue`s, indented, their keys in the
/// order written here.
struct ControlResponse {
    var status: HTTPResponseStatus = .ok
    var contentType = "application/json"
    var body: String
    var stopAfter = false

    static func json(_ value: JSONValue, status: HTTPResponseStatus = .ok) -> ControlResponse {
        ControlResponse(status: status, body: value.indentedText)
    }

    static func error(_ message: String, status: HTTPResponseStatus = .badRequest) -> ControlResponse {
        json(.object([("error", .string(message))]), status: status)
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
                    try channel.pipeline.syncOperations.addHandler(HTTPExchange(bodyLimit: 1 << 20) { [unowned self] request in
                        let response = authorize(request.head)
                            ?? handleControl(method: request.head.method, uri: request.head.uri, body: request.body)
                        return HTTPExchange.Answer(
                            status: response.status, contentType: response.contentType, body: response.body,
                            headers: response.status == .unauthorized ? [("WWW-Authenticate", "Bearer realm=\"nip node\"")] : [],
                            afterwards: response.stopAfter ? { [unowned self] in stop() } : nil)
                    })
                }
            }
        let channel = try bind("the control endpoint (TCP)", config.control) { try bootstrap.bind(to: $0).wait() }
        controlChannel = channel
        controlAddress = channel.localAddress
    }

    /// `nil` when the request may go on: the node requires no token, the request is `GET
    /// /metrics` (counters for scrapers, nothing secret, nothing changed), or it carries
    /// `Authorization: Bearer <token>`. Otherwise a 401 with the reason, counted.
    func authorize(_ head: HTTPRequestHead) -> ControlResponse? {
        guard let expected = security.authToken else { return nil }
        let path = URLComponents(string: head.uri)?.path ?? head.uri
        if head.method == .GET && path == "/metrics" { return nil }
        let reason: String
        if let header = head.headers.first(name: "Authorization") {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer",
               NodeAuth.matches(Array(parts[1].trimmingCharacters(in: .whitespaces).utf8), expected) {
                return nil
            }
            reason = parts.first?.lowercased() == "bearer" ? "wrong token" : "the Authorization header is not `Bearer <token>`"
        } else {
            reason = "no Authorization header"
        }
        security.controlRefused += 1
        logProblem(appIndex, "control request refused: \(reason)", now: Self.now())
        return .error("unauthorized: \(reason); this node requires `Authorization: Bearer <token>` with the token of its "
                      + "`auth-token` file (nip up: the state folder's token, given to the tools by the state file or --token-file)",
                      status: .unauthorized)
    }

    func handleControl(method: HTTPMethod, uri: String, body: String) -> ControlResponse {
        let components = URLComponents(string: uri)
        let path = components?.path ?? uri
        var query: [String: String] = [:]
        for item in components?.queryItems ?? [] { query[item.name] = item.value ?? "" }
        switch (method, path) {
        case (.GET, "/status"): return .json(status())
        case (.GET, "/interfaces"): return .json(interfacesJSON())
        case (.GET, "/routes"): return .json(routesJSON(now: Self.now()))
        case (.GET, "/neighbours"): return .json(neighboursJSON(now: Self.now()))
        case (.GET, "/counters"): return .json(countersJSON())
        case (.GET, "/security"): return .json(securityJSON())
        case (.GET, "/policy"): return .json(policyJSON())
        case (.POST, "/policy"): return replacePolicy(body)
        case (.GET, "/metrics"):
            return ControlResponse(contentType: "text/plain; version=0.0.4", body: prometheusText())
        case (.POST, "/routes"): return addRoute(body)
        case (.POST, "/interfaces/down"), (.POST, "/interfaces/up"):
            return setInterface(query["name"], up: path == "/interfaces/up", now: Self.now())
        case (.POST, "/interfaces/shape"): return shapeInterface(query["name"], delay: query["delay"])
        case (.DELETE, "/routes"): return removeRoute(query: query["prefix"], body: body)
        case (.POST, "/capture"), (.DELETE, "/capture"):
            return captureRequest(add: method == .POST, interface: query["interface"], sink: query["sink"])
        case (.POST, "/shutdown"):
            var response = ControlResponse.json(.object([("stopping", .bool(true))]))
            response.stopAfter = true
            return response
        default:
            return .error("no such request: \(method) \(path); see docs/node.md", status: .notFound)
        }
    }

    private var dialectName: String { config.dialect == .compact ? "compact" : "framework" }

    func status() -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(config.name)), ("role", .string(config.role.rawValue)), ("dialect", .string(dialectName)),
            ("pid", .int(Int(getpid()))), ("uptime_seconds", .decimal(Double(Self.now() - startTime) / 1e9, digits: 3)),
            ("control", .string(controlAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "")),
            ("app", .string(appAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "")),
            ("addresses", .array(config.localAddresses.map { .string($0.description) })),
            ("resident_bytes", .int(Self.residentBytes())),
            ("ready", .bool(true)),
        ]
        for (key, value) in (statusExtras?() ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let index = members.firstIndex(where: { $0.0 == key }) { members[index].1 = .int(value) } else { members.append((key, .int(value))) }
        }
        return .object(members)
    }

    func interfacesJSON() -> JSONValue {
        .array(config.interfaces.enumerated().map { index, interface in
            var entry: [(String, JSONValue)] = [
                ("name", .string(interface.name)), ("index", .int(index)),
                ("address", .string(interface.address?.description ?? "")),
                ("delay", .string(UnitText.duration(linkDelay(index)))),
                ("queue", .string(interface.queue.discipline.rawValue)),
            ]
            switch interface.link {
            case .udp(let local, let peer):
                entry.append(("udp", .object([("local", .string(local.description)), ("peer", .string(peer.description))])))
            case .ethernet(let device, let peer, let namespace):
                entry.append(("ethernet", .object([("device", .string(device)), ("peer", .string(peer?.description ?? "broadcast")),
                                                   ("netns", .string(namespace ?? ""))])))
            case .tun(let device, let namespace, let routes, let mtu):
                entry.append(("tun", .object([("device", .string(device)), ("netns", .string(namespace ?? "")),
                                              ("routes", .array(routes.map { .string($0.description) })), ("mtu", .int(mtu))])))
            }
            let depth = dataPlane.queueDepth(index)
            entry += [("counters", countersJSON(index)), ("queue_packets", .int(depth.packets)), ("queue_bytes", .int(depth.bytes)),
                      ("up", .bool(!downLinks.contains(index))), ("carrier", .bool(!noCarrier.contains(index))),
                      ("carrier_changes", .int(counters[index].carrierChanges))]
            return .object(entry)
        })
    }

    /// Drops on `index`, by reason: arrival drops there, plus its egress queue's own.
    func drops(_ index: Int) -> DropCounters {
        var result = counters[index].drops
        if index < config.interfaces.count { result.record(.queueFull, count: dataPlane.queueFullDrops(index)) }
        return result
    }

    /// Counts by drop-reason label, sorted by label.
    private static func dropsJSON(_ drops: DropCounters) -> JSONValue {
        .object(drops.sorted.map { ($0.reason, .int($0.count)) })
    }

    func countersJSON(_ index: Int) -> JSONValue {
        let c = counters[index]
        return .object([("rx_packets", .int(c.rxPackets)), ("rx_bytes", .int(c.rxBytes)), ("tx_packets", .int(c.txPackets)),
                        ("tx_bytes", .int(c.txBytes)), ("delivered", .int(c.delivered)), ("drops", Self.dropsJSON(drops(index)))])
    }

    func countersJSON() -> JSONValue {
        // The interfaces in their order, then `app` (the node's own traffic).
        let perInterface = (0...config.interfaces.count).map { (interfaceName($0), countersJSON($0)) }
        let total = counters.reduce(into: InterfaceCounters()) { sum, c in
            sum.rxPackets += c.rxPackets
            sum.txPackets += c.txPackets
            sum.delivered += c.delivered
        }
        let allDrops = (0...config.interfaces.count).reduce(0) { $0 + drops($1).total }
        var result: [(String, JSONValue)] = [
            ("interfaces", .object(perInterface)), ("rx_packets", .int(total.rxPackets)), ("tx_packets", .int(total.txPackets)),
            ("delivered", .int(total.delivered)), ("drops", .int(allDrops)), ("buffers_out", .int(dataPlane.buffersOut)),
            // Drops of topology flows' packets by flow index (their probe), for `nip run`.
            ("flow_drops", .object(flowDrops.sorted { $0.key < $1.key }.map { (String($0.key), Self.dropsJSON($0.value)) })),
        ]
        if gateway != nil {
            result.append(("translations", .object([
                ("compact_to_ip", .int(translations.compactToIP)), ("ip_to_compact", .int(translations.ipToCompact)),
                ("failures", Self.dropsJSON(translations.failures)),
            ])))
        }
        return .object(result)
    }

    private func addRoute(_ body: String) -> ControlResponse {
        let usage = "a route needs a JSON body {\"prefix\": \"0x03\", \"via\": \"eth0\"}"
        let object: JSONValue
        let prefixText: String, via: String
        var toDelayText: String?, toHopsValue: Int?
        do {
            object = try JSONValue.parse(body)
            prefixText = try object.string("prefix")
            via = try object.string("via")
            toDelayText = try object.optionalString("to-delay")
            toHopsValue = try object.optionalInt("to-hops")
        } catch let error as JSONValue.FieldError {
            return problem("\(error.field.isEmpty ? "the body" : "`\(error.field)`") \(error.problem): \(usage)")
        } catch {
            return problem("the body is \(error): \(usage)")
        }
        guard let prefix = RouteText.prefix(prefixText, dialect: config.dialect) else {
            return problem("`\(prefixText)` is not a route prefix (0x03, 0xDE/8, 10.0.0.0/8, 2001:db8::/32, default)")
        }
        guard let interface = config.interfaces.firstIndex(where: { $0.name == via }) else {
            return problem("no interface `\(via)`; the node has \(config.interfaces.map(\.name).joined(separator: ", "))")
        }
        var toDelay: Nanoseconds = 0
        if let text = toDelayText {
            guard let value = (try? Units.duration(text)) else { return problem("to-delay `\(text)` is not a duration (2ms)") }
            toDelay = value
        }
        let toHops = toHopsValue ?? 1
        guard (0...255).contains(toHops) else { return problem("to-hops must be 0…255") }
        let replaced = dataPlane.insert(NodeDataPlane.makeRoute(interface: interface, toDelay: toDelay, toHops: toHops), for: prefix)
        logger.info("route added", metadata: ["prefix": "\(prefix)", "via": "\(via)"])
        return .json(.object([("added", .string(prefix.description)), ("replaced", .bool(replaced != nil))]))
    }

    /// `DELETE /routes`: the prefix from the query (`?prefix=0x03`) or a JSON body `{"prefix": "0x03"}`.
    private func removeRoute(query: String?, body: String) -> ControlResponse {
        var text = query
        if text == nil, !body.allSatisfy(\.isWhitespace) {
            do { text = try JSONValue.parse(body).string("prefix") } catch {
                let what = (error as? JSONValue.FieldError).map { "\($0.field.isEmpty ? "the body" : "`\($0.field)`") \($0.problem)" }
                return problem("\(what ?? "the body is \(error)"); give the prefix to remove: DELETE /routes?prefix=0x03")
            }
        }
        guard let text, let prefix = RouteText.prefix(text, dialect: config.dialect) else {
            return problem("give the prefix to remove: DELETE /routes?prefix=0x03")
        }
        guard let removed = dataPlane.remove(prefix) else { return .error("no route for \(prefix)", status: .notFound) }
        if NodeDataPlane.isLocal(removed) {
            dataPlane.insert(removed, for: prefix)
            return problem("\(prefix) is one of the node's own addresses")
        }
        logger.info("route removed", metadata: ["prefix": "\(prefix)"])
        return .json(.object([("removed", .string(prefix.description))]))
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
        return .json(.object([("interface", .string(name)), ("sink", .string(sinkText)), ("capturing", .bool(add)),
                              ("lease_seconds", .decimal(Double(Self.captureLease) / 1e9, digits: 3)), ("dialect", .string(dialectName))]))
    }

    /// A refused control request: answered with the reason, logged at most once per interval.
    func problem(_ message: String) -> ControlResponse {
        logProblem(appIndex, "control request refused: \(message)", now: Self.now())
        return .error(message)
    }
}
