import NewIPWire

/// Why a gateway could not translate a packet.
public enum GatewayError: Error, Hashable, Sendable {
    /// The packet's own header did not validate.
    case malformed(WireError)
    /// Not UDP (or IPv6 with extension headers before it): only UDP is translated.
    case notUDP
    /// An IPv4 fragment: the UDP header and checksum span the whole datagram.
    case fragmented
    /// A compact packet without a source address cannot be answered from the IP side.
    case noSourceAddress
    /// The UDP checksum does not verify; recomputing it would hide the corruption.
    case badChecksum
    /// The mapping has no counterpart for this endpoint.
    case unmapped(FrameworkAddress, port: UInt16)
}
