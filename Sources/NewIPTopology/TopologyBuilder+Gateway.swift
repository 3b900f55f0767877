import NewIPDataPlane
import NewIPWire
import Yams

extension TopologyBuilder {
    static let gatewayKeys = ["map", "ipv6-prefix", "compact-prefix"]

    /// A gateway's `map`, `ipv6-prefix` and `compact-prefix`, and the checks that it joins a
    /// compact island to an IP network. `nil` for other kinds (which may not use the keys).
    func readGateway(_ fields: YAMLReader.Fields, node name: String, kind: Topology.NodeKind?,
                     interfaces: [Topology.Interface]) -> Topology.GatewaySpec? {
        guard kind == .gateway else {
            for key in Self.gatewayKeys {
                guard let node = fields.key(key) else { continue }
                reader.error(node, "`\(key)` applies only to `kind: gateway`", fix: "remove it, or make `\(name)` a gateway")
            }
            return nil
        }
        let at = fields.key("kind")
        guard dialect == .compact else {
            reader.error(at, "gateway `\(name)` translates compact New IP to and from IP, and this topology is framework",
                         fix: "set `dialect: compact`, or make it a router")
            return nil
        }
        let networks = Set(interfaces.map { Topology.Network($0.address, dialect: dialect) })
        if !networks.contains(.newIP) || !networks.contains(where: \.isIP), !interfaces.isEmpty {
            reader.error(at, "gateway `\(name)` needs a compact interface and an IPv4 or IPv6 interface",
                         fix: "give one interface a compact address (0x10) and another an IP address (2001:db8::1)")
        }
        var spec = Topology.GatewaySpec()
        if let node = fields["map"] { spec.bindings = reader.gatewayBindings(node, "`map` of `\(name)`") }
        spec.ipv6Prefix = fields["ipv6-prefix"].flatMap(reader.ipv6Prefix)
        if let node = fields["compact-prefix"] {
            for item in reader.items(node) {
                let prefix = reader.quantity(item, "compact-prefix", { (text) throws(UnitProblem) -> CompactAddressPrefix in
                    guard let prefix = CompactAddressPrefix(text), ForwardingTable.canRoute(prefix) else {
                        throw UnitProblem(problem: "`\(text)` is not a compact prefix that holds addresses",
                                          fix: "write hex bytes and a bit length such as 0xF1/8")
                    }
                    return prefix
                })
                if let prefix { spec.compactPrefixes.append(prefix) }
            }
        }
        return spec
    }

    /// A link carries one network: both ends compact (New IP), both IPv4 or both IPv6.
    func checkNetworks(of link: (Topology.InterfaceID, Topology.InterfaceID), at node: Node) -> Bool {
        let (a, b) = link
        let networkA = Topology.Network(nodes[a.node].interfaces[a.interface].address, dialect: dialect)
        let networkB = Topology.Network(nodes[b.node].interfaces[b.interface].address, dialect: dialect)
        guard networkA != networkB else { return true }
        reader.error(node, "the link joins \(networkA.withArticle(dialect: dialect)) interface (`\(interfaceName(a))`) and "
                     + "\(networkB.withArticle(dialect: dialect)) one (`\(interfaceName(b))`)",
                     fix: "give both ends addresses of one family; a `kind: gateway` node joins networks")
        return false
    }

    private func interfaceName(_ id: Topology.InterfaceID) -> String {
        "\(nodes[id.node].name):\(nodes[id.node].interfaces[id.interface].name)"
    }
}
