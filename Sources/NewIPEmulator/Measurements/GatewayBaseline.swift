import NewIPDataPlane
import NewIPJSON
import NewIPTopology
import NewIPWire

/// Gateway translation against native IPv6 end to end: the island behind a gateway (compact
/// New IP on its links, translated to IPv6 at the gateway) and the same island speaking IPv6
/// itself (every island interface takes the IPv6 name the gateway gave it, the gateway becomes
/// a plain router), carrying the same UDP datagrams at the same times. Compared: delivery,
/// one-way delay, and network-header bytes per packet.
public struct GatewayBaseline: Sendable {
    public struct Outcome: Sendable {
        public var name: String
        public var flows: [FlowResult]
        /// The island's links (both directions): packets, bytes and header bytes carried.
        public var islandPackets: Int
        public var islandBytes: Int
        public var islandHeaderBytes: Int
    }

    public let gateway: String
    /// The island's nodes, gateway excluded.
    public let island: [String]
    public let duration: Nanoseconds
    /// Through the gateway (as written), then native IPv6.
    public let outcomes: [Outcome]

    /// `nil` when the topology has no gateway with an island behind it.
    public init?(topology: Topology, asWritten: EmulationResults) throws {
        guard let gatewayIndex = topology.nodes.firstIndex(where: { $0.kind == .gateway && $0.gateway != nil }) else { return nil }
        let gatewayNode = topology.nodes[gatewayIndex]
        let mapping = gatewayNode.gateway!.mapping
        let compactSide = gatewayNode.interfaces.indices.filter { topology.network(of: .init(node: gatewayIndex, interface: $0)) == .newIP }
        // The island: every node reached from the gateway's compact interfaces without crossing the gateway.
        var islandNodes = Set<Int>(), frontier: [Int] = []
        for link in topology.links {
            let (a, b) = link.endpoints
            for (near, far) in [(a, b), (b, a)] where near.node == gatewayIndex && compactSide.contains(near.interface) {
                if islandNodes.insert(far.node).inserted { frontier.append(far.node) }
            }
        }
        while let node = frontier.popLast() {
            for link in topology.links {
                let (a, b) = link.endpoints
                for (near, far) in [(a, b), (b, a)] where near.node == node && far.node != gatewayIndex {
                    if islandNodes.insert(far.node).inserted { frontier.append(far.node) }
                }
            }
        }
        guard !islandNodes.isEmpty else { return nil }
        gateway = gatewayNode.name
        island = islandNodes.sorted().map { topology.nodes[$0].name }
        duration = topology.duration

        var native = topology
        func ipv6Name(_ address: FrameworkAddress) -> FrameworkAddress? {
            guard case .compact(let compact) = address, let name = mapping.ipv6(for: compact, port: 0)?.address else { return nil }
            return .ipv6(name)
        }
        for node in islandNodes {
            for interface in native.nodes[node].interfaces.indices {
                guard let name = ipv6Name(native.nodes[node].interfaces[interface].address) else { return nil }
                native.nodes[node].interfaces[interface].address = name
            }
        }
        for interface in compactSide {
            guard let name = ipv6Name(native.nodes[gatewayIndex].interfaces[interface].address) else { return nil }
            native.nodes[gatewayIndex].interfaces[interface].address = name
        }
        native.nodes[gatewayIndex].kind = .router
        native.nodes[gatewayIndex].gateway = nil
        // The same UDP datagrams: an island sender's packets grow by what IPv6 adds to its header.
        var flowIndices: [Int] = []
        for (index, flow) in topology.flows.enumerated()
        where islandNodes.contains(flow.source.node) || islandNodes.contains(flow.destination.node) {
            flowIndices.append(index)
            native.flows[index].destinationAddress = nil
            guard islandNodes.contains(flow.source.node), let result = asWritten.flows.first(where: { $0.name == flow.name }),
                  result.sent > 0 else { continue }
            let growth = IPv6Header.encodedLength - result.sentHeaderBytes / result.sent
            switch flow.size {
            case .fixed(let size): native.flows[index].size = .fixed(size + growth)
            case .uniform(let range): native.flows[index].size = .uniform(range.lowerBound + growth...range.upperBound + growth)
            }
        }
        let nativeResults = try Emulation(topology: native).run()
        let islandLinks = Set(topology.links.indices.filter { islandNodes.contains(topology.links[$0].endpoints.0.node)
            || islandNodes.contains(topology.links[$0].endpoints.1.node) }.flatMap { [2 * $0, 2 * $0 + 1] })
        func outcome(_ name: String, _ results: EmulationResults) -> Outcome {
            let links = results.links.indices.filter { islandLinks.contains($0) }.map { results.links[$0] }
            return Outcome(name: name, flows: flowIndices.map { results.flows[$0] },
                           islandPackets: links.reduce(0) { $0 + $1.packets }, islandBytes: links.reduce(0) { $0 + $1.bytes },
                           islandHeaderBytes: links.reduce(0) { $0 + $1.headerBytes })
        }
        outcomes = [outcome("New IP island + gateway", asWritten), outcome("native IPv6", nativeResults)]
    }
}

extension GatewayBaseline {
    public static let header = ["path", "flow", "sent", "delivered", "p50 ms", "mean ms", "header B/packet sent",
                                "header B/packet delivered"]

    public var rows: [[String]] {
        outcomes.flatMap { outcome in
            outcome.flows.map { flow in
                [outcome.name, flow.name, "\(flow.sent)", "\(flow.delivered)", QueueBaselines.milliseconds(flow.latency?.p50),
                 QueueBaselines.milliseconds(flow.latency.map { Nanoseconds($0.mean.rounded()) }),
                 Self.decimal(flow.sentHeaderPerPacket), Self.decimal(flow.deliveredHeaderPerPacket)]
            }
        }
    }

    /// `value` with one decimal.
    static func decimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// The verdict, every number from the runs.
    public var findings: [String] {
        guard outcomes.count == 2 else { return [] }
        let (gatewayRun, native) = (outcomes[0], outcomes[1])
        var out: [String] = []
        let inbound = zip(gatewayRun.flows, native.flows).filter { $0.0.sentHeaderPerPacket < $0.1.sentHeaderPerPacket }
        let compared = inbound.compactMap { pair -> String? in
            guard let viaGateway = pair.0.latency, let direct = pair.1.latency else { return nil }
            return "`\(pair.0.name)` p50 \(QueueBaselines.milliseconds(viaGateway.p50)) ms through the gateway against "
                + "\(QueueBaselines.milliseconds(direct.p50)) ms native (\(Self.decimal(pair.0.sentHeaderPerPacket)) against "
                + "\(Self.decimal(pair.1.sentHeaderPerPacket)) header bytes per packet as sent)"
        }
        if !compared.isEmpty { out.append("Island senders: " + compared.joined(separator: "; ") + ".") }
        let saved = native.islandBytes - gatewayRun.islandBytes
        out.append("The island's links carried \(gatewayRun.islandBytes) bytes (\(gatewayRun.islandHeaderBytes) of them network headers) "
                   + "with New IP against \(native.islandBytes) (\(native.islandHeaderBytes)) with native IPv6: "
                   + (saved >= 0 ? "\(saved) bytes less airtime" : "\(-saved) bytes more airtime") + " for the same datagrams.")
        var concessions: [String] = []
        let slower = inbound.filter { ($0.0.latency?.p50 ?? 0) > ($0.1.latency?.p50 ?? .max) }.map { "`\($0.0.name)`" }
        if !slower.isEmpty { concessions.append("native IPv6 is faster for " + slower.joined(separator: ", ")) }
        let outbound = zip(gatewayRun.flows, native.flows).filter { $0.0.sentHeaderPerPacket >= $0.1.sentHeaderPerPacket }
        if !outbound.isEmpty {
            concessions.append("packets from the IPv6 side (" + outbound.map { "`\($0.0.name)`" }.joined(separator: ", ")
                               + ") carry the same 40-byte header until the gateway either way")
        }
        let lost = zip(gatewayRun.flows, native.flows).filter { $0.0.delivered < $0.1.delivered }.map { "`\($0.0.name)`" }
        if !lost.isEmpty { concessions.append("the gateway path delivers fewer packets of " + lost.joined(separator: ", ")) }
        concessions.append("the gateway is a stateful translation point the native path does not need (its mapping must be "
                           + "configured, and contracts and payload specs end there)")
        out.append("Where New IP does not win: " + concessions.joined(separator: "; ") + ".")
        return out
    }

    /// A section of docs/claims.md.
    public func markdown(source: String) -> String {
        var out = "## Gateway translation against native IPv6\n\n"
        out += "Published claim: small New IP addresses let constrained networks (ManyNets) spend less of a slow link on headers, "
            + "and a gateway connects them to IP. Measured on \(source): the island behind `\(gateway)` ("
            + island.map { "`\($0)`" }.joined(separator: ", ") + ") as written, and the same island speaking IPv6 end to end "
            + "(each interface takes the IPv6 name the gateway gave it, the gateway becomes a router), the same UDP datagrams at "
            + "the same times. Header bytes are the network header (New IP, IPv4 or IPv6), UDP not counted.\n\n"
        out += MarkdownTable.text(header: Self.header, rows: rows, textColumns: 2) + "\n"
        for finding in findings { out += "- \(finding)\n" }
        return out
    }
}

extension GatewayBaseline {
    /// The runs behind the section, as JSON (flows in the schema of results.json).
    public var json: JSONValue {
        .object([
            ("gateway", .string(gateway)), ("island", .array(island.map { .string($0) })),
            ("outcomes", .array(outcomes.map { outcome in
                .object([
                    ("name", .string(outcome.name)), ("island_packets", .int(outcome.islandPackets)),
                    ("island_bytes", .int(outcome.islandBytes)), ("island_header_bytes", .int(outcome.islandHeaderBytes)),
                    ("flows", .array(outcome.flows.map { $0.json(manyNets: true) })),
                ])
            })),
        ])
    }
}
