/// Bounds-checked big-endian reads used by every decoder in this module.
///
/// Each read returns `nil` instead of trapping when the bytes run short, so a decoder can turn
/// a short read into `WireError.truncated` with the exact offset.
extension UnsafeRawBufferPointer {
    @inlinable
    func byte(at offset: Int) -> UInt8? {
        offset >= 0 && offset < count ? self[offset] : nil
    }

    @inlinable
    func uint16BE(at offset: Int) -> UInt16? {
        guard offset >= 0, offset <= count - 2 else { return nil }
        return UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }

    @inlinable
    func uint64BE(at offset: Int) -> UInt64? {
        guard offset >= 0, offset <= count - 8 else { return nil }
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(self[offset + i]) }
        return value
    }
}

extension UnsafeMutableRawBufferPointer {
    /// Shared with the data plane's in-place rewrites (package access).
    @inlinable
    package func storeUInt16BE(_ value: UInt16, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value >> 8)
        self[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    @inlinable
    func storeUInt64BE(_ value: UInt64, at offset: Int) {
        for i in 0..<8 { self[offset + i] = UInt8(truncatingIfNeeded: value >> (56 - 8 * i)) }
    }
}
