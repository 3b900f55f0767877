import Foundation
import NewIPDataPlane
import NewIPEmulator
import NewIPWire

/// Turns an emulator topology (parsed by the emulator's own `TopologyParser`) into one node
/// configuration per node, so the same file runs emulated or on real processes.
///
/// Each link becomes a UDP underlay link between two loopback ports; the link's delay is
/// charged to contracts on departure as the emulator charges it, and its queue becomes the
/// interface's queue. Rates, loss and faults are the emulator's business: real sockets are
/// as fast and as lossy as they are. Routes: the emulator's own `RoutingTables` (shortest-delay
/// paths over link delays, never through hosts, ties by fewer hops then lower node index),
/// with LBF's to-delay and to-hops, plus the file's static routes.
public enum TopologyDeployment {
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

        /// The `ip` commands that make the namespaces and links (run them in order).
        public func commands(for topology: Topology) -> [String] {
            var commands = topology.nodes.map { "ip netns add \(namespace($0.name)) && ip -n \(namespace($0.name)) link set lo up" }
            for (index, link) in topology.links.enumerated() {
                let (a, b) = link.endpoints
                let (nodeA, nodeB) = (topology.nodes[a.node], topology.nodes[b.node])
                let (nameA, nameB) = (nodeA.interfaces[a.interface].name, nodeB.interfaces[b.interface].name)
                let (nsA, nsB) = (namespace(nodeA.name), namespace(nodeB.name))
                commands.append("ip link add \(nameA) netns \(nsA) address \(Self.mac(link: index, side: 0)) mtu \(link.mtu + 14 > 1500 ? link.mtu : 1500) "
                                + "type veth peer name \(nameB) netns \(nsB) address \(Self.mac(link: index, side: 1))")
                commands.append("ip -n \(nsA) link set \(nameA) up && ip -n \(nsB) link set \(nameB) up")
            }
            return commands
        }
    }

    public static func configs(for topology: Topology, ports: Ports = Ports(), namespaces: Namespaces? = nil) -> [NodeConfig] {
        // The UDP port of each interface: link i uses links + 2i (first endpoint) and + 2i + 1.
        var local: [Topology.InterfaceID: Int] = [:]
        var peerOf: [Topology.InterfaceID: Topology.InterfaceID] = [:]
        var linkOf: [Topology.InterfaceID: Topology.Link] = [:]
        for (index, link) in topology.links.enumerated() {
            let (a, b) = link.endpoints
            local[a] = ports.links + 2 * index
            local[b] = ports.links + 2 * index + 1
            peerOf[a] = b
            peerOf[b] = a
            linkOf[a] = link
            linkOf[b] = link
        }
        let routes = computeRoutes(topology)
        return topology.nodes.enumerated().map { nodeIndex, node in
            let interfaces = node.interfaces.enumerated().compactMap { interfaceIndex, interface -> NodeConfig.Interface? in
                let id = Topology.InterfaceID(node: nodeIndex, interface: interfaceIndex)
                guard let port = local[id], let peer = peerOf[id], let peerPort = local[peer], let link = linkOf[id] else { return nil }
                let queue = NodeConfig.Queue(discipline: link.queue.discipline == .lbf ? .lbf : .fifo,
                                             limits: link.queue.limits, trims: link.queue.trims)
                var wire = NodeConfig.Link.udp(local: .init(host: ports.host, port: port), peer: .init(host: ports.host, port: peerPort))
                if let namespaces, let linkIndex = topology.links.firstIndex(where: { $0.endpoints.0 == id || $0.endpoints.1 == id }) {
                    let peerSide = topology.links[linkIndex].endpoints.0 == id ? 1 : 0
                    wire = .ethernet(device: interface.name, peer: Namespaces.mac(link: linkIndex, side: peerSide),
                                     namespace: namespaces.namespace(node.name))
                }
                return NodeConfig.Interface(name: interface.name, address: interface.address, link: wire,
                                            delay: link.delay, queue: queue)
            }
            let role: NodeConfig.Role = switch node.kind {
            case .host: .host
            case .router: .router
            // `nip up` refuses gateway topologies before it gets here.
            case .gateway: .router
            }
            let staticRoutes = routes[nodeIndex].map { entry in
                NodeConfig.StaticRoute(prefix: entry.prefix, interface: node.interfaces[entry.interface].name,
                                       toDelay: entry.toDelay, toHops: entry.toHops)
            }
            return NodeConfig(name: node.name, role: role, dialect: topology.dialect, interfaces: interfaces,
                              routes: staticRoutes,
                              control: .init(host: ports.host, port: ports.control + 2 * nodeIndex),
                              app: .init(host: ports.host, port: ports.control + 2 * nodeIndex + 1))
        }
    }

    public struct RouteEntry: Sendable {
        public var prefix: RoutePrefix
        public var interface: Int
        public var toDelay: Nanoseconds
        public var toHops: Int
    }

    /// Every node's routes as the emulator computes them (`RoutingTables`): shortest-delay
    /// routes with LBF's to-delay and to-hops, then the file's static routes. A node's own
    /// addresses are left out: a node routes those to itself.
    public static func computeRoutes(_ topology: Topology) -> [[RouteEntry]] {
        RoutingTables.routes(for: topology).map { routes in
            routes.compactMap { entry in
                entry.route.nextHop.isLocal ? nil
                    : RouteEntry(prefix: entry.prefix, interface: entry.route.nextHop.interface,
                                 toDelay: entry.route.toDelay, toHops: entry.route.toHops)
            }
        }
    }
}

extension NodeConfig {
    /// The configuration as a node file (docs/node.md), as `nip up` writes it.
    public var yaml: String {
        func quoted(_ text: String) -> String { "\"\(text)\"" }
        var out = "# Written by nip up.\nname: \(name)\nrole: \(role.rawValue)\n"
        out += "dialect: \(dialect == .compact ? "compact" : "framework")\n"
        out += "control: \(control)\n"
        if let app { out += "app: \(app)\n" }
        if !addresses.isEmpty { out += "addresses: [\(addresses.map { quoted($0.description) }.joined(separator: ", "))]\n" }
        switch pingHops {
        case .counting(let limit): out += "ping-hops: \(limit)\n"
        case .remaining: out += "ping-hops: remaining\n"
        }
        out += "log: {level: \(logLevel), interval: \(Durations.text(logInterval))}\n"
        out += "read-batch: \(readBatch)\n"
        out += "interfaces:\n"
        for interface in interfaces {
            out += "  - name: \(interface.name)\n"
            if let address = interface.address { out += "    address: \(quoted(address.description))\n" }
            switch interface.link {
            case .udp(let local, let peer): out += "    udp: {local: \(quoted(local.description)), peer: \(quoted(peer.description))}\n"
            case .ethernet(let device, let peer, let namespace):
                out += "    ethernet: {device: \(device)\(peer.map { ", peer: \(quoted($0.description))" } ?? "")"
                    + "\(namespace.map { ", netns: \($0)" } ?? "")}\n"
            }
            out += "    delay: \(Durations.text(interface.delay))\n"
            var queue = "discipline: \(interface.queue.discipline.rawValue)"
            if let packets = interface.queue.limits.packets { queue += ", limit: \(packets)" }
            if let bytes = interface.queue.limits.bytes { queue += ", bytes: \(bytes)" }
            if interface.queue.trims { queue += ", trim: true" }
            out += "    queue: {\(queue)}\n"
        }
        if !routes.isEmpty {
            out += "routes:\n"
            for route in routes {
                out += "  - {prefix: \(quoted(RouteText.text(route.prefix))), via: \(route.interface), "
                    + "to-delay: \(Durations.text(route.toDelay)), to-hops: \(route.toHops)}\n"
            }
        }
        return out
    }
}

extension RouteText {
    /// The prefix as `prefix(_:dialect:)` reads it back.
    public static func text(_ prefix: RoutePrefix) -> String {
        switch prefix {
        case .eightBit(let value): "\(value)"
        case .compact(let p) where p.length == 0: "default"
        default: prefix.description
        }
    }
}
