import NewIPDataPlane
import NewIPWire

extension TopologyBuilder {
    static let gatewayKeys = ["map", "ipv6-prefix", "compact-prefix"]

    /// A gateway's `map`, `ipv6-prefix` and `compact-prefix`. `nil` for other kinds (which
    /// may not use the keys) and in a framework topology (where `Topology.problems()` refuses
    /// gateways, as it refuses one without a compact and an IP interface).
    func readGateway(_ fields: YAMLReader.Fields, node name: String, kind: Topology.NodeKind?) -> Topology.GatewaySpec? {
        guard kind == .gateway else {
            for key in Self.gatewayKeys {
                guard let node = fields.key(key) else { continue }
                reader.error(node, "`\(key)` applies only to `kind: gateway`", fix: "remove it, or make `\(name)` a gateway")
            }
            return nil
        }
        guard dialect == .compact else { return nil }
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
}
