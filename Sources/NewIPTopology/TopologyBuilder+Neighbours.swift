import NewIPDataPlane
import NewIPWire

extension TopologyBuilder {
    /// The top-level `neighbours:` section: the node files' `hello` and `hold`; `hello` is
    /// required (the routers' hellos are what hosts form their addresses from).
    func readNeighbours(_ node: YAMLNode) -> NodeConfig.Neighbours? {
        guard let neighbours = NodeFileNeighboursParser(reader: reader).neighbours(node, role: .router, dialect: dialect, keys: ["hello", "hold"])
        else { return nil }
        if neighbours.hello == nil {
            reader.error(node, "`neighbours` sends no hellos without `hello`", fix: "add `hello: 100ms` (how often routers send them)")
        }
        return neighbours
    }

    /// An interface's `suffix:`: a whole number, or `key` (the hash of the host's key).
    func readFormation(_ node: YAMLNode, interface: String) -> Topology.AddressFormation? {
        if reader.text(node, "suffix of `\(interface)`") == "key" { return .key }
        return reader.integer(node, "suffix of `\(interface)`", in: 0...Int(Int64.max)).map { .suffix(UInt64($0)) }
    }

    /// Gives every interface with a `suffix` the address it will form: its router's `prefix`
    /// followed by the suffix (or, for `key`, by bits the emulator derives from the host's
    /// key, as for any self-certifying member). Reports, at the suffix, what keeps it from
    /// forming one.
    func formAddresses(_ topology: inout Topology) {
        guard !formations.isEmpty else { return }
        let peers = topology.peers()
        let selfCertifying = Dictionary(topology.selfCertifyingInterfaces(plans: topology.domainPlans()).map { ($0.interface, $0.prefixLength) },
                                        uniquingKeysWith: { first, _ in first })
        for (id, node) in formations {
            let name = topology.name(of: id)
            guard topology.neighbours != nil else {
                reader.error(node, "`\(name)` forms its address by neighbour discovery, which is off",
                             fix: "add a top-level `neighbours: {hello: 100ms}`, or give it an `address`")
                continue
            }
            guard topology.nodes[id.node].kind == .host else {
                reader.error(node, "`suffix` is for hosts: `\(name)` is a \(topology.nodes[id.node].kind.rawValue)'s, whose addresses are configured",
                             fix: "give it an `address`")
                continue
            }
            guard let peer = peers[id] else {
                reader.error(node, "`\(name)` forms its address from its router's hellos, and no link reaches it", fix: "link it to a router")
                continue
            }
            let router = topology.nodes[peer.node]
            guard router.kind != .host, let prefix = router.prefix else {
                reader.error(node, "`\(router.name)`, at the other end of `\(name)`'s link, offers no prefix to form an address in",
                             fix: router.kind == .host ? "link `\(name)` to a router" : "give `\(router.name)` a `prefix:` (e.g. \"0xDE/8\")")
                continue
            }
            switch topology.nodes[id.node].interfaces[id.interface].formation! {
            case .suffix(let suffix):
                guard let address = prefix.address(suffix: suffix) else {
                    let free = (CompactAddress.encodedLength(forFirstByte: UInt8(truncatingIfNeeded: prefix.bits >> 56)) ?? 0) * 8 - prefix.length
                    reader.error(node, "suffix \(suffix) does not fit `\(router.name)`'s prefix \(prefix): \(max(free, 0)) bits are left after it "
                                 + "(or the address is not a valid compact one)",
                                 fix: free > 0 ? "use a suffix below \(free >= 63 ? "2^\(free)" : String(UInt64(1) << free))" : "give `\(router.name)` a shorter prefix")
                    continue
                }
                topology.nodes[id.node].interfaces[id.interface].address = .compact(address)
            case .key:
                guard selfCertifying[id] == prefix.length, let base = prefix.address(suffix: 0) ?? prefix.address(suffix: 1) else {
                    reader.error(node, "`suffix: key` forms a self-certifying address under `\(router.name)`'s prefix \(prefix), and `\(name)` is "
                                 + "not the first interface of a member of a domain with `self-certifying: \(prefix.length)`",
                                 fix: "make `\(topology.nodes[id.node].name)` a member of an open domain with `self-certifying: \(prefix.length)`, or write a number")
                    continue
                }
                // The bits after the prefix are the key's: the emulator derives them (`Governance.selfCertified`).
                topology.nodes[id.node].interfaces[id.interface].address = .compact(base)
            }
        }
    }
}
