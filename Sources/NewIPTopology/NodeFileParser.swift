import NewIPDataPlane
import NewIPWire

extension NodeConfig {
    /// Reads and parses the node file at `path`, named in errors as `--config` gave it.
    public static func load(path: String) throws(TopologyError) -> NodeConfig {
        try parse(yaml: YAMLReader.text(ofFile: path, option: "--config"), file: path)
    }

    /// Parses and validates a whole node file with the topology files' reader: every problem
    /// is reported as `file:line:column: what is wrong — how to fix it`, and a file with any
    /// problem yields no configuration.
    public static func parse(yaml: String, file: String = "node.yaml") throws(TopologyError) -> NodeConfig {
        let root = try YAMLReader.root(of: yaml, file: file, empty: "describe the node: name, control and interfaces (see docs/node.md)")
        let reader = YAMLReader(file: file, guide: "docs/node.md")
        let config = NodeFileParser(reader: reader).node(root)
        guard reader.diagnostics.isEmpty, let config else { throw TopologyError(reader.diagnostics) }
        return config
    }
}

/// Turns a node file's YAML tree into a `NodeConfig`, reporting every problem to the reader.
/// An interface's name counts as declared even when the rest of it is wrong, so routes via
/// it raise no more errors.
struct NodeFileParser {
    let reader: YAMLReader

    static let topKeys = ["name", "role", "dialect", "addresses", "interfaces", "routes", "control", "app", "ping-hops",
                          "log", "read-batch", "gateway", "security", "border", "path-routes", "auth-token", "spoofer",
                          "neighbours", "routing"]
    static let interfaceKeys = ["name", "address", "udp", "ethernet", "tun", "delay", "queue", "rate", "loss", "emulate-link"]

    /// swift-log's levels.
    private enum LogLevel: String, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    func node(_ root: YAMLNode) -> NodeConfig? {
        guard let top = reader.fields(root, "the node", allowed: Self.topKeys, required: ["control"]) else { return nil }
        let name = top["name"].flatMap { reader.name($0, "node name") } ?? "node"
        let role = top["role"].flatMap { reader.choice($0, "role", NodeConfig.Role.self) } ?? .router
        let dialect = top["dialect"].flatMap { reader.choice($0, "dialect", PacketDialect.self) } ?? .compact
        let addresses = top["addresses"].map { reader.items($0).compactMap { address($0, dialect: dialect) } } ?? []
        var declared: [String] = []
        var interfaces: [NodeConfig.Interface] = []
        if let node = top["interfaces"], let items = reader.sequence(node, "`interfaces`") {
            if items.isEmpty { reader.error(node, "the node has no interfaces", fix: "add one, e.g. `- {name: eth0, udp: {local: …, peer: …}}`") }
            for item in items {
                guard let fields = reader.fields(item, "an interface", allowed: Self.interfaceKeys, required: ["name"]),
                      let nameNode = fields["name"], let name = reader.name(nameNode, "interface name") else { continue }
                guard !declared.contains(name) else {
                    reader.error(nameNode, "interface `\(name)` is defined twice", fix: "give each interface its own name")
                    continue
                }
                declared.append(name)
                if let interface = interface(fields, name: name, dialect: dialect, role: role) { interfaces.append(interface) }
            }
        }
        let tuns = Set(interfaces.filter(\.link.isTun).map(\.name))
        let routes = top["routes"].flatMap { reader.sequence($0, "`routes`") }?.compactMap {
            route($0, dialect: dialect, interfaces: declared, tuns: tuns)
        } ?? []
        let control = top["control"].flatMap { endpoint($0, "control") }
        let app = top["app"].flatMap { endpoint($0, "app") }
        var pingHops = PingHopPolicy.counting(limit: 64)
        if let node = top["ping-hops"] {
            if node.scalar?.string == "remaining" {
                pingHops = .remaining
            } else if let limit = reader.integer(node, "ping-hops", in: 1...65535) {
                pingHops = .counting(limit: UInt16(limit))
            }
        }
        var logInterval: Nanoseconds = 10_000_000_000
        var logLevel = LogLevel.info
        if let node = top["log"], let log = reader.fields(node, "log", allowed: ["level", "interval"]) {
            logInterval = log["interval"].flatMap { reader.quantity($0, "log interval", Units.duration) } ?? logInterval
            logLevel = log["level"].flatMap { reader.choice($0, "log level", LogLevel.self) } ?? logLevel
        }
        let readBatch = top["read-batch"].flatMap { reader.integer($0, "read-batch", in: 1...1024) } ?? 64
        // The gateway's interface count is checked only when every interface was read.
        let mapping = gateway(top, role: role, dialect: dialect,
                              interfaces: interfaces.count == declared.count ? interfaces : nil)
        let security = top["security"].flatMap {
            NodeFileSecurityParser(reader: reader).security($0, role: role, interfaces: declared)
        }
        let border = top["border"].flatMap { NodeFileBorderParser(reader: reader).border($0, role: role, dialect: dialect) }
        let constrained = top["path-routes"].map { self.pathRoutes($0, role: role, dialect: dialect, interfaces: declared, tuns: tuns) } ?? []
        guard let control else { return nil }
        var config = NodeConfig(name: name, role: role, dialect: dialect, addresses: addresses, interfaces: interfaces,
                                routes: routes, control: control, app: app, pingHops: pingHops, logInterval: logInterval,
                                logLevel: logLevel.rawValue, readBatch: readBatch, mapping: mapping)
        config.security = security
        config.border = border
        config.pathRoutes = constrained
        config.neighbours = top["neighbours"].flatMap { NodeFileNeighboursParser(reader: reader).neighbours($0, role: role, dialect: dialect) }
        config.routing = top["routing"].flatMap {
            NodeFileRoutingParser(reader: reader).routing($0, dialect: dialect, interfaces: declared, tuns: tuns)
        }
        config.authToken = top["auth-token"].flatMap { reader.text($0, "auth-token file") }
        if let node = top["spoofer"], let spoofer = reader.bool(node, "spoofer") {
            if spoofer && role != .host {
                reader.error(node, "`spoofer` is for hosts: a \(role.rawValue) sends no applications' packets of its own",
                             fix: "remove it, or set `role: host`")
            }
            config.spoofer = spoofer
        }
        return config
    }

    /// `host:port` or `[v6]:port`.
    func endpoint(_ node: YAMLNode, _ context: String) -> NodeConfig.Endpoint? {
        guard let text = reader.text(node, context) else { return nil }
        guard let endpoint = NodeConfig.Endpoint(text) else {
            reader.error(node, "\(context) `\(text)` is not host:port", fix: "write e.g. 127.0.0.1:7001 (a port from 0 to 65535)")
            return nil
        }
        return endpoint
    }

    /// An address of the node's own dialect (IP addresses belong to tun interfaces).
    func address(_ node: YAMLNode, dialect: PacketDialect) -> FrameworkAddress? {
        guard let text = reader.text(node, "an address") else { return nil }
        switch dialect {
        case .compact:
            if let address = CompactAddress(text) { return .compact(address) }
            reader.error(node, "`\(text)` is not a compact address", fix: "write hex bytes such as 0x01 or 0xDE00")
        case .framework:
            if let address = FrameworkAddress(text) { return address }
            reader.error(node, "`\(text)` is not a framework address", fix: "write 0x01, 10.0.0.1, 2001:db8::1 or 7")
        }
        return nil
    }

    /// A gateway's `gateway:` section and the checks that it has one compact and one tun
    /// side; `interfaces` is nil when some could not be read.
    func gateway(_ top: YAMLReader.Fields, role: NodeConfig.Role, dialect: PacketDialect,
                 interfaces: [NodeConfig.Interface]?) -> GatewayMapping? {
        guard role == .gateway else {
            if let key = top.key("gateway") {
                reader.error(key, "`gateway` applies only to `role: gateway`", fix: "remove it, or set `role: gateway`")
            }
            return nil
        }
        let at = top.key("role")
        if dialect != .compact {
            reader.error(at, "a gateway translates compact New IP, and this node is framework", fix: "set `dialect: compact`")
        }
        if let interfaces {
            let tuns = interfaces.filter(\.link.isTun).count
            if tuns != 1 || tuns == interfaces.count {
                reader.error(at, "a gateway needs exactly one `tun` interface (its IP side) and at least one New IP interface",
                             fix: "add `- {name: ip, address: \"2001:db8:1::1\", tun: {device: nip0}}` beside the udp/ethernet interfaces")
            }
        }
        guard let node = top["gateway"], let fields = reader.fields(node, "gateway", allowed: ["map", "ipv6-prefix"]) else {
            return GatewayMapping()
        }
        let bindings = fields["map"].map { reader.gatewayBindings($0, "`map`") } ?? []
        return Topology.GatewaySpec(bindings: bindings, ipv6Prefix: fields["ipv6-prefix"].flatMap(reader.ipv6Prefix)).mapping
    }

    /// One interface, its name read: exactly one of `udp`, `ethernet` and `tun`.
    func interface(_ fields: YAMLReader.Fields, name: String, dialect: PacketDialect, role: NodeConfig.Role) -> NodeConfig.Interface? {
        let delay = fields["delay"].flatMap { reader.quantity($0, "delay", Units.duration) } ?? 0
        let queue = fields["queue"].flatMap(reader.queue) ?? QueueSpec()
        let rate = fields["rate"].flatMap { reader.quantity($0, "rate", Units.bitRate) }
        let loss = fields["loss"].flatMap { reader.probability($0, "loss") } ?? 0
        let emulateLink = fields["emulate-link"].flatMap { reader.bool($0, "emulate-link") } ?? false
        if emulateLink, fields["udp"] == nil, let node = fields["emulate-link"] {
            reader.error(node, "interface `\(name)`: `emulate-link` is for `udp` interfaces",
                         fix: "shape an ethernet link with tc (netem), or remove `emulate-link`")
        }
        let kinds = ["udp", "ethernet", "tun"].filter { fields[$0] != nil }
        guard kinds.count == 1 else {
            reader.error(fields.node, "interface `\(name)` needs exactly one of `udp`, `ethernet` and `tun`",
                         fix: kinds.isEmpty ? "add `udp: {local: 127.0.0.1:7001, peer: 127.0.0.1:7002}`"
                             : "keep one of \(kinds.map { "`\($0)`" }.joined(separator: " and "))")
            return nil
        }
        if let tun = fields["tun"] {
            return tunInterface(tun, key: fields.key("tun"), name: name, address: fields["address"], role: role, delay: delay, queue: queue)
        }
        let address = fields["address"].flatMap { self.address($0, dialect: dialect) }
        let link: NodeConfig.Link
        if let udp = fields["udp"] {
            guard let u = reader.fields(udp, "udp of `\(name)`", allowed: ["local", "peer"], required: ["local", "peer"]) else { return nil }
            let local = u["local"].flatMap { endpoint($0, "udp local") }
            let peer = u["peer"].flatMap { endpoint($0, "udp peer") }
            guard let local, let peer else { return nil }
            link = .udp(local: local, peer: peer)
        } else {
            guard let e = reader.fields(fields["ethernet"]!, "ethernet of `\(name)`", allowed: ["device", "peer", "netns"],
                                        required: ["device"]) else { return nil }
            let device = e["device"].flatMap { reader.text($0, "ethernet device") }
            let peer = e["peer"].flatMap { node in
                reader.quantity(node, "ethernet peer", { (text) throws(UnitProblem) -> EthernetAddress in
                    guard let mac = EthernetAddress(text) else {
                        throw UnitProblem(problem: "`\(text)` is not a MAC address", fix: "write e.g. 02:00:00:00:00:01")
                    }
                    return mac
                })
            }
            let namespace = e["netns"].flatMap { reader.text($0, "netns") }
            guard let device, e["peer"] == nil || peer != nil else { return nil }
            link = .ethernet(device: device, peer: peer, namespace: namespace)
        }
        return NodeConfig.Interface(name: name, address: address, link: link, delay: delay, queue: queue,
                                    rate: rate, loss: loss, emulateLink: emulateLink)
    }

    /// A gateway's IP side: `tun: {device, netns, routes, mtu}` with an IPv4 or IPv6 `address`.
    func tunInterface(_ tun: YAMLNode, key: YAMLNode?, name: String, address addressNode: YAMLNode?, role: NodeConfig.Role,
                      delay: Nanoseconds, queue: QueueSpec) -> NodeConfig.Interface? {
        if role != .gateway {
            reader.error(key, "interface `\(name)`: only a gateway has a `tun` interface", fix: "set `role: gateway`, or use udp/ethernet")
        }
        let address = addressNode.flatMap { node -> FrameworkAddress? in
            guard let text = reader.text(node, "an address") else { return nil }
            guard let ip = FrameworkAddress(text), ip.type == .ipv4 || ip.type == .ipv6 else {
                reader.error(node, "`\(text)`: a tun interface's address is IPv4 or IPv6", fix: "write e.g. 2001:db8:1::1 (the device gets it)")
                return nil
            }
            return ip
        }
        guard let t = reader.fields(tun, "tun of `\(name)`", allowed: ["device", "netns", "routes", "mtu"], required: ["device"]) else {
            return nil
        }
        let routes = t["routes"].map { node in
            reader.items(node).compactMap { item -> RoutePrefix? in
                guard let text = reader.text(item, "a tun route") else { return nil }
                guard let prefix = RouteText.prefix(text, dialect: .framework), prefix.isIP else {
                    reader.error(item, "`\(text)` is not an IPv4 or IPv6 prefix", fix: "write e.g. 2001:db8:f::/64 or 192.0.2.0/24")
                    return nil
                }
                return prefix
            }
        } ?? []
        let largest = NodeConfig.packetBufferBytes - NodeConfig.packetHeadroom
        let mtu = t["mtu"].flatMap { reader.integer($0, "tun mtu", in: 68...largest) } ?? 1500
        let namespace = t["netns"].flatMap { reader.text($0, "netns") }
        guard let deviceNode = t["device"], let device = reader.text(deviceNode, "tun device") else { return nil }
        guard (1...15).contains(device.utf8.count) else {
            reader.error(deviceNode, "tun device `\(device)` is not a Linux interface name of at most 15 characters",
                         fix: "write e.g. `device: nip0`")
            return nil
        }
        return NodeConfig.Interface(name: name, address: address, link: .tun(device: device, namespace: namespace, routes: routes, mtu: mtu),
                                    delay: delay, queue: queue)
    }

    /// `{prefix, via, to-delay, to-hops}`; `via` names a declared interface.
    func route(_ node: YAMLNode, dialect: PacketDialect, interfaces: [String], tuns: Set<String>) -> NodeConfig.StaticRoute? {
        guard let f = reader.fields(node, "a route", allowed: ["prefix", "via", "to-delay", "to-hops"], required: ["prefix", "via"]) else {
            return nil
        }
        let prefixText = f["prefix"].flatMap { reader.text($0, "route prefix") }
        let via = f["via"].flatMap { reader.text($0, "route interface") }
        let toDelay = f["to-delay"].flatMap { reader.quantity($0, "to-delay", Units.duration) } ?? 0
        let toHops = f["to-hops"].flatMap { reader.integer($0, "to-hops", in: 0...255) } ?? 1
        let prefix = prefixText.flatMap { RouteText.prefix($0, dialect: dialect) }
        if let prefixText, prefix == nil {
            reader.error(f["prefix"], "`\(prefixText)` is not a route prefix", fix: "write 0x03, 0xDE/8, 10.0.0.0/8, 2001:db8::/32 or default")
        }
        if let via, !interfaces.contains(via) {
            reader.error(f["via"], "no interface `\(via)`\(Suggestion.hint(for: via, in: interfaces))",
                         fix: interfaces.isEmpty ? "define the node's interfaces first" : "route via one of \(interfaces.joined(separator: ", "))")
            return nil
        }
        guard let prefix, let via, let prefixText else { return nil }
        if tuns.contains(via) && prefix.isIP {
            reader.error(f["prefix"], "`\(prefixText)` via the tun `\(via)`: routes here are for New IP destinations",
                         fix: "route compact names to the tun (`0xF1/8`); put IP prefixes under the tun's `routes`")
            return nil
        }
        return NodeConfig.StaticRoute(prefix: prefix, interface: via, toDelay: toDelay, toHops: toHops)
    }
}
