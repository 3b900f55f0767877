import NewIPDataPlane
import NewIPTopology
import NewIPWire

/// Finds the probe of a flow packet and whether a router trimmed it: reads the header of
/// either dialect to the payload (and over UDP past the UDP header), and the payload spec's
/// flags when there is one. With `ip`, plain IPv4 and IPv6 + UDP packets are recognised too
/// (by their version nibble and a header that validates), as a ManyNets run carries them.
enum PacketInspector {
    struct Finding {
        var probe: Probe
        var trimmed: Bool
        /// Where the payload spec's body lies in the packet, when it has one.
        var payloadSpec: Range<Int>? = nil
        /// Bytes of the network header (New IP, IPv4 or IPv6), the UDP header not included.
        var headerLength: Int
    }

    /// `nil` when the packet does not parse or carries no intact probe.
    static func inspect(_ packet: PacketBuffer, dialect: PacketDialect, ip: Bool = false) -> Finding? {
        packet.withUnsafeBytes { bytes in
            if ip, let finding = Self.ip(bytes) { return finding }
            return newIP(bytes, dialect: dialect)
        }
    }

    /// The length of the network header of a packet in `network`; 0 when it does not parse.
    static func headerLength(_ packet: PacketBuffer, network: Topology.Network, dialect: PacketDialect) -> Int {
        packet.withUnsafeBytes { bytes in
            switch network {
            case .ipv6, .ipv4: return IPHeader(bytes, ipv6: network == .ipv6)?.headerLength ?? 0
            case .newIP: return (try? NewIPPacketView(bytes, dialect: dialect)).map { min($0.headerLength, bytes.count) } ?? 0
            }
        }
    }

    private static func ip(_ bytes: UnsafeRawBufferPointer) -> Finding? {
        guard let first = bytes.first, first >> 4 == 6 || first >> 4 == 4,
              let header = IPHeader(bytes, ipv6: first >> 4 == 6), header.isUDP,
              let probe = Probe(bytes, at: header.headerLength + UDPHeader.encodedLength) else { return nil }
        return Finding(probe: probe, trimmed: false, headerLength: header.headerLength)
    }

    private static func newIP(_ bytes: UnsafeRawBufferPointer, dialect: PacketDialect) -> Finding? {
        guard let view = try? NewIPPacketView(bytes, dialect: dialect), view.isComplete else { return nil }
        let udp = view.nextHeader == .udp ? UDPHeader.encodedLength : 0
        guard let probe = Probe(bytes, at: view.headerLength + udp) else { return nil }
        // Lenient: a payload spec before a damaged contract item still counts.
        var payloadSpec: Range<Int>? = nil
        try? view.forEachContractItem { item in
            if case .payloadSpec(let body) = item, payloadSpec == nil { payloadSpec = body }
        }
        let trimmed = payloadSpec.map {
            $0.count > PayloadSpec.Field.flags && bytes[$0.lowerBound + PayloadSpec.Field.flags] & PayloadSpec.trimmedFlag != 0
        } ?? false
        return Finding(probe: probe, trimmed: trimmed, payloadSpec: payloadSpec, headerLength: view.headerLength)
    }
}
