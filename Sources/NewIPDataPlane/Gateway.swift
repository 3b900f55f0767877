import NewIPWire

/// Translation at a ManyNets boundary: compact New IP carrying UDP ↔ IPv4 + UDP and
/// IPv6 + UDP, addresses and ports renamed by a `GatewayMapping`.
///
/// The UDP data crosses byte for byte; the UDP header keeps its length, gets the mapped
/// ports, and a checksum recomputed for the new pseudo header (RFC 768 over IPv4 and IPv6,
/// `CompactChecksum` over compact). The incoming checksum is verified first, so a corrupted
/// datagram is refused instead of laundered. The hop count is copied (TTL ↔ hop limit);
/// the router that runs the gateway decrements it as for any forwarded packet. Compact
/// extensions (contracts, payload specs) have no IP counterpart and do not cross.
///
/// Translation happens in place in the `PacketBuffer`: the old header is cut off and the
/// new one written into the headroom, so the datagram is not copied when the headroom holds
/// the new header (40 bytes for IPv6). The buffer's metadata is reset.
public struct Gateway: Sendable {
    public var mapping: GatewayMapping

    public init(mapping: GatewayMapping) {
        self.mapping = mapping
    }

    /// Compact + UDP → IPv4 + UDP.
    public func compactToIPv4(_ packet: inout PacketBuffer) throws(GatewayError) {
        try compactToIPv4(&packet, try packet.withUnsafeBytes { (bytes) throws(GatewayError) in try Self.parseCompact(bytes) })
    }

    /// Compact + UDP → IPv6 + UDP.
    public func compactToIPv6(_ packet: inout PacketBuffer) throws(GatewayError) {
        try compactToIPv6(&packet, try packet.withUnsafeBytes { (bytes) throws(GatewayError) in try Self.parseCompact(bytes) })
    }

    private func compactToIPv4(_ packet: inout PacketBuffer, _ udp: Parsed<CompactAddress>) throws(GatewayError) {
        let (source, destination) = try Self.endpoints(udp, mapping.ipv4(for:port:), named: FrameworkAddress.compact)
        let header = IPv4Header(source: source.address, destination: destination.address,
                                protocolNumber: Self.udpProtocol, ttl: udp.ttl, payloadLength: udp.length)
        Self.writeIP(&packet, udp.frame, headerLength: IPv4Header.encodedLength, ports: (source.port, destination.port),
                     pseudoSum: InternetChecksum.udpPseudoSum(source.address, destination.address, length: udp.length)) { header.encode(into: $0) }
    }

    private func compactToIPv6(_ packet: inout PacketBuffer, _ udp: Parsed<CompactAddress>) throws(GatewayError) {
        let (source, destination) = try Self.endpoints(udp, mapping.ipv6(for:port:), named: FrameworkAddress.compact)
        let header = IPv6Header(source: source.address, destination: destination.address,
                                nextHeader: Self.udpProtocol, hopLimit: udp.ttl, payloadLength: udp.length)
        Self.writeIP(&packet, udp.frame, headerLength: IPv6Header.encodedLength, ports: (source.port, destination.port),
                     pseudoSum: InternetChecksum.udpPseudoSum(source.address, destination.address, length: udp.length)) { header.encode(into: $0) }
    }

    /// IPv4 + UDP → compact + UDP.
    public func ipv4ToCompact(_ packet: inout PacketBuffer) throws(GatewayError) {
        let udp = try packet.withUnsafeBytes { (bytes) throws(GatewayError) in try Self.parseIPv4(bytes) }
        let (source, destination) = try Self.endpoints(udp, mapping.compact(for:port:), named: FrameworkAddress.ipv4)
        writeCompact(&packet, udp.frame, source: source, destination: destination)
    }

    /// IPv6 + UDP → compact + UDP.
    public func ipv6ToCompact(_ packet: inout PacketBuffer) throws(GatewayError) {
        let udp = try packet.withUnsafeBytes { (bytes) throws(GatewayError) in try Self.parseIPv6(bytes) }
        let (source, destination) = try Self.endpoints(udp, mapping.compact(for:port:), named: FrameworkAddress.ipv6)
        writeCompact(&packet, udp.frame, source: source, destination: destination)
    }

    /// The IP family a translated packet belongs to.
    public enum IPFamily: Sendable { case ipv4, ipv6 }

    /// Compact + UDP → IPv4 + UDP when the destination has a static IPv4 binding, else IPv6 +
    /// UDP. A destination whose only IPv6 name is under `ipv6Prefix` is an address of the
    /// compact side, not a host on the IP side: `unmapped`.
    public func compactToIP(_ packet: inout PacketBuffer) throws(GatewayError) -> IPFamily {
        let udp = try packet.withUnsafeBytes { (bytes) throws(GatewayError) in try Self.parseCompact(bytes) }
        let (address, port) = (udp.destination, udp.destinationPort)
        if mapping.ipv4(for: address, port: port) != nil {
            try compactToIPv4(&packet, udp)
            return .ipv4
        }
        if let prefix = mapping.ipv6Prefix, let name = mapping.ipv6(for: address, port: port), prefix.contains(name.address) {
            throw .unmapped(.compact(address), port: port)
        }
        try compactToIPv6(&packet, udp)
        return .ipv6
    }

    /// IPv4 or IPv6 + UDP (told apart by the version field) → compact + UDP.
    public func ipToCompact(_ packet: inout PacketBuffer) throws(GatewayError) -> IPFamily {
        let version = packet.withUnsafeBytes { $0.isEmpty ? 0 : $0[0] >> 4 }
        switch version {
        case 4:
            try ipv4ToCompact(&packet)
            return .ipv4
        case 6:
            try ipv6ToCompact(&packet)
            return .ipv6
        default:
            throw .malformed(.malformed(field: "version", at: 0, reason: "\(version) is neither IPv4 nor IPv6"))
        }
    }

    /// Both endpoints of `udp` renamed by `map`; the first without a counterpart is the error.
    private static func endpoints<From, To>(_ udp: Parsed<From>, _ map: (From, UInt16) -> (address: To, port: UInt16)?,
                                            named name: (From) -> FrameworkAddress) throws(GatewayError)
        -> (source: (address: To, port: UInt16), destination: (address: To, port: UInt16)) {
        guard let source = map(udp.source, udp.sourcePort) else { throw .unmapped(name(udp.source), port: udp.sourcePort) }
        guard let destination = map(udp.destination, udp.destinationPort) else {
            throw .unmapped(name(udp.destination), port: udp.destinationPort)
        }
        return (source, destination)
    }

    /// Replaces the compact header with the IP header `writeHeader` writes (`headerLength`
    /// bytes), renames the ports and recomputes the UDP checksum over `pseudoSum`.
    private static func writeIP(_ packet: inout PacketBuffer, _ frame: UDPFrame, headerLength: Int,
                                ports: (source: UInt16, destination: UInt16), pseudoSum: UInt64,
                                writeHeader: (UnsafeMutableRawBufferPointer) -> Void) {
        reframe(&packet, oldHeader: frame.headerLength, datagram: frame.length, newHeader: headerLength)
        packet.withUnsafeMutableBytes { bytes in
            writeHeader(bytes)
            let datagram = UnsafeMutableRawBufferPointer(rebasing: bytes[headerLength...])
            setPorts(datagram, source: ports.source, destination: ports.destination)
            datagram.storeUInt16BE(InternetChecksum.udpChecksum(UnsafeRawBufferPointer(datagram), pseudoSum: pseudoSum), at: checksumField)
        }
    }

    private func writeCompact(_ packet: inout PacketBuffer, _ frame: UDPFrame,
                              source: (address: CompactAddress, port: UInt16),
                              destination: (address: CompactAddress, port: UInt16)) {
        let header = CompactHeader(ttl: frame.ttl, nextHeader: .udp, destination: destination.address, source: source.address)
        Self.reframe(&packet, oldHeader: frame.headerLength, datagram: frame.length, newHeader: header.encodedLength)
        packet.withUnsafeMutableBytes { bytes in
            let headerLength = header.encode(into: bytes)
            let datagram = UnsafeMutableRawBufferPointer(rebasing: bytes[headerLength...])
            Self.setPorts(datagram, source: source.port, destination: destination.port)
            datagram.storeUInt16BE(CompactChecksum.compute(source: source.address, destination: destination.address,
                                                           nextHeader: .udp, data: UnsafeRawBufferPointer(datagram)),
                                   at: Self.checksumField)
        }
    }

    static let udpProtocol: UInt8 = 17
    static let checksumField = 6

    /// Where the datagram sits in a packet, and the hop count.
    struct UDPFrame {
        var headerLength: Int
        var length: Int
        var ttl: UInt8
    }

    /// A validated UDP packet of one address family.
    struct Parsed<Address> {
        var frame: UDPFrame
        var source: Address
        var destination: Address
        var sourcePort: UInt16
        var destinationPort: UInt16
        var length: Int { frame.length }
        var ttl: UInt8 { frame.ttl }
    }

    /// Cuts `oldHeader` bytes and anything after the datagram, and makes room for `newHeader`.
    private static func reframe(_ packet: inout PacketBuffer, oldHeader: Int, datagram: Int, newHeader: Int) {
        packet.removeLast(packet.count - oldHeader - datagram)
        packet.removeFirst(oldHeader)
        packet.prepend(newHeader)
        packet.metadata = PacketMetadata()
    }

    private static func setPorts(_ datagram: UnsafeMutableRawBufferPointer, source: UInt16, destination: UInt16) {
        datagram.storeUInt16BE(source, at: 0)
        datagram.storeUInt16BE(destination, at: 2)
        datagram.storeUInt16BE(0, at: checksumField)
    }

    /// The UDP datagram at `offset` of `bytes`, cut to its length field, which must fit `available`.
    private static func datagram(in bytes: UnsafeRawBufferPointer, at offset: Int,
                                 available: Int) throws(GatewayError) -> (header: UDPHeader, bytes: UnsafeRawBufferPointer) {
        let region = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + available)])
        let header: UDPHeader
        do { header = try UDPHeader(parsing: region) } catch { throw .malformed(error.shifted(by: offset)) }
        return (header, UnsafeRawBufferPointer(rebasing: region[0..<Int(header.length)]))
    }

    static func parseCompact(_ bytes: UnsafeRawBufferPointer) throws(GatewayError) -> Parsed<CompactAddress> {
        let view: CompactHeaderView
        do { view = try CompactHeaderView(bytes) } catch { throw .malformed(error.wireError) }
        let end: Int
        do { end = try view.packetEnd() } catch { throw .malformed(error) }
        guard view.nextHeader == .udp else { throw .notUDP }
        guard let source = view.source else { throw .noSourceAddress }
        let (udp, datagram) = try datagram(in: bytes, at: view.headerLength, available: end - view.headerLength)
        guard CompactChecksum.verify(source: source, destination: view.destination, nextHeader: .udp, data: datagram) else {
            throw .badChecksum
        }
        return Parsed(frame: UDPFrame(headerLength: view.headerLength, length: datagram.count, ttl: view.ttl),
                      source: source, destination: view.destination,
                      sourcePort: udp.sourcePort, destinationPort: udp.destinationPort)
    }

    static func parseIPv4(_ bytes: UnsafeRawBufferPointer) throws(GatewayError) -> Parsed<IPv4Address> {
        let ip: IPv4Header
        do { ip = try IPv4Header(parsing: bytes) } catch { throw .malformed(error) }
        guard ip.protocolNumber == udpProtocol else { throw .notUDP }
        guard bytes.uint16BE(at: 6) & 0x3FFF == 0 else { throw .fragmented }
        let headerLength = Int(bytes[0] & 0x0F) * 4
        let (udp, datagram) = try datagram(in: bytes, at: headerLength, available: ip.payloadLength)
        // Over IPv4 a zero checksum means the sender computed none.
        if udp.checksum != 0
            && !InternetChecksum.verifies(datagram, pseudoSum: InternetChecksum.udpPseudoSum(ip.source, ip.destination, length: datagram.count)) {
            throw .badChecksum
        }
        return Parsed(frame: UDPFrame(headerLength: headerLength, length: datagram.count, ttl: ip.ttl),
                      source: ip.source, destination: ip.destination,
                      sourcePort: udp.sourcePort, destinationPort: udp.destinationPort)
    }

    static func parseIPv6(_ bytes: UnsafeRawBufferPointer) throws(GatewayError) -> Parsed<IPv6Address> {
        let ip: IPv6Header
        do { ip = try IPv6Header(parsing: bytes) } catch { throw .malformed(error) }
        guard ip.nextHeader == udpProtocol else { throw .notUDP }
        let (udp, datagram) = try datagram(in: bytes, at: IPv6Header.encodedLength, available: ip.payloadLength)
        // Over IPv6 the checksum is mandatory (RFC 8200), so zero does not verify either.
        guard udp.checksum != 0,
              InternetChecksum.verifies(datagram, pseudoSum: InternetChecksum.udpPseudoSum(ip.source, ip.destination, length: datagram.count)) else {
            throw .badChecksum
        }
        return Parsed(frame: UDPFrame(headerLength: IPv6Header.encodedLength, length: datagram.count, ttl: ip.hopLimit),
                      source: ip.source, destination: ip.destination,
                      sourcePort: udp.sourcePort, destinationPort: udp.destinationPort)
    }
}
