/// The RFC 1071 one's-complement sum used by IPv4, UDP and ICMP.
public enum InternetChecksum {
    /// Adds `bytes` as big-endian 16-bit words (odd tail padded with zero) to `sum`.
    @inlinable
    public static func add(_ bytes: UnsafeRawBufferPointer, to sum: UInt64 = 0) -> UInt64 {
        var total = sum
        var i = 0
        while i + 1 < bytes.count {
            total &+= UInt64(bytes[i]) << 8 | UInt64(bytes[i + 1])
            i += 2
        }
        if i < bytes.count { total &+= UInt64(bytes[i]) << 8 }
        return total
    }

    /// Folds a running sum to 16 bits and complements it: the value a sender writes.
    @inlinable
    public static func finish(_ sum: UInt64) -> UInt16 {
        var folded = sum
        while folded >> 16 != 0 { folded = (folded >> 16) + (folded & 0xFFFF) }
        return ~UInt16(folded)
    }

    /// The sum of UDP's IPv4 pseudo header: addresses, protocol, UDP length (RFC 768).
    @inlinable
    public static func udpPseudoSum(_ source: IPv4Address, _ destination: IPv4Address, length: Int) -> UInt64 {
        UInt64(source.rawValue >> 16) + UInt64(source.rawValue & 0xFFFF)
            + UInt64(destination.rawValue >> 16) + UInt64(destination.rawValue & 0xFFFF) + 17 + UInt64(length)
    }

    /// The sum of UDP's IPv6 pseudo header: addresses, 32-bit UDP length, next header (RFC 8200).
    @inlinable
    public static func udpPseudoSum(_ source: IPv6Address, _ destination: IPv6Address, length: Int) -> UInt64 {
        var sum = 17 + UInt64(length >> 16) + UInt64(length & 0xFFFF)
        for group in 0..<8 { sum += UInt64(source[group: group]) + UInt64(destination[group: group]) }
        return sum
    }

    /// The UDP checksum to send for `datagram` (its checksum field zero) over a pseudo header
    /// sum: a computed 0 goes out as `FFFF`, since 0 means "no checksum" (RFC 768).
    @inlinable
    public static func udpChecksum(_ datagram: UnsafeRawBufferPointer, pseudoSum: UInt64) -> UInt16 {
        let checksum = finish(add(datagram, to: pseudoSum))
        return checksum == 0 ? 0xFFFF : checksum
    }

    /// Whether a received datagram's checksum verifies over a pseudo header sum.
    @inlinable
    public static func verifies(_ datagram: UnsafeRawBufferPointer, pseudoSum: UInt64) -> Bool {
        finish(add(datagram, to: pseudoSum)) == 0
    }
}
