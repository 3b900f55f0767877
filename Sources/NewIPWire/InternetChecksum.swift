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
}
