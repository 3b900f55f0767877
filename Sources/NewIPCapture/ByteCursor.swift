/// Bounds-checked reads of fixed-width integers from capture bytes in a given
/// byte order.
///
/// Every read returns `nil` instead of trapping when any requested byte lies
/// outside the buffer, so hostile offsets and lengths taken from a file can
/// never read out of bounds.
struct ByteCursor: Sendable {
    let bytes: [UInt8]
    var bigEndian: Bool

    func u8(at offset: Int) -> UInt8? {
        integer(at: offset)
    }

    func u16(at offset: Int) -> UInt16? {
        integer(at: offset)
    }

    func u32(at offset: Int) -> UInt32? {
        integer(at: offset)
    }

    func u64(at offset: Int) -> UInt64? {
        integer(at: offset)
    }

    /// A copy of `count` bytes starting at `offset`.
    func slice(at offset: Int, count: Int) -> [UInt8]? {
        guard contains(offset, count) else { return nil }
        return Array(bytes[offset..<offset + count])
    }

    /// Whether `count` bytes starting at `offset` are all inside the buffer.
    func contains(_ offset: Int, _ count: Int) -> Bool {
        offset >= 0 && count >= 0 && offset <= bytes.count && count <= bytes.count - offset
    }

    private func integer<T: FixedWidthInteger & UnsignedInteger>(at offset: Int) -> T? {
        let size = MemoryLayout<T>.size
        guard contains(offset, size) else { return nil }
        var value: T = 0
        for index in 0..<size {
            let byte = T(bytes[bigEndian ? offset + index : offset + size - 1 - index])
            value = value << 8 | byte
        }
        return value
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` least significant byte first: the writers always emit
    /// little-endian files so their output is identical on every host.
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        var remaining = value
        for _ in 0..<MemoryLayout<T>.size {
            append(UInt8(truncatingIfNeeded: remaining))
            remaining = remaining >> 8
        }
    }
}
