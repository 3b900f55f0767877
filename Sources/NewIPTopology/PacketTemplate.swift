import NewIPDataPlane
import NewIPWire

/// The header a flow's packets start with, encoded once: addresses, the contract clause and
/// the payload spec, in the topology's dialect, or a plain IPv4 or IPv6 header when the
/// flow starts on an IP interface. Each packet is this header, a UDP header when the flow
/// uses UDP, the probe, then the payload (the chunks, or zeros).
///
/// Flows inside one New IP network carry the probe right after the header (protocol 253).
/// Flows that start on an IP interface or cross into another network (through a gateway)
/// carry UDP (next header 17, ports `udpPort`, a valid checksum), which is what a gateway
/// translates.
package struct PacketTemplate: Sendable {
    /// The network header (New IP, IPv4 or IPv6), its length fields filled per packet.
    package let header: [UInt8]
    /// How the UDP checksum is computed, or `nil` for the probe straight after the header.
    package let udp: UDPChecksum?

    /// Compact packets carry RFC 3692's experimental protocol number: the payload is the
    /// emulator's probe, not UDP (whose length and checksum trimming would have to fix).
    package static let nextHeader = NextHeader(rawValue: 253)
    package static let initialTTL: UInt8 = 64
    /// Source and destination port of flows over UDP (CoAP's, as IoT readings use).
    package static let udpPort: UInt16 = 5683

    /// The pseudo header the UDP checksum covers.
    package enum UDPChecksum: Sendable {
        case compact(source: CompactAddress, destination: CompactAddress)
        /// The sum of the addresses and the protocol; the length is added per packet.
        case ipv4(UInt64)
        case ipv6(UInt64)
    }

    /// Where the probe starts: after the header and, over UDP, the UDP header.
    package var probeOffset: Int { header.count + (udp == nil ? 0 : UDPHeader.encodedLength) }

    /// A source authenticator's room in the header (docs/wire.md, "Source authenticator"):
    /// the compact extension item (type 3, 14-byte body) or the framework clause (`0x0011`),
    /// zeroed; the sending host seals it (epoch, timestamp, MAC) per packet.
    package struct Authenticator: Sendable {
        package var extensionItem: [UInt8]
        package var clause: ContractClause

        package init(extensionItem: [UInt8], clause: ContractClause) {
            self.extensionItem = extensionItem
            self.clause = clause
        }

        /// Epoch, modifier, timestamp and MAC all zero, no key.
        package static let placeholder = Authenticator(
            extensionItem: [3, 14] + [UInt8](repeating: 0, count: 14),
            clause: .unknown(type: .sourceAuthenticator, body: [UInt8](repeating: 0, count: 14)))
    }

    /// The header for `flow`, or why it cannot be built. `source` replaces the source address
    /// (a spoofer's claim); `authenticator` is placed first among the extensions or clauses.
    package init(flow: Topology.Flow, in topology: Topology, source claimed: FrameworkAddress? = nil,
                 authenticator: Authenticator? = nil) throws(UnitProblem) {
        let network = topology.network(of: flow.source)
        let source = claimed ?? topology.interface(flow.source).address
        let destination = try Self.destination(of: flow, from: network, in: topology)
        let usesUDP = network.isIP || topology.network(of: flow.destination) != network
        if network.isIP {
            guard flow.contract == nil, flow.chunks.isEmpty else {
                throw UnitProblem(problem: "`\(topology.name(of: flow.source))` speaks plain \(network.name(dialect: topology.dialect)), "
                                      + "whose packets carry no contract or chunks",
                                  fix: "remove `contract` and `chunks`, or send from a New IP interface")
            }
            switch (source, destination) {
            case (.ipv6(let from), .ipv6(let to)):
                header = Array(unsafeUninitializedCapacity: IPv6Header.encodedLength) { bytes, count in
                    count = IPv6Header(source: from, destination: to, nextHeader: 17, hopLimit: Self.initialTTL, payloadLength: 0)
                        .encode(into: UnsafeMutableRawBufferPointer(bytes))
                }
                udp = .ipv6(InternetChecksum.udpPseudoSum(from, to, length: 0))
            case (.ipv4(let from), .ipv4(let to)):
                header = Array(unsafeUninitializedCapacity: IPv4Header.encodedLength) { bytes, count in
                    count = IPv4Header(source: from, destination: to, protocolNumber: 17, ttl: Self.initialTTL, payloadLength: 0)
                        .encode(into: UnsafeMutableRawBufferPointer(bytes))
                }
                udp = .ipv4(InternetChecksum.udpPseudoSum(from, to, length: 0))
            default:
                throw UnitProblem(problem: "the flow's addresses are of different families", fix: "send within one family")
            }
            return
        }
        let constraint = topology.pathConstraintItem(of: flow)
        if constraint != nil, topology.network(of: flow.destination) != network {
            throw UnitProblem(problem: "a path constraint applies within one New IP network, and this flow crosses a gateway",
                              fix: "remove `avoid`/`only-through`, or send within the island")
        }
        var clauses: [ContractClause] = []
        if let authenticator { clauses.append(authenticator.clause) }
        if let contract = flow.contract { clauses.append(try Self.clause(contract)) }
        let chunkOffset = Probe.length + (usesUDP ? UDPHeader.encodedLength : 0)
        let spec = flow.chunks.isEmpty ? nil : PayloadSpec(chunks: flow.chunks, chunkOffset: UInt8(chunkOffset))
        switch topology.dialect {
        case .compact:
            guard case .compact(let from) = source, case .compact(let to) = destination else {
                throw UnitProblem(problem: "the compact dialect needs compact addresses at both ends",
                                  fix: "give the interfaces compact addresses")
            }
            var extensions = (authenticator?.extensionItem ?? []) + clauses.dropFirst(authenticator == nil ? 0 : 1).flatMap(CompactExtensions.item(for:))
            if let spec {
                guard spec.bodyLength <= 255 else {
                    throw UnitProblem(problem: "\(flow.chunks.count) chunks do not fit a compact extension item (84 at most)",
                                      fix: "use fewer chunks")
                }
                extensions += spec.extensionItem
            }
            if let constraint { extensions += constraint.extensionItem }
            let compact = CompactHeader(ttl: Self.initialTTL, nextHeader: usesUDP ? .udp : Self.nextHeader, destination: to,
                                        source: from, extensionLength: extensions.count)
            guard compact.encodedLength <= 255 || extensions.isEmpty else {
                throw UnitProblem(problem: "the header with its extensions exceeds 255 bytes", fix: "use fewer chunks")
            }
            header = compact.bytes(extensions: extensions)
            udp = usesUDP ? .compact(source: from, destination: to) : nil
        case .framework:
            if let spec {
                guard constraint == nil else {
                    throw UnitProblem(problem: "a framework packet cannot carry both chunks and a path constraint (each must be the last clause)",
                                      fix: "drop `chunks` or the path constraint, or use the compact dialect")
                }
                clauses.append(spec.clause)
            }
            if let constraint { clauses.append(constraint.clause) }
            let framework = FrameworkHeader(source: source, destination: destination, contracts: clauses)
            do {
                try framework.checkEncodable()
            } catch {
                throw UnitProblem(problem: "the framework header would be longer than 255 bytes", fix: "use fewer chunks")
            }
            header = framework.encoded()
            udp = nil
        }
    }

    /// The destination address as the source's network knows it: `to-address`, the
    /// destination's own address when it is in the same network, else the name the first
    /// gateway (in file order) that maps it gives it.
    package static func destination(of flow: Topology.Flow, from network: Topology.Network,
                            in topology: Topology) throws(UnitProblem) -> FrameworkAddress {
        let dialect = topology.dialect
        if let address = flow.destinationAddress {
            guard Topology.Network(address, dialect: dialect) == network else {
                throw UnitProblem(problem: "`to-address` \(address) is not an address of the source's \(network.name(dialect: dialect)) network",
                                  fix: "give a \(network.name(dialect: dialect)) address")
            }
            return address
        }
        let target = topology.interface(flow.destination).address
        let targetNetwork = topology.network(of: flow.destination)
        if targetNetwork == network { return target }
        if let name = gatewayName(of: target, in: network, topology: topology) { return name }
        let fix = switch (network, target) {
        case (.newIP, _): "bind it to a compact address in a gateway's `map`, e.g. `map: {\"0xF11400\": \"\(target)\"}`"
        case (.ipv6, .compact): "give a gateway an `ipv6-prefix`, or bind \(target) to an IPv6 address in its `map`"
        case (_, .compact): "bind \(target) to an \(network.name(dialect: dialect)) address in a gateway's `map`"
        default: "send between IP and compact interfaces; gateways translate only to and from compact"
        }
        throw UnitProblem(problem: "`\(topology.name(of: flow.destination))` (\(target)) has no \(network.name(dialect: dialect)) "
                              + "address for `\(topology.name(of: flow.source))` to send to: no gateway maps it", fix: fix)
    }

    /// `address`'s name in `network` through the first gateway that maps it.
    package static func gatewayName(of address: FrameworkAddress, in network: Topology.Network, topology: Topology) -> FrameworkAddress? {
        guard topology.dialect == .compact else { return nil }
        for node in topology.nodes where node.kind == .gateway {
            guard let mapping = node.gateway?.mapping else { continue }
            switch (network, address) {
            case (.newIP, .ipv6(let ip)):
                if let name = mapping.compact(for: ip, port: udpPort) { return .compact(name.address) }
            case (.newIP, .ipv4(let ip)):
                if let name = mapping.compact(for: ip, port: udpPort) { return .compact(name.address) }
            case (.ipv6, .compact(let compact)):
                if let name = mapping.ipv6(for: compact, port: udpPort) { return .ipv6(name.address) }
            case (.ipv4, .compact(let compact)):
                if let name = mapping.ipv4(for: compact, port: udpPort) { return .ipv4(name.address) }
            default: break
            }
        }
        return nil
    }

    /// The smallest packet that holds the header(s) before the probe, the probe, and the
    /// chunks, if any.
    package static func minimumSize(header: Int, chunks: [PayloadSpec.Chunk]) -> Int {
        header + Probe.length + chunks.reduce(0) { $0 + Int($1.length) }
    }

    /// The smallest packet of this template (for `chunks`).
    package func minimumSize(chunks: [PayloadSpec.Chunk]) -> Int { Self.minimumSize(header: probeOffset, chunks: chunks) }

    /// Room left in front of a packet for headers added on the way (a gateway's translation).
    package static let headroom = 64

    /// Fills `packet` with a whole packet of `size` bytes.
    package func write(into packet: inout PacketBuffer, size: Int, probe: Probe) {
        packet.receive(headroom: Self.headroom) { bytes in
            let end = size
            bytes.baseAddress!.copyMemory(from: header, byteCount: header.count)
            probe.write(into: bytes, at: probeOffset)
            let payload = probeOffset + Probe.length
            (bytes.baseAddress! + payload).initializeMemory(as: UInt8.self, repeating: 0, count: end - payload)
            if let udp { Self.writeUDP(udp, into: bytes, header: header.count, size: size) }
            return end
        }
    }

    /// Fills in the IP length fields and the UDP header around the probe already written.
    private static func writeUDP(_ checksum: UDPChecksum, into bytes: UnsafeMutableRawBufferPointer, header: Int, size: Int) {
        let length = size - header
        switch checksum {
        case .ipv6: bytes.storeBigEndian(UInt16(length), at: 4)
        case .ipv4:
            bytes.storeBigEndian(UInt16(size), at: 2)
            IPv4Header.refreshChecksum(in: bytes)
        case .compact: break
        }
        bytes.storeBigEndian(udpPort, at: header)
        bytes.storeBigEndian(udpPort, at: header + 2)
        bytes.storeBigEndian(UInt16(length), at: header + 4)
        bytes.storeBigEndian(UInt16(0), at: header + 6)
        let datagram = UnsafeRawBufferPointer(rebasing: bytes[header..<size])
        let sum: UInt16
        switch checksum {
        case .compact(let source, let destination):
            sum = CompactChecksum.compute(source: source, destination: destination, nextHeader: .udp, data: datagram)
        case .ipv4(let pseudo), .ipv6(let pseudo):
            // The pseudo sums were taken with length 0; the sum is linear in it.
            sum = InternetChecksum.udpChecksum(datagram, pseudoSum: pseudo + UInt64(length))
        }
        bytes.storeBigEndian(sum, at: header + 6)
    }

    private static func clause(_ contract: FlowContract) throws(UnitProblem) -> ContractClause {
        switch contract {
        case .latencyBased(let min, let max):
            .latencyBased(LatencyBasedContract(minDelay: try milliseconds(min), maxDelay: try milliseconds(max)))
        case .maxDelay(let max):
            .maxDelay(MaxDelayContract(maxAllowedDelay: try milliseconds(max)))
        }
    }

    /// Contracts carry whole milliseconds (0–65 535) on the wire.
    package static func milliseconds(_ value: Nanoseconds) throws(UnitProblem) -> UInt16 {
        guard value % WireTime.nanosecondsPerMillisecond == 0, let ms = UInt16(exactly: value / WireTime.nanosecondsPerMillisecond) else {
            throw UnitProblem(problem: "contract delays travel as whole milliseconds up to 65535ms, not \(UnitText.duration(value))",
                              fix: "round it to whole milliseconds")
        }
        return ms
    }
}
