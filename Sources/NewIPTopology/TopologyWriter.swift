import NewIPDataPlane

/// A topology as YAML the parser reads back: one line per interface, link and flow.
public enum TopologyWriter {
    public static func yaml(_ topology: Topology) -> String {
        var out = """
        name: \(topology.name)
        seed: \(topology.seed)
        duration: \(UnitText.duration(topology.duration))
        dialect: \(topology.dialect == .compact ? "compact" : "framework")
        routing: \(topology.routing.rawValue)

        """
        if let neighbours = topology.neighbours, let hello = neighbours.hello {
            out += "neighbours: {hello: \(UnitText.duration(hello))\(neighbours.hold.map { ", hold: \(UnitText.duration($0))" } ?? "")}\n"
        }
        out += "nodes:\n"
        for node in topology.nodes {
            out += "  \(node.name):\n    kind: \(node.kind.rawValue)\n"
            if let prefix = node.prefix { out += "    prefix: \"\(prefix)\"\n" }
            out += "    interfaces:\n"
            for interface in node.interfaces {
                let address = switch interface.formation {
                case nil: "address: \"\(interface.address)\""
                case .suffix(let suffix): "suffix: \(suffix)"
                case .key: "suffix: key"
                }
                out += "      \(interface.name): {\(address)\(interface.capture ? ", capture: true" : "")}\n"
            }
            if !node.routes.isEmpty {
                out += "    routes:\n"
                for route in node.routes {
                    out += "      \"\(AddressText.text(route.prefix))\": \(node.interfaces[route.interface].name)\n"
                }
            }
            if let gateway = node.gateway {
                if !gateway.bindings.isEmpty {
                    let pairs = gateway.bindings.map { "\"\($0.compact)\": \"\($0.ip)\"" }
                    out += "    map: {" + pairs.joined(separator: ", ") + "}\n"
                }
                if let prefix = gateway.ipv6Prefix { out += "    ipv6-prefix: \"\(prefix)\"\n" }
                if !gateway.compactPrefixes.isEmpty {
                    out += "    compact-prefix: [" + gateway.compactPrefixes.map { "\"\($0)\"" }.joined(separator: ", ") + "]\n"
                }
            }
        }
        out += "links:\n"
        for link in topology.links {
            out += "  - {endpoints: [\(topology.name(of: link.endpoints.0)), \(topology.name(of: link.endpoints.1))]"
            out += ", rate: \(UnitText.bitRate(link.rate)), delay: \(UnitText.duration(link.delay))"
            if link.loss > 0 { out += ", loss: \(link.loss)" }
            if link.mtu != 1500 { out += ", mtu: \(link.mtu)" }
            out += ", queue: \(queueText(link.queue))"
            if link.faults.isActive { out += ", faults: {drop: \(link.faults.drop), corrupt: \(link.faults.corrupt)}" }
            out += "}\n"
        }
        if !topology.domains.isEmpty { out += domainsText(topology.domains) }
        guard !topology.flows.isEmpty else { return out }
        out += "flows:\n"
        for flow in topology.flows {
            out += "  - {name: \(flow.name), from: \(topology.name(of: flow.source)), to: \(topology.name(of: flow.destination))"
            if let address = flow.destinationAddress { out += ", to-address: \"\(address)\"" }
            out += ", \(patternText(flow.pattern))"
            if flow.chunks.isEmpty { out += ", size: \(sizeText(flow.size))" }
            out += ", start: \(UnitText.duration(flow.start)), stop: \(UnitText.duration(flow.stop))"
            if let contract = flow.contract { out += ", contract: \(contractText(contract))" }
            if let window = flow.window {
                out += ", window: {min: \(UnitText.duration(window.min)), max: \(UnitText.duration(window.max))}"
            }
            if !flow.chunks.isEmpty {
                let chunks = flow.chunks.map { "{significance: \($0.significance), bytes: \($0.length)}" }
                out += ", chunks: [" + chunks.joined(separator: ", ") + "]"
            }
            if let constraint = flow.pathConstraint {
                out += ", \(constraint.mode.name): [\(constraint.domains.joined(separator: ", "))]"
            }
            out += "}\n"
        }
        return out
    }

    /// `domains:`, one line per domain.
    private static func domainsText(_ domains: [Topology.Domain]) -> String {
        var out = "domains:\n"
        for domain in domains {
            out += "  - {name: \(domain.name), admission: \(domain.admission.rawValue), members: [\(domain.members.joined(separator: ", "))]"
            if let hops = domain.firstHops { out += ", first-hops: [\(hops.joined(separator: ", "))]" }
            out += ", window: \(UnitText.duration(domain.window)), checkpoint-interval: \(UnitText.duration(domain.checkpointInterval))"
            if !domain.notEnrolled.isEmpty { out += ", not-enrolled: [\(domain.notEnrolled.joined(separator: ", "))]" }
            if let bits = domain.selfCertifying { out += ", self-certifying: \(bits)" }
            if let period = domain.keyEpoch { out += ", key-epoch: \(UnitText.duration(period))" }
            if !domain.spoofers.isEmpty {
                let spoofers = domain.spoofers.map { "\($0.host): {claims: \($0.claims), authenticator: \($0.authenticator.rawValue)}" }
                out += ", spoofers: {\(spoofers.joined(separator: ", "))}"
            }
            if !domain.revocations.isEmpty {
                out += ", revocations: {\(domain.revocations.map { "\($0.host): \(UnitText.duration($0.at))" }.joined(separator: ", "))}"
            }
            if !domain.border.isEmpty { out += ", border: [\(domain.border.joined(separator: ", "))]" }
            if !domain.policy.isEmpty { out += ", policy: [\(domain.policy.map(\.text).joined(separator: ", "))]" }
            if !domain.policyChanges.isEmpty {
                let changes = domain.policyChanges.map { "\(UnitText.duration($0.at)): [\($0.rules.map(\.text).joined(separator: ", "))]" }
                out += ", policy-changes: {\(changes.joined(separator: ", "))}"
            }
            out += "}\n"
        }
        return out
    }

    /// A queue as `queue:` in a topology or node file reads it back.
    package static func queueText(_ queue: QueueSpec) -> String {
        var parts = ["discipline: \(queue.discipline.rawValue)"]
        if let packets = queue.limits.packets { parts.append("limit: \(packets)") }
        if let bytes = queue.limits.bytes { parts.append("bytes: \(bytes)") }
        if queue.trims { parts.append("trim: true") }
        if !queue.earlyDrop { parts.append("early-drop: false") }
        if let bound = queue.bound { parts.append("bound: \(UnitText.duration(bound))") }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    private static func patternText(_ pattern: TrafficPattern) -> String {
        switch pattern {
        case .constant(let rate): "pattern: constant, rate: \(UnitText.trafficRate(rate))"
        case .poisson(let rate): "pattern: poisson, rate: \(UnitText.trafficRate(rate))"
        case .onOff(let rate, let on, let off):
            "pattern: onoff, rate: \(UnitText.trafficRate(rate)), on: \(UnitText.duration(on)), off: \(UnitText.duration(off))"
        }
    }

    private static func sizeText(_ size: PacketSize) -> String {
        switch size {
        case .fixed(let bytes): String(bytes)
        case .uniform(let range): "\"\(range.lowerBound)..\(range.upperBound)\""
        }
    }

    private static func contractText(_ contract: FlowContract) -> String {
        switch contract {
        case .latencyBased(let min, let max): "{type: lbf, min: \(UnitText.duration(min)), max: \(UnitText.duration(max))}"
        case .maxDelay(let max): "{type: mdf, max: \(UnitText.duration(max))}"
        }
    }
}
