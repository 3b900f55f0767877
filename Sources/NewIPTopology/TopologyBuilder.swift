import NewIPDataPlane
import NewIPWire

/// Turns a YAML tree into a `Topology`, section by section, reporting every problem in what
/// is written to the reader; cross-references (endpoints, flows) are resolved against what
/// was read before. Whether the network makes sense is `Topology.problems()`'s to say: the
/// builder records where each element was written (`SourcePositions`) so those problems
/// point into the file too.
final class TopologyBuilder {
    let reader: YAMLReader
    var dialect: PacketDialect = .compact
    var duration: Nanoseconds = 0
    var nodes: [Topology.Node] = []
    var nodeIndex: [String: Int] = [:]
    var links: [Topology.Link] = []
    /// Elements the reader already found wrong (or, for interfaces, whose link it dropped),
    /// whose `Topology.problems()` would only repeat or follow from that.
    var reported: Set<TopologyProblem.Subject> = []
    /// Interfaces that form their address (`suffix:`), with where the suffix is written.
    var formations: [(id: Topology.InterfaceID, node: YAMLNode)] = []

    /// Threads that read the flows (the results do not depend on their number).
    let threads: Int

    init(reader: YAMLReader, threads: Int) {
        self.reader = reader
        self.threads = max(1, threads)
    }

    static let topKeys = ["name", "seed", "duration", "dialect", "routing", "nodes", "links", "flows", "domains", "neighbours"]

    func build(_ root: YAMLNode, defaultName: String) -> Topology? {
        guard let fields = reader.fields(root, "the topology", allowed: Self.topKeys, required: ["duration", "nodes", "links"]) else {
            return nil
        }
        let name = fields["name"].flatMap { reader.name($0, "topology name") } ?? defaultName
        let seed = fields["seed"].flatMap { node -> UInt64? in
            guard let text = reader.text(node, "seed") else { return nil }
            guard let value = UInt64(text) else {
                reader.error(node, "seed `\(text)` is not a whole number from 0 to 2^64−1", fix: "write e.g. `seed: 42`")
                return nil
            }
            return value
        } ?? 1
        var positions = SourcePositions()
        if let node = fields["duration"], let value = reader.quantity(node, "duration", reader.units.duration) {
            duration = value
            positions["duration"] = reader.location(node)
        } else {
            reported.insert(.topology)
        }
        dialect = fields["dialect"].flatMap { reader.choice($0, "dialect", DialectName.self) }?.dialect ?? .compact
        let (routing, damping, authentication) = fields["routing"].flatMap(readRouting) ?? (.shortestDelay, RoutingDamping(), .none)
        if let node = fields["nodes"] { readNodes(node) }
        if let node = fields["links"] { readLinks(node) }
        var topology = Topology(name: name, seed: seed, duration: duration, dialect: dialect, routing: routing,
                                nodes: nodes, links: links)
        topology.positions = positions
        topology.routingDamping = damping
        topology.routingAuthentication = authentication
        if let node = fields["domains"] { topology.domains = readDomains(node) }
        topology.neighbours = fields["neighbours"].flatMap(readNeighbours)
        formAddresses(&topology)
        if let node = fields["flows"] { topology.flows = readFlows(node, in: topology) }
        return topology
    }

    private enum DialectName: String, CaseIterable {
        case compact, framework

        var dialect: PacketDialect { self == .compact ? .compact : .framework }
    }

    // MARK: Nodes

    private func readNodes(_ node: YAMLNode) {
        guard let mapping = reader.mapping(node, "`nodes`") else { return }
        if mapping.isEmpty { reader.error(node, "`nodes` is empty", fix: "define at least two nodes") }
        for (key, value) in mapping {
            let before = reader.diagnostics.count
            guard let name = reader.name(key, "node name") else { continue }
            guard let fields = reader.fields(value, "node `\(name)`", allowed: ["kind", "interfaces", "routes", "prefix", "faults"] + Self.gatewayKeys,
                                             required: ["kind", "interfaces"]) else { continue }
            let kind = fields["kind"].flatMap { reader.choice($0, "node kind", Topology.NodeKind.self) }
            var interfaces: [Topology.Interface] = []
            if let node = fields["interfaces"], let mapping = reader.mapping(node, "`interfaces` of `\(name)`") {
                if mapping.isEmpty { reader.error(node, "node `\(name)` has no interfaces", fix: "add e.g. `eth0: {address: \"0x01\"}`") }
                for (interfaceKey, interfaceValue) in mapping {
                    let id = Topology.InterfaceID(node: nodes.count, interface: interfaces.count)
                    guard let interface = readInterface(interfaceKey, interfaceValue, node: name, id: id) else { continue }
                    interfaces.append(interface)
                }
            }
            let routes = fields["routes"].map { readRoutes($0, node: name, interfaces: interfaces) } ?? []
            let gateway = readGateway(fields, node: name, kind: kind)
            let prefix = fields["prefix"].flatMap { readNodePrefix($0, node: name) }
            let crashes = fields["faults"].flatMap { readNodeFaults($0, node: name) } ?? []
            if reader.diagnostics.count > before { reported.insert(.node(nodes.count)) }
            nodeIndex[name] = nodes.count
            var node = Topology.Node(name: name, kind: kind ?? .router, interfaces: interfaces, routes: routes,
                                     location: reader.location(key), gateway: gateway, prefix: prefix)
            node.positions["kind"] = fields.key("kind").map { reader.location($0) }
            node.positions["prefix"] = fields["prefix"].map { reader.location($0) }
            node.crashes = crashes
            nodes.append(node)
        }
    }

    private func readInterface(_ key: YAMLNode, _ value: YAMLNode, node: String, id: Topology.InterfaceID) -> Topology.Interface? {
        guard let name = reader.name(key, "interface name") else { return nil }
        var addressNode: YAMLNode?
        var capture = false
        var positions = SourcePositions(reader.location(key))
        if case .scalar = value {
            addressNode = value
        } else if let fields = reader.fields(value, "interface `\(node):\(name)`", allowed: ["address", "capture", "suffix"]) {
            addressNode = fields["address"]
            capture = fields["capture"].flatMap { reader.bool($0, "capture") } ?? false
            if let suffix = fields["suffix"] {
                if addressNode != nil {
                    reader.error(suffix, "interface `\(node):\(name)` has both an `address` and a `suffix` to form one",
                                 fix: "keep one: `address` configures it, `suffix` forms it from its router's prefix")
                }
                let formation = readFormation(suffix, interface: "\(node):\(name)")
                positions["suffix"] = reader.location(suffix)
                guard let formation else {
                    reported.insert(.interface(id))
                    return Topology.Interface(name: name, address: .compact(.any), positions: positions)
                }
                formations.append((id, suffix))
                var interface = Topology.Interface(name: name, address: .compact(.any), capture: capture, positions: positions)
                interface.formation = formation
                return interface
            }
            if addressNode == nil {
                reader.error(value, "interface `\(node):\(name)` is missing `address`",
                             fix: "add `address: …` (see docs/topology.md), or `suffix: …` to form it by neighbour discovery")
            }
        }
        // A bad address is reported, and the interface kept so links to it raise no more errors.
        guard let addressNode,
              let address = reader.quantity(addressNode, "address of `\(node):\(name)`", { (text) throws(UnitProblem) in
                  try AddressText.address(text, dialect: dialect)
              }) else {
            reported.insert(.interface(id))
            return Topology.Interface(name: name, address: .compact(.any), positions: positions)
        }
        positions["address"] = reader.location(addressNode)
        return Topology.Interface(name: name, address: address, capture: capture, positions: positions)
    }

    /// A node's own compact prefix, `0xF20010/20`.
    private func readNodePrefix(_ node: YAMLNode, node name: String) -> CompactAddressPrefix? {
        guard let text = reader.text(node, "prefix of `\(name)`") else { return nil }
        guard let prefix = CompactAddressPrefix(text), ForwardingTable.canRoute(prefix) else {
            reader.error(node, "prefix `\(text)` of `\(name)` is not a compact prefix that holds addresses",
                         fix: "write hex bytes and a bit length, e.g. \"0xF20010/20\"")
            return nil
        }
        return prefix
    }

    private func readRoutes(_ node: YAMLNode, node name: String, interfaces: [Topology.Interface]) -> [Topology.StaticRoute] {
        guard let mapping = reader.mapping(node, "`routes` of `\(name)`") else { return [] }
        var routes: [Topology.StaticRoute] = []
        for (key, value) in mapping {
            let via = reader.text(value, "route interface")
            let interface = via.flatMap { via in interfaces.firstIndex { $0.name == via } }
            let network = interface.map { Topology.Network(interfaces[$0].address, dialect: dialect) } ?? .newIP
            let prefixes = reader.quantity(key, "route prefix", { (text) throws(UnitProblem) in
                try AddressText.prefixes(text, dialect: dialect, network: network)
            })
            guard let via else { continue }
            guard let interface else {
                reader.error(value, "node `\(name)` has no interface `\(via)`\(Suggestion.hint(for: via, in: interfaces.map(\.name)))",
                             fix: "route via one of \(interfaces.map(\.name).joined(separator: ", "))")
                continue
            }
            routes += (prefixes ?? []).map { Topology.StaticRoute(prefix: $0, interface: interface, location: reader.location(key)) }
        }
        return routes
    }

    /// `node` or `node:interface` (a bare node means its first interface).
    func interfaceReference(_ node: YAMLNode, _ context: String, requireInterface: Bool) -> Topology.InterfaceID? {
        guard let text = reader.text(node, context) else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, !parts[0].isEmpty, parts.count == 1 || !parts[1].isEmpty,
              !requireInterface || parts.count == 2 else {
            reader.error(node, "\(context) `\(text)` is not `node:interface`", fix: "write e.g. r1:eth0")
            return nil
        }
        guard let index = nodeIndex[parts[0]] else {
            reader.error(node, "\(context) names unknown node `\(parts[0])`\(Suggestion.hint(for: parts[0], in: nodes.map(\.name)))",
                         fix: "use a node defined under `nodes`")
            return nil
        }
        let interfaces = nodes[index].interfaces
        guard parts.count == 2 else {
            guard !interfaces.isEmpty else { return nil }
            return Topology.InterfaceID(node: index, interface: 0)
        }
        guard let interface = interfaces.firstIndex(where: { $0.name == parts[1] }) else {
            let names = interfaces.map(\.name)
            reader.error(node, "node `\(parts[0])` has no interface `\(parts[1])`\(Suggestion.hint(for: parts[1], in: names))",
                         fix: names.isEmpty ? "define its interfaces first" : "use one of \(names.joined(separator: ", "))")
            return nil
        }
        return Topology.InterfaceID(node: index, interface: interface)
    }
}
