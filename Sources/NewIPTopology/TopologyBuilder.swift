import NewIPDataPlane
import NewIPWire
import Yams

/// Turns a YAML tree into a `Topology`, section by section, reporting every problem to the
/// reader; cross-references (endpoints, flows) are resolved against what was read before.
final class TopologyBuilder {
    let reader: YAMLReader
    var dialect: PacketDialect = .compact
    var duration: Nanoseconds = 0
    var nodes: [Topology.Node] = []
    var nodeIndex: [String: Int] = [:]
    /// The key of each interface, for problems found later (an interface on no link).
    var interfaceKeys: [[Node]] = []
    /// Which link took each interface: the link's index and position.
    var attachments: [Topology.InterfaceID: (link: Int, location: SourceLocation)] = [:]
    var links: [Topology.Link] = []
    private var addressOwners: [FrameworkAddress: String] = [:]

    init(reader: YAMLReader) { self.reader = reader }

    static let topKeys = ["name", "seed", "duration", "dialect", "routing", "nodes", "links", "flows"]

    func build(_ root: Node, defaultName: String) -> Topology? {
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
        if let node = fields["duration"], let value = reader.quantity(node, "duration", Units.duration) {
            if value > 0 { duration = value } else { reader.error(node, "duration is zero", fix: "run for a positive time, e.g. 2s") }
        }
        dialect = fields["dialect"].flatMap { reader.choice($0, "dialect", DialectName.self) }?.dialect ?? .compact
        let routing = fields["routing"].flatMap { reader.choice($0, "routing", Topology.Routing.self) } ?? .shortestDelay
        if let node = fields["nodes"] { readNodes(node) }
        if let node = fields["links"] { readLinks(node) }
        checkAttachments()
        var topology = Topology(name: name, seed: seed, duration: duration, dialect: dialect, routing: routing,
                                nodes: nodes, links: links)
        if let node = fields["flows"] { topology.flows = readFlows(node, in: topology) }
        return topology
    }

    private enum DialectName: String, CaseIterable {
        case compact, framework

        var dialect: PacketDialect { self == .compact ? .compact : .framework }
    }

    // MARK: Nodes

    private func readNodes(_ node: Node) {
        guard let mapping = reader.mapping(node, "`nodes`") else { return }
        if mapping.isEmpty { reader.error(node, "`nodes` is empty", fix: "define at least two nodes") }
        for (key, value) in mapping {
            guard let name = reader.name(key, "node name") else { continue }
            guard let fields = reader.fields(value, "node `\(name)`", allowed: ["kind", "interfaces", "routes"] + Self.gatewayKeys,
                                             required: ["kind", "interfaces"]) else { continue }
            let kind = fields["kind"].flatMap { reader.choice($0, "node kind", Topology.NodeKind.self) }
            var interfaces: [Topology.Interface] = []
            var keys: [Node] = []
            if let node = fields["interfaces"], let mapping = reader.mapping(node, "`interfaces` of `\(name)`") {
                if mapping.isEmpty { reader.error(node, "node `\(name)` has no interfaces", fix: "add e.g. `eth0: {address: \"0x01\"}`") }
                for (interfaceKey, interfaceValue) in mapping {
                    guard let interface = readInterface(interfaceKey, interfaceValue, node: name) else { continue }
                    interfaces.append(interface)
                    keys.append(interfaceKey)
                }
            }
            let routes = fields["routes"].map { readRoutes($0, node: name, interfaces: interfaces) } ?? []
            let gateway = readGateway(fields, node: name, kind: kind, interfaces: interfaces)
            nodeIndex[name] = nodes.count
            nodes.append(Topology.Node(name: name, kind: kind ?? .router, interfaces: interfaces, routes: routes,
                                       location: reader.location(key), gateway: gateway))
            interfaceKeys.append(keys)
        }
    }

    private func readInterface(_ key: Node, _ value: Node, node: String) -> Topology.Interface? {
        guard let name = reader.name(key, "interface name") else { return nil }
        var addressNode: Node?
        var capture = false
        if case .scalar = value {
            addressNode = value
        } else if let fields = reader.fields(value, "interface `\(node):\(name)`", allowed: ["address", "capture"],
                                             required: ["address"]) {
            addressNode = fields["address"]
            capture = fields["capture"].flatMap { reader.bool($0, "capture") } ?? false
        }
        // A bad address is reported, and the interface kept so links to it raise no more errors.
        guard let addressNode,
              let address = reader.quantity(addressNode, "address of `\(node):\(name)`", { (text) throws(UnitProblem) in
                  try AddressText.address(text, dialect: dialect)
              }) else { return Topology.Interface(name: name, address: .compact(.any)) }
        if let owner = addressOwners[address] {
            reader.error(addressNode, "address \(address) of `\(node):\(name)` is already used by `\(owner)`",
                         fix: "give each interface its own address")
        } else {
            addressOwners[address] = "\(node):\(name)"
        }
        return Topology.Interface(name: name, address: address, capture: capture)
    }

    private func readRoutes(_ node: Node, node name: String, interfaces: [Topology.Interface]) -> [Topology.StaticRoute] {
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
            if dialect == .compact, let prefix = prefixes?.first, Self.network(of: prefix) != network {
                reader.error(key, "route `\(prefix)` is \(Self.network(of: prefix).name(dialect: dialect)), but `\(via)` is "
                             + "\(network.withArticle(dialect: dialect)) interface",
                             fix: "route it via \(Self.network(of: prefix).withArticle(dialect: dialect)) interface")
                continue
            }
            routes += (prefixes ?? []).map { Topology.StaticRoute(prefix: $0, interface: interface) }
        }
        return routes
    }

    /// The network a prefix's addresses are in (compact dialect).
    static func network(of prefix: RoutePrefix) -> Topology.Network {
        switch prefix {
        case .ipv4: .ipv4
        case .ipv6: .ipv6
        case .compact, .eightBit: .newIP
        }
    }

    /// Every interface must be on a link: an unattached one could never send or receive.
    private func checkAttachments() {
        for (nodeIndex, node) in nodes.enumerated() {
            for (index, interface) in node.interfaces.enumerated()
            where attachments[Topology.InterfaceID(node: nodeIndex, interface: index)] == nil {
                reader.error(interfaceKeys[nodeIndex][index], "interface `\(node.name):\(interface.name)` is on no link",
                             fix: "add a link with endpoint \(node.name):\(interface.name), or remove the interface")
            }
        }
    }

    /// `node` or `node:interface` (a bare node means its first interface).
    func interfaceReference(_ node: Node, _ context: String, requireInterface: Bool) -> Topology.InterfaceID? {
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
