import NewIPWire

/// What IP forwarding needs from an IPv4 or IPv6 header.
public struct IPHeader: Sendable {
    public var destination: FrameworkAddress
    /// Header and payload: link padding after it is cut.
    public var length: Int
    /// The header alone (IPv4 options included).
    public var headerLength: Int
    /// Whether UDP follows the header.
    public var isUDP: Bool

    public init?(_ bytes: UnsafeRawBufferPointer, ipv6: Bool) {
        if ipv6 {
            guard let header = try? IPv6Header(parsing: bytes) else { return nil }
            destination = .ipv6(header.destination)
            headerLength = IPv6Header.encodedLength
            length = IPv6Header.encodedLength + header.payloadLength
            isUDP = header.nextHeader == 17
        } else {
            guard let header = try? IPv4Header(parsing: bytes) else { return nil }
            destination = .ipv4(header.destination)
            headerLength = Int(bytes[0] & 0x0F) * 4
            length = headerLength + header.payloadLength
            isUDP = header.protocolNumber == 17
        }
    }
}
