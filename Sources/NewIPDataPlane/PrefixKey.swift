/// The left-aligned bit strings routing keys are made of: `UInt32` for IPv4, `UInt64` for
/// compact addresses (their `storage`), `UInt128` for IPv6.
protocol PrefixKey: FixedWidthInteger, UnsignedInteger, Sendable {
    /// The key folded to 64 bits for hashing.
    var hashInput: UInt64 { get }
}

extension PrefixKey {
    /// The first `length` bits set, the rest clear.
    @inline(__always)
    static func mask(_ length: Int) -> Self {
        length == 0 ? 0 : ~Self.zero << (Self.bitWidth - length)
    }
}

extension UInt32: PrefixKey {
    @inline(__always) var hashInput: UInt64 { UInt64(self) }
}

extension UInt64: PrefixKey {
    @inline(__always) var hashInput: UInt64 { self }
}

extension UInt128: PrefixKey {
    @inline(__always)
    var hashInput: UInt64 {
        // Multiplying one half keeps prefixes that differ only in the other half apart.
        UInt64(truncatingIfNeeded: self >> 64) ^ UInt64(truncatingIfNeeded: self) &* 0x9E37_79B9_7F4A_7C15
    }
}
