import Foundation
import NewIPDataPlane
import NewIPTopology
import NewIPWire

/// Turns an emulator topology (parsed by the emulator's own `TopologyParser`) into one node
/// configuration per New IP node, so the same file runs emulated or on real processes.
///
/// Each link becomes a UDP underlay link between two loopback ports; the link's delay is
/// charged to contracts on departure as the emulator charges it, and its queue becomes the
/// interface's queue. The sending node spends the link's rate, delay and loss itself
/// (`emulate-link`, `LinkEmulation`), as the emulator's link does; faults stay the emulator's
/// business. In network namespaces the kernel shapes the links instead (`shaping`). Routes: the emulator's own `RoutingTables` (shortest-delay
/// paths over link delays, never through hosts, ties by fewer hops then lower node index),
/// with LBF's to-delay and to-hops, plus the file's static routes.
///
/// ManyNets topologies (IPv4/IPv6 interfaces, gateways) run only in network namespaces
/// (`Namespaces`): IP interfaces are the kernel's own (veth devices with their addresses and
/// the same routes as kernel routes), a node with only IP interfaces is a plain Linux host or
/// router, and a gateway's node process reaches its IP side through a TUN device.
public enum TopologyDeployment {
    /// One link end's shaping with Linux traffic control: netem (rate, delay and loss) where
    /// the kernel has it, else a token bucket (rate only), whose lack of delay and loss the
    /// caller reports.
    public struct LinkShaping: Sendable {
        public var namespace: String
        public var device: String
        public var bitsPerSecond: Int64
        public var delay: Nanoseconds
        public var loss: Double
        public var mtu: Int

        /// `tc` with netem: everything the link says.
        public var netemCommand: String {
            var command = "ip netns exec \(namespace) tc qdisc replace dev \(device) root netem limit 10000"
            if delay > 0 { command += " delay \(delay / 1000)us" }
            if loss > 0 { command += " loss \(loss * 100)%" }
            return command + " rate \(bitsPerSecond)bit"
        }

        /// `tc` with a token bucket: the rate alone (a bucket of two frames, 50 ms of queue).
        public var tokenBucketCommand: String {
            let burst = max(2 * (mtu + 14), Int(bitsPerSecond / 8 / 1000))
            return "ip netns exec \(namespace) tc qdisc replace dev \(device) root tbf rate \(bitsPerSecond)bit burst \(burst) latency 50ms"
        }

        /// What the token bucket leaves out, for a warning; `nil` when it leaves out nothing.
        public var missingWithoutNetem: String? {
            var missing: [String] = []
            if delay > 0 { missing.append("delay \(UnitText.duration(delay))") }
            if loss > 0 { missing.append("loss \(loss)") }
            return missing.isEmpty ? nil : missing.joined(separator: " and ")
        }
    }

    public struct Ports: Sendable {
        public var host: String
        /// First UDP port of the links; each link takes two.
        public var links: Int
        /// First control port; each node takes one, and one more for its application port.
        public var control: Int

        public init(host: String = "127.0.0.1", links: Int = 47000, control: Int = 46000) {
            self.host = host
            self.links = links
            self.control = control
        }
    }

    /// The name of a gateway's TUN interface (and device, alone in the gateway's namespace).
    public static let tunName = "nip-tun"

    /// Refuses a topology with problems (`Topology.problems()`) before any node starts, as the
    /// parser and the emulator do, so one built in code (a generator's, `BuiltInNetwork`'s) is
    /// refused with the same texts as a file.
    public static func check(_ topology: Topology) throws(TopologyError) {
        let problems = topology.problems()
        guard problems.isEmpty else { throw TopologyError(problems: problems) }
    }

    /// Why a topology cannot run with these options (`nil`: it can).
    public static func problem(with topology: Topology, namespaces: Bool) -> String? {
        for node in topology.nodes {
            if node.interfaces.contains(where: { $0.formation == .key }) {
                return "node `\(node.name)` forms its address from a key the emulator derives from the seed, and real nodes hold their own: "
                    + "write `suffix: N` for `nip up`, or give the node its key file (docs/node.md, \"Addresses from keys\")"
            }
            if node.kind == .host, node.interfaces.filter({ $0.formation != nil }).count > 1 {
                return "host `\(node.name)` forms more than one address, and a node file has one `suffix` — give the others an `address`"
            }
        }
        guard !namespaces else { return nil }
        for node in topology.nodes {
            if node.kind == .gateway {
                return "node `\(node.name)` is a gateway: its IP side is a TUN device and the IP hosts are kernel hosts, "
                    + "so this topology runs real only in network namespaces — add --netns (needs root)"
            }
            if let ip = node.interfaces.first(where: { isIP($0, topology) }) {
                return "interface `\(node.name):\(ip.name)` is \(ip.address): IP interfaces are the kernel's own, "
                    + "so this topology runs real only in network namespaces — add --netns (needs root)"
            }
        }
        return nil
    }

    /// The topology's `neighbours:` as a node's: a router's hellos offer its `prefix`; a host
    /// forms its address from the suffix its interface was written with.
    static func neighbours(_ settings: NodeConfig.Neighbours, node: Topology.Node) -> NodeConfig.Neighbours {
        guard node.kind == .host else { return .init(hello: settings.hello, hold: settings.hold, prefix: node.prefix) }
        var suffix: UInt64?
        for case .suffix(let value)? in node.interfaces.map(\.formation) { suffix = value }
        return .init(suffix: suffix)
    }

    static func isIP(_ interface: Topology.Interface, _ topology: Topology) -> Bool {
        Topology.Network(interface.address, dialect: topology.dialect).isIP
    }

    /// Whether the node runs a New IP process (it has a New IP interface); the others are
    /// kernel-only IP hosts and routers.
    public static func runsNode(_ node: Topology.Node, in topology: Topology) -> Bool {
        node.interfaces.contains { !isIP($0, topology) }
    }

    /// Raw Ethernet instead of UDP: each node's links are veth devices named after its
    /// interfaces, in a network namespace of its own (`namespace(node)`), with MAC addresses
    /// `02:4e:49:50:LL:0S` (link LL, side S) so each end knows its neighbour's.
    public struct Namespaces: Sendable {
        public var prefix: String

        public init(prefix: String) { self.prefix = prefix }

        public func namespace(_ node: String) -> String { "\(prefix)-\(node)" }

        public static func mac(link: Int, side: Int) -> EthernetAddress {
            EthernetAddress(0x02, 0x4E, 0x49, 0x50, UInt8(truncatingIfNeeded: link), UInt8(side))
        }

        /// The `ip` commands that make the namespaces and links (run them in order). IP
        /// interfaces get their address (a /32 or /128), a route to the neighbour on the link,
        /// and the kernel routes `RoutingTables` computes for them; nodes that route IP
        /// forward it.
        public func commands(for topology: Topology) -> [String] {
            var commands = topology.nodes.map { "ip netns add \(namespace($0.name)) && ip -n \(namespace($0.name)) link set lo up" }
            var peerAddress: [Topology.InterfaceID: FrameworkAddress] = [:]
            for (index, link) in topology.links.enumerated() {
                let (a, b) = link.endpoints
                let (nodeA, nodeB) = (topology.nodes[a.node], topology.nodes[b.node])
                let (interfaceA, interfaceB) = (nodeA.interfaces[a.interface], nodeB.interfaces[b.interface])
                let (nsA, nsB) = (namespace(nodeA.name), namespace(nodeB.name))
                commands.append("ip link add name \(interfaceA.name) netns \(nsA) address \(Self.mac(link: index, side: 0)) mtu \(link.mtu + 14 > 1500 ? link.mtu : 1500) "
                                + "type veth peer name \(interfaceB.name) netns \(nsB) address \(Self.mac(link: index, side: 1))")
                commands.append("ip -n \(nsA) link set dev \(interfaceA.name) up && ip -n \(nsB) link set dev \(interfaceB.name) up")
                guard isIP(interfaceA, topology) else { continue }
                peerAddress[a] = interfaceB.address
                peerAddress[b] = interfaceA.address
                for (ns, own, peer) in [(nsA, interfaceA, interfaceB), (nsB, interfaceB, interfaceA)] {
                    commands.append("ip -n \(ns) addr add \(Self.host(own.address)) dev \(own.name)\(Self.noDAD(own.address))")
                    commands.append("ip -n \(ns) route replace \(Self.host(peer.address)) dev \(own.name)")
                }
            }
            let tables = RoutingTables.routes(for: topology)
            for (index, node) in topology.nodes.enumerated() where node.interfaces.contains(where: { isIP($0, topology) }) {
                let ns = namespace(node.name)
                if node.kind != .host {
                    commands.append("ip netns exec \(ns) sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1")
                }
                for (prefix, route) in tables[index] where prefix.isIP && !route.nextHop.isLocal {
                    let id = Topology.InterfaceID(node: index, interface: route.nextHop.interface)
                    guard let via = peerAddress[id], RoutePrefix(exactly: via) != prefix else { continue }
                    commands.append("ip -n \(ns) route replace \(prefix) via \(via) dev \(node.interfaces[id.interface].name)")
                }
            }
            return commands
        }

        /// Traffic control for each end of each link, so the veth pairs carry the link's rate,
        /// delay and loss as the emulator's link does (in the sending direction of each end).
        public func shaping(for topology: Topology) -> [LinkShaping] {
            topology.links.flatMap { link in
                [link.endpoints.0, link.endpoints.1].map { end in
                    LinkShaping(namespace: namespace(topology.nodes[end.node].name),
                                device: topology.nodes[end.node].interfaces[end.interface].name,
                                bitsPerSecond: link.rate.bitsPerSecond, delay: link.delay, loss: link.loss, mtu: link.mtu)
                }
            }
        }

        /// An address as a one-host prefix (`10.0.0.1/32`, `2001:db8::1/128`).
        static func host(_ address: FrameworkAddress) -> String {
            if case .ipv4 = address { return "\(address)/32" }
            return "\(address)/128"
        }

        /// veth addresses are unique by construction: no duplicate address detection to wait for.
        static func noDAD(_ address: FrameworkAddress) -> String {
            if case .ipv6 = address { return " nodad" }
            return ""
        }
    }

    /// A fresh link key for `routing: dynamic` (32 random bytes from the system's generator).
    public static func randomLinkKey(link: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// Writes a node file, mode 0600 (it may hold the links' routing keys), replacing an older one.
    public static func write(_ config: NodeConfig, to path: String) throws {
        try PrivateFile.write(config.yaml, to: path, force: true)
    }

    /// One configuration per node that runs a New IP process (`runsNode`), in topology order.
    /// With `routing: dynamic` each node runs the routing protocol on its New IP interfaces
    /// (router id: its index + 1; each link's key from `linkKey`, the same at both ends, or
    /// none with `authentication: signature`, which `RoutingKeyDeployment` completes) and,
    /// in the compact dialect, neighbour discovery (routers send hellos), instead of routes
    /// computed offline.
    public static func configs(for topology: Topology, ports: Ports = Ports(), namespaces: Namespaces? = nil,
                               linkKey: (Int) -> [UInt8] = randomLinkKey) -> [NodeConfig] {
        // The UDP port of each interface: link i uses links + 2i (first endpoint) and + 2i + 1.
        var local: [Topology.InterfaceID: Int] = [:]
        var peerOf: [Topology.InterfaceID: Topology.InterfaceID] = [:]
        var linkOf: [Topology.InterfaceID: (index: Int, link: Topology.Link)] = [:]
        for (index, link) in topology.links.enumerated() {
            let (a, b) = link.endpoints
            local[a] = ports.links + 2 * index
            local[b] = ports.links + 2 * index + 1
            peerOf[a] = b
            peerOf[b] = a
            linkOf[a] = (index, link)
            linkOf[b] = (index, link)
        }
        let tables = RoutingTables.routes(for: topology)
        let constrained = RoutingTables.constrainedRoutes(for: topology)
        let dynamic = topology.routing == .dynamic
        // Signed updates need no link keys (`RoutingKeyDeployment` gives each router its identity).
        let signed = topology.routingAuthentication == .signature
        let keys = dynamic && !signed ? topology.links.indices.map(linkKey) : []
        return topology.nodes.enumerated().compactMap { nodeIndex, node -> NodeConfig? in
            guard runsNode(node, in: topology) else { return nil }
            var interfaces = node.interfaces.enumerated().compactMap { interfaceIndex, interface -> NodeConfig.Interface? in
                let id = Topology.InterfaceID(node: nodeIndex, interface: interfaceIndex)
                guard !isIP(interface, topology), let port = local[id], let peer = peerOf[id], let peerPort = local[peer],
                      let (linkIndex, link) = linkOf[id] else { return nil }
                var wire = NodeConfig.Link.udp(local: .init(host: ports.host, port: port), peer: .init(host: ports.host, port: peerPort))
                if let namespaces {
                    let peerSide = link.endpoints.0 == id ? 1 : 0
                    wire = .ethernet(device: interface.name, peer: Namespaces.mac(link: linkIndex, side: peerSide),
                                     namespace: namespaces.namespace(node.name))
                }
                // On loopback the node spends the link's rate, delay and loss itself (`LinkEmulation`);
                // in namespaces the kernel's traffic control shapes the veth devices (`shaping`).
                // An address the host forms (`suffix:`) is its neighbour discovery's to take.
                return NodeConfig.Interface(name: interface.name, address: interface.formation == nil ? interface.address : nil, link: wire,
                                            delay: link.delay, queue: link.queue, rate: link.rate, loss: link.loss,
                                            emulateLink: namespaces == nil)
            }
            let own = Set(node.interfaces.map { RoutePrefix(exactly: $0.address) })
            var routes: [NodeConfig.StaticRoute] = []
            var tunRoutes: [RoutePrefix] = []
            for (prefix, route) in tables[nodeIndex] where !own.contains(prefix) {
                if route.nextHop.isLocal {
                    // A gateway's names for the other side: compact ones leave through its TUN
                    // device, IP ones are routed into it by the kernel.
                    guard node.kind == .gateway else { continue }
                    if prefix.isIP { tunRoutes.append(prefix) } else {
                        routes.append(NodeConfig.StaticRoute(prefix: prefix, interface: tunName, toDelay: route.toDelay,
                                                             toHops: route.toHops))
                    }
                } else if !prefix.isIP {
                    // IP routes are the kernel's (`Namespaces.commands`).
                    routes.append(NodeConfig.StaticRoute(prefix: prefix, interface: node.interfaces[route.nextHop.interface].name,
                                                         toDelay: route.toDelay, toHops: route.toHops))
                }
            }
            if node.kind == .gateway {
                interfaces.append(NodeConfig.Interface(name: tunName, address: nil,
                                                       link: .tun(device: tunName, namespace: namespaces?.namespace(node.name),
                                                                  routes: tunRoutes)))
            }
            let role: NodeConfig.Role = switch node.kind {
            case .host: .host
            case .router: .router
            case .gateway: .gateway
            }
            var config = NodeConfig(name: node.name, role: role, dialect: topology.dialect, interfaces: interfaces,
                                    routes: routes,
                                    control: .init(host: ports.host, port: ports.control + 2 * nodeIndex),
                                    app: .init(host: ports.host, port: ports.control + 2 * nodeIndex + 1),
                                    mapping: node.kind == .gateway ? node.gateway?.mapping ?? GatewayMapping() : nil)
            if dynamic {
                config.routing = NodeConfig.Routing(routerID: UInt64(nodeIndex + 1), interfaces: node.interfaces.indices.compactMap { interface in
                    let id = Topology.InterfaceID(node: nodeIndex, interface: interface)
                    guard !isIP(node.interfaces[interface], topology), let peer = peerOf[id], let (linkIndex, _) = linkOf[id] else { return nil }
                    return NodeConfig.Routing.Interface(name: node.interfaces[interface].name,
                                                        neighbour: topology.interface(peer).address, key: signed ? nil : .bytes(keys[linkIndex]))
                }, damping: topology.routingDamping, prefix: node.prefix)
                if topology.dialect == .compact { config.neighbours = node.kind == .host ? .init() : .init(hello: 1_000_000_000) }
            }
            if let settings = topology.neighbours {
                config.neighbours = neighbours(settings, node: node)
            }
            // Senders' path constraints: the routes over what each allows, in a stable order.
            config.pathRoutes = constrained[nodeIndex].sorted { $0.key.body.lexicographicallyPrecedes($1.key.body) }.map { item, entries in
                NodeConfig.PathRoutes(constraint: item, routes: entries.compactMap { prefix, route in
                    guard !route.nextHop.isLocal, !prefix.isIP else { return nil }
                    return NodeConfig.StaticRoute(prefix: prefix, interface: node.interfaces[route.nextHop.interface].name,
                                                  toDelay: route.toDelay, toHops: route.toHops)
                })
            }
            return config
        }
    }
}
