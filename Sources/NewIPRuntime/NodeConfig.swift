import Foundation
import NewIPDataPlane
import NewIPFiles
import NewIPTopology
import NewIPWire
import Yams

/// A node's configuration (docs/node.md): what `nip node --config` reads and what `nip up`
/// writes for each node of a topology.
public struct NodeConfig: Sendable {
    public enum Role: String, Sendable, CaseIterable {
        /// Sends and receives; never forwards a packet that arrives from the network for someone else.
        case host
        /// Forwards.
        case router
        /// Forwards, and translates compact New IP + UDP to and from IPv4/IPv6 + UDP on its
        /// `tun` interface (the data plane's `Gateway`).
        case gateway
    }

    public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// `host:port` or `[v6]:port`.
        public init?(_ text: String) {
            let host: Substring, port: Substring
            if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
                host = text[text.index(after: text.startIndex)..<close]
                let rest = text[text.index(after: close)...]
                guard rest.hasPrefix(":") else { return nil }
                port = rest.dropFirst()
            } else {
                guard let colon = text.lastIndex(of: ":") else { return nil }
                host = text[..<colon]
                port = text[text.index(after: colon)...]
            }
            guard !host.isEmpty, let number = Int(port), (0...65535).contains(number) else { return nil }
            self.host = String(host)
            self.port = number
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    public enum Link: Sendable {
        /// New IP packets as UDP payloads between two sockets.
        case udp(local: Endpoint, peer: Endpoint)
        /// Ethernet frames on a Linux interface (AF_PACKET), to `peer` or broadcast; the device
        /// lives in network namespace `namespace` (`ip netns` name), or in the node's own.
        case ethernet(device: String, peer: EthernetAddress?, namespace: String? = nil)
        /// A gateway's IP side: a Linux TUN device the node creates (in `namespace`, or its own),
        /// brings up with the interface's address, and routes `routes` into; IPv4 and IPv6
        /// packets cross it without a link header.
        case tun(device: String, namespace: String? = nil, routes: [RoutePrefix] = [], mtu: Int = 1500)

        public var isTun: Bool {
            if case .tun = self { return true }
            return false
        }
    }

    /// An interface's egress queue: the same specification as a topology link's.
    public typealias Queue = QueueSpec

    public struct Interface: Sendable {
        public var name: String
        public var address: FrameworkAddress?
        public var link: Link
        /// Propagation delay of the link, charged to delay clauses on departure.
        public var delay: Nanoseconds
        public var queue: Queue

        public init(name: String, address: FrameworkAddress?, link: Link, delay: Nanoseconds = 0, queue: Queue = Queue()) {
            self.name = name
            self.address = address
            self.link = link
            self.delay = delay
            self.queue = queue
        }
    }

    public struct StaticRoute: Sendable {
        public var prefix: RoutePrefix
        public var interface: String
        public var toDelay: Nanoseconds
        public var toHops: Int

        public init(prefix: RoutePrefix, interface: String, toDelay: Nanoseconds = 0, toHops: Int = 1) {
            self.prefix = prefix
            self.interface = interface
            self.toDelay = toDelay
            self.toHops = toHops
        }
    }

    public var name: String
    public var role: Role
    public var dialect: PacketDialect
    /// Node-wide addresses besides the interfaces' own (all delivered locally).
    public var addresses: [FrameworkAddress]
    public var interfaces: [Interface]
    public var routes: [StaticRoute]
    /// HTTP control and metrics endpoint (keep it on loopback).
    public var control: Endpoint
    /// The application port: the host socket API and `nip send/listen/ping` talk to the node here.
    public var app: Endpoint?
    public var pingHops: PingHopPolicy
    /// At most one log line per interval for each kind of repeated problem.
    public var logInterval: Nanoseconds
    public var logLevel: String
    /// Datagrams per `recvmmsg` call and reads per wake-up.
    public var readBatch: Int
    /// A gateway's names for hosts on the other side (`map`, `ipv6-prefix`).
    public var mapping: GatewayMapping?

    public init(name: String, role: Role = .router, dialect: PacketDialect = .compact, addresses: [FrameworkAddress] = [],
                interfaces: [Interface], routes: [StaticRoute] = [], control: Endpoint, app: Endpoint? = nil,
                pingHops: PingHopPolicy = .counting(limit: 64), logInterval: Nanoseconds = 10_000_000_000,
                logLevel: String = "info", readBatch: Int = 64, mapping: GatewayMapping? = nil) {
        self.name = name
        self.role = role
        self.dialect = dialect
        self.addresses = addresses
        self.interfaces = interfaces
        self.routes = routes
        self.control = control
        self.app = app
        self.pingHops = pingHops
        self.logInterval = logInterval
        self.logLevel = logLevel
        self.readBatch = readBatch
        self.mapping = mapping
    }

    /// Every address this node owns: node-wide ones and the interfaces'.
    public var localAddresses: [FrameworkAddress] { addresses + interfaces.compactMap(\.address) }
}

/// A problem in a node configuration, with where and how to fix it.
public struct NodeConfigError: Error, CustomStringConvertible, Sendable {
    public var problems: [String]
    public init(_ problems: [String]) { self.problems = problems }
    public var description: String { problems.joined(separator: "\n") }
}

extension NodeConfig {
    public static func load(path: String) throws(NodeConfigError) -> NodeConfig {
        let text: String
        do { text = try InputFile.text(path, option: "--config") } catch { throw NodeConfigError([error.description]) }
        return try parse(yaml: text, file: path)
    }

    /// Parses and validates a whole file, reporting every problem found.
    public static func parse(yaml: String, file: String = "node.yaml") throws(NodeConfigError) -> NodeConfig {
        let root: Yams.Node?
        do { root = try Yams.compose(yaml: yaml) } catch { throw NodeConfigError(["\(file): YAML syntax: \(error)"]) }
        guard let root, case .mapping = root else { throw NodeConfigError(["\(file): the file must be a mapping (name, interfaces, ...)"]) }
        var reader = ConfigReader(file: file)
        let config = reader.node(root)
        guard reader.problems.isEmpty, let config else { throw NodeConfigError(reader.problems) }
        return config
    }
}

/// Reads the YAML tree, collecting every problem as `file:line: what — fix`.
private struct ConfigReader {
    let file: String
    var problems: [String] = []

    mutating func problem(_ node: Yams.Node?, _ what: String, fix: String) {
        let line = node?.mark?.line ?? 1
        problems.append("\(file):\(line): \(what) — \(fix)")
    }

    func text(_ node: Yams.Node?) -> String? { node?.scalar?.string }

    /// What a node that should have been one value is, for messages: "a list ([1, 2])".
    static func kind(of node: Yams.Node) -> String {
        switch node {
        case .sequence(let items):
            let values = items.map { $0.scalar?.string ?? "…" }
            return values.count <= 4 ? "a list ([\(values.joined(separator: ", "))])" : "a list of \(values.count) items"
        case .mapping: return "a mapping"
        default: return "`\(node.scalar?.string ?? "?")`"
        }
    }

    mutating func fields(_ node: Yams.Node, _ context: String, allowed: [String]) -> [String: Yams.Node] {
        var result: [String: Yams.Node] = [:]
        guard case .mapping(let mapping) = node else {
            problem(node, "\(context) must be a mapping", fix: "write `key: value` lines")
            return result
        }
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                problem(key, "a key in \(context) is not a plain word", fix: "use one of \(allowed.joined(separator: ", "))")
                continue
            }
            if allowed.contains(name) { result[name] = value } else {
                problem(key, "unknown key `\(name)` in \(context)", fix: "use one of \(allowed.joined(separator: ", "))")
            }
        }
        return result
    }

    mutating func endpoint(_ node: Yams.Node?, _ context: String) -> NodeConfig.Endpoint? {
        guard let node else { return nil }
        guard let text = text(node) else {
            problem(node, "\(context) is \(Self.kind(of: node)), not host:port", fix: "write one value, e.g. `\(context): 127.0.0.1:7001`")
            return nil
        }
        guard let endpoint = NodeConfig.Endpoint(text) else {
            problem(node, "\(context) `\(text)` is not host:port", fix: "write e.g. 127.0.0.1:7001 (a port from 0 to 65535)")
            return nil
        }
        return endpoint
    }

    mutating func address(_ node: Yams.Node, dialect: PacketDialect) -> FrameworkAddress? {
        guard let text = text(node) else {
            problem(node, "an address must be a single value", fix: "write e.g. \"0x01\"")
            return nil
        }
        if dialect == .compact {
            if let address = CompactAddress(text) { return .compact(address) }
        } else if let address = FrameworkAddress(text) {
            return address
        }
        problem(node, "`\(text)` is not a \(dialect == .compact ? "compact" : "framework") address",
                fix: dialect == .compact ? "write hex bytes such as 0x01 or 0xDE00" : "write 0x01, 10.0.0.1, 2001:db8::1 or 7")
        return nil
    }

    mutating func duration(_ node: Yams.Node?, _ context: String) -> Nanoseconds? {
        guard let node else { return nil }
        do throws(UnitProblem) {
            return try Units.duration(text(node) ?? "")
        } catch {
            problem(node, "\(context): \(error.problem)", fix: error.fix)
            return nil
        }
    }

    mutating func integer(_ node: Yams.Node?, _ context: String, in range: ClosedRange<Int>) -> Int? {
        guard let node else { return nil }
        guard let text = text(node), let value = Int(text), range.contains(value) else {
            problem(node, "\(context) `\(text(node) ?? "?")` is not a whole number in \(range.lowerBound)…\(range.upperBound)",
                    fix: "write a whole number")
            return nil
        }
        return value
    }

    mutating func node(_ root: Yams.Node) -> NodeConfig? {
        let top = fields(root, "the node", allowed: ["name", "role", "dialect", "addresses", "interfaces", "routes", "control",
                                                       "app", "ping-hops", "log", "read-batch", "gateway"])
        let name = text(top["name"]) ?? "node"
        var role = NodeConfig.Role.router
        if let node = top["role"] {
            if let value = text(node).flatMap(NodeConfig.Role.init(rawValue:)) {
                role = value
            } else {
                problem(node, "unknown role `\(text(node) ?? "?")`", fix: "use host, router or gateway")
            }
        }
        var dialect = PacketDialect.compact
        if let node = top["dialect"] {
            switch text(node) {
            case "compact": dialect = .compact
            case "framework": dialect = .framework
            default: problem(node, "unknown dialect `\(text(node) ?? "?")`", fix: "use compact or framework")
            }
        }
        var addresses: [FrameworkAddress] = []
        if let node = top["addresses"] {
            if case .sequence(let items) = node {
                addresses = items.compactMap { address($0, dialect: dialect) }
            } else if let one = address(node, dialect: dialect) {
                addresses = [one]
            }
        }
        var interfaces: [NodeConfig.Interface] = []
        if let node = top["interfaces"] {
            if case .sequence(let items) = node {
                for item in items {
                    if let interface = self.interface(item, dialect: dialect, role: role) { interfaces.append(interface) }
                }
            } else {
                problem(node, "`interfaces` must be a list", fix: "write one `- name: eth0 …` item per interface")
            }
        }
        let names = interfaces.map(\.name)
        for (index, name) in names.enumerated() where names[..<index].contains(name) {
            problem(top["interfaces"], "interface `\(name)` is defined twice", fix: "give each interface its own name")
        }
        var routes: [NodeConfig.StaticRoute] = []
        if let node = top["routes"] {
            if case .sequence(let items) = node {
                let tuns = Set(interfaces.filter(\.link.isTun).map(\.name))
                for item in items {
                    if let route = self.route(item, dialect: dialect, interfaces: names, tuns: tuns) { routes.append(route) }
                }
            } else {
                problem(node, "`routes` must be a list", fix: "write one `- {prefix: 0x03, via: eth0}` item per route")
            }
        }
        let control = endpoint(top["control"], "control") ?? NodeConfig.Endpoint(host: "127.0.0.1", port: 0)
        if top["control"] == nil { problem(root, "the node has no `control` endpoint", fix: "add e.g. `control: 127.0.0.1:9100`") }
        let app = endpoint(top["app"], "app")
        var pingHops = PingHopPolicy.counting(limit: 64)
        if let node = top["ping-hops"] {
            if text(node) == "remaining" { pingHops = .remaining } else if let limit = integer(node, "ping-hops", in: 1...65535) {
                pingHops = .counting(limit: UInt16(limit))
            }
        }
        var logInterval: Nanoseconds = 10_000_000_000
        var logLevel = "info"
        if let node = top["log"] {
            let log = fields(node, "log", allowed: ["level", "interval"])
            if let value = duration(log["interval"], "log interval") { logInterval = value }
            if let level = log["level"] {
                let valid = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
                if let text = text(level), valid.contains(text) { logLevel = text } else {
                    problem(level, "unknown log level", fix: "use one of \(valid.joined(separator: ", "))")
                }
            }
        }
        let readBatch = integer(top["read-batch"], "read-batch", in: 1...1024) ?? 64
        if interfaces.isEmpty && top["interfaces"] != nil { problem(top["interfaces"], "the node has no interfaces", fix: "add one") }
        let mapping = gateway(top["gateway"], role: role, roleNode: top["role"] ?? root, dialect: dialect, interfaces: interfaces)
        return NodeConfig(name: name, role: role, dialect: dialect, addresses: addresses, interfaces: interfaces,
                          routes: routes, control: control, app: app, pingHops: pingHops, logInterval: logInterval,
                          logLevel: logLevel, readBatch: readBatch, mapping: mapping)
    }

    /// A gateway's `gateway:` section and the checks that it has one compact and one tun side.
    mutating func gateway(_ node: Yams.Node?, role: NodeConfig.Role, roleNode: Yams.Node, dialect: PacketDialect,
                          interfaces: [NodeConfig.Interface]) -> GatewayMapping? {
        guard role == .gateway else {
            if let node { problem(node, "`gateway` applies only to `role: gateway`", fix: "remove it, or set `role: gateway`") }
            return nil
        }
        if dialect != .compact {
            problem(roleNode, "a gateway translates compact New IP, and this node is framework", fix: "set `dialect: compact`")
        }
        let tuns = interfaces.filter(\.link.isTun).count
        if tuns != 1 || tuns == interfaces.count {
            problem(roleNode, "a gateway needs exactly one `tun` interface (its IP side) and at least one New IP interface",
                    fix: "add `- {name: ip, address: \"2001:db8:1::1\", tun: {device: nip0}}` beside the udp/ethernet interfaces")
        }
        var mapping = GatewayMapping()
        guard let node else { return mapping }
        let f = fields(node, "gateway", allowed: ["map", "ipv6-prefix"])
        if let prefixNode = f["ipv6-prefix"] {
            if let text = text(prefixNode), let prefix = IPv6Prefix(text), prefix.length <= 64 {
                mapping.ipv6Prefix = prefix
            } else {
                problem(prefixNode, "`\(text(prefixNode) ?? "?")` is not an IPv6 prefix of at most 64 bits",
                        fix: "write e.g. 2001:db8:f::/64 (a compact address fills the low 64 bits)")
            }
        }
        if let mapNode = f["map"] {
            guard case .mapping(let pairs) = mapNode else {
                problem(mapNode, "`map` must be a mapping", fix: "write `map: {\"0xF11400\": \"2001:db8::10\"}`")
                return mapping
            }
            var bound: Set<FrameworkAddress> = []
            for (key, value) in pairs {
                guard let compact = text(key).flatMap(CompactAddress.init) else {
                    problem(key, "`\(text(key) ?? "?")` is not a compact address", fix: "map a compact address to an IP one: `\"0xF11400\": \"2001:db8::10\"`")
                    continue
                }
                switch text(value).flatMap(FrameworkAddress.init) {
                case .ipv4(let ip)? where bound.insert(.ipv4(ip)).inserted: mapping.bind(compact, to: ip)
                case .ipv6(let ip)? where bound.insert(.ipv6(ip)).inserted: mapping.bind(compact, to: ip)
                case .ipv4?, .ipv6?: problem(value, "\(text(value)!) is bound twice", fix: "bind each IP address to one compact address")
                default: problem(value, "`\(text(value) ?? "?")` is not an IPv4 or IPv6 address", fix: "write e.g. 2001:db8::10 or 192.0.2.10")
                }
            }
        }
        return mapping
    }

    mutating func interface(_ node: Yams.Node, dialect: PacketDialect, role: NodeConfig.Role) -> NodeConfig.Interface? {
        let f = fields(node, "an interface", allowed: ["name", "address", "udp", "ethernet", "tun", "delay", "queue"])
        guard let name = text(f["name"]) else {
            problem(node, "an interface has no `name`", fix: "add `name: eth0`")
            return nil
        }
        if let tun = f["tun"] {
            guard f["udp"] == nil, f["ethernet"] == nil else {
                problem(node, "interface `\(name)` needs exactly one of `udp`, `ethernet` and `tun`", fix: "keep one")
                return nil
            }
            return tunInterface(tun, name: name, address: f["address"], role: role,
                                delay: duration(f["delay"], "delay") ?? 0, queue: queue(f["queue"]))
        }
        let address = f["address"].flatMap { self.address($0, dialect: dialect) }
        var link: NodeConfig.Link?
        switch (f["udp"], f["ethernet"]) {
        case (let udp?, nil):
            let u = fields(udp, "udp of `\(name)`", allowed: ["local", "peer"])
            if let local = endpoint(u["local"], "udp local"), let peer = endpoint(u["peer"], "udp peer") {
                link = .udp(local: local, peer: peer)
            } else if u["local"] == nil || u["peer"] == nil {
                problem(udp, "udp of `\(name)` needs `local` and `peer`", fix: "write `udp: {local: 127.0.0.1:7001, peer: 127.0.0.1:7002}`")
            }
        case (nil, let ethernet?):
            let e = fields(ethernet, "ethernet of `\(name)`", allowed: ["device", "peer", "netns"])
            guard let device = text(e["device"]) else {
                problem(ethernet, "ethernet of `\(name)` needs `device`", fix: "write `ethernet: {device: veth0}`")
                return nil
            }
            var peer: EthernetAddress?
            if let node = e["peer"] {
                peer = text(node).flatMap(EthernetAddress.init)
                if peer == nil { problem(node, "`\(text(node) ?? "?")` is not a MAC address", fix: "write e.g. 02:00:00:00:00:01") }
            }
            link = .ethernet(device: device, peer: peer, namespace: text(e["netns"]))
        default:
            problem(node, "interface `\(name)` needs exactly one of `udp`, `ethernet` and `tun`", fix: "add `udp: {local: …, peer: …}`")
        }
        let delay = duration(f["delay"], "delay") ?? 0
        let queue = queue(f["queue"])
        guard let link else { return nil }
        return NodeConfig.Interface(name: name, address: address, link: link, delay: delay, queue: queue)
    }

    /// A gateway's IP side: `tun: {device, netns, routes, mtu}` with an IPv4 or IPv6 `address`.
    mutating func tunInterface(_ tun: Yams.Node, name: String, address addressNode: Yams.Node?, role: NodeConfig.Role,
                               delay: Nanoseconds, queue: NodeConfig.Queue) -> NodeConfig.Interface? {
        if role != .gateway {
            problem(tun, "interface `\(name)`: only a gateway has a `tun` interface", fix: "set `role: gateway`, or use udp/ethernet")
        }
        let t = fields(tun, "tun of `\(name)`", allowed: ["device", "netns", "routes", "mtu"])
        guard let device = text(t["device"]), (1...15).contains(device.utf8.count) else {
            problem(tun, "tun of `\(name)` needs `device`, a Linux interface name of at most 15 characters", fix: "write `tun: {device: nip0}`")
            return nil
        }
        var address: FrameworkAddress?
        if let addressNode {
            switch text(addressNode).flatMap(FrameworkAddress.init) {
            case let ip? where ip.type == .ipv4 || ip.type == .ipv6: address = ip
            default: problem(addressNode, "`\(text(addressNode) ?? "?")`: a tun interface's address is IPv4 or IPv6",
                             fix: "write e.g. 2001:db8:1::1 (the device gets it)")
            }
        }
        var routes: [RoutePrefix] = []
        if let node = t["routes"] {
            let items: [Yams.Node]
            if case .sequence(let sequence) = node { items = Array(sequence) } else { items = [node] }
            for item in items {
                switch text(item).flatMap({ RouteText.prefix($0, dialect: .framework) }) {
                case let prefix? where prefix.isIP: routes.append(prefix)
                default: problem(item, "`\(text(item) ?? "?")` is not an IPv4 or IPv6 prefix", fix: "write e.g. 2001:db8:f::/64 or 192.0.2.0/24")
                }
            }
        }
        let mtu = integer(t["mtu"], "tun mtu", in: 68...(NodeDataPlane.bufferCapacity - NodeDataPlane.headroom)) ?? 1500
        return NodeConfig.Interface(name: name, address: address,
                                    link: .tun(device: device, namespace: text(t["netns"]), routes: routes, mtu: mtu),
                                    delay: delay, queue: queue)
    }

    mutating func queue(_ node: Yams.Node?) -> NodeConfig.Queue {
        var queue = NodeConfig.Queue()
        if let q = node {
            if case .scalar = q {
                if let d = text(q).flatMap(NodeConfig.Queue.Discipline.init(rawValue:)) { queue.discipline = d } else {
                    problem(q, "unknown queue discipline", fix: "use fifo or lbf")
                }
            } else {
                let qf = fields(q, "queue", allowed: ["discipline", "limit", "bytes", "trim"])
                if let node = qf["discipline"] {
                    if let d = text(node).flatMap(NodeConfig.Queue.Discipline.init(rawValue:)) { queue.discipline = d } else {
                        problem(node, "unknown queue discipline", fix: "use fifo or lbf")
                    }
                }
                let packets = integer(qf["limit"], "queue limit", in: 1...1_000_000)
                let bytes = integer(qf["bytes"], "queue bytes", in: 64...1_000_000_000)
                if packets != nil || bytes != nil { queue.limits = QueueLimits(packets: packets, bytes: bytes) }
                if let node = qf["trim"] {
                    switch text(node) {
                    case "true": queue.trims = true
                    case "false": queue.trims = false
                    default: problem(node, "trim `\(text(node) ?? "?")` is not true or false", fix: "write `trim: true`")
                    }
                    if queue.trims && bytes == nil { problem(node, "trimming needs a byte limit", fix: "add `bytes: 65536`") }
                }
            }
        }
        return queue
    }

    mutating func route(_ node: Yams.Node, dialect: PacketDialect, interfaces: [String], tuns: Set<String>) -> NodeConfig.StaticRoute? {
        let f = fields(node, "a route", allowed: ["prefix", "via", "to-delay", "to-hops"])
        guard let prefixText = text(f["prefix"]), let via = text(f["via"]) else {
            problem(node, "a route needs `prefix` and `via`", fix: "write `- {prefix: 0x03, via: eth1}`")
            return nil
        }
        guard let prefix = RouteText.prefix(prefixText, dialect: dialect) else {
            problem(f["prefix"], "`\(prefixText)` is not a route prefix", fix: "write 0x03, 0xDE/8, 10.0.0.0/8, 2001:db8::/32 or default")
            return nil
        }
        guard interfaces.contains(via) else {
            problem(f["via"], "no interface `\(via)`", fix: "route via one of \(interfaces.joined(separator: ", "))")
            return nil
        }
        if tuns.contains(via) && prefix.isIP {
            problem(f["prefix"], "`\(prefixText)` via the tun `\(via)`: routes here are for New IP destinations",
                    fix: "route compact names to the tun (`0xF1/8`); put IP prefixes under the tun's `routes`")
            return nil
        }
        let toDelay = duration(f["to-delay"], "to-delay") ?? 0
        let toHops = integer(f["to-hops"], "to-hops", in: 0...255) ?? 1
        return NodeConfig.StaticRoute(prefix: prefix, interface: via, toDelay: toDelay, toHops: toHops)
    }
}

/// Route prefixes as written in node files and control requests.
public enum RouteText {
    /// `0x03` (exact), `0xDE/8`, `10.0.0.0/8`, `2001:db8::/32`, `7` (framework one-byte), as in
    /// topologies, and `default`: the compact `/0` (no IP family is ever implied).
    public static func prefix(_ text: String, dialect: PacketDialect) -> RoutePrefix? {
        if text == "default" { return .compact(.all) }
        return (try? AddressText.prefixes(text, dialect: dialect))?.first
    }

    /// The prefix as `prefix(_:dialect:)` reads it back.
    public static func text(_ prefix: RoutePrefix) -> String {
        if case .compact(let p) = prefix, p.length == 0 { return "default" }
        return AddressText.text(prefix)
    }
}
