import NewIPWire

/// Big-endian reads over a routing packet's bytes that throw `WireError.truncated` with the
/// offset of the field that ran short, never trap.
struct ControlReader {
    let bytes: UnsafeRawBufferPointer
    /// Offset of the next byte to read.
    private(set) var offset: Int
    /// Reads stop here (a TLV's end), not at the buffer's end.
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, from offset: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - offset }

    mutating func read(_ count: Int) throws(WireError) -> UnsafeRawBufferPointer.SubSequence {
        guard count <= remaining else { throw .truncated(at: offset, needed: count - max(remaining, 0)) }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func uint(_ size: Int) throws(WireError) -> UInt64 {
        try read(size).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func uint8() throws(WireError) -> UInt8 { UInt8(try uint(1)) }
    mutating func uint16() throws(WireError) -> UInt16 { UInt16(try uint(2)) }
    mutating func uint32() throws(WireError) -> UInt32 { UInt32(try uint(4)) }
    mutating func uint64() throws(WireError) -> UInt64 { try uint(8) }
}

/// Big-endian writes into a buffer the caller sized with `encodedLength`.
struct ControlWriter {
    let buffer: UnsafeMutableRawBufferPointer
    private(set) var offset: Int

    init(_ buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0) {
        self.buffer = buffer
        self.offset = offset
    }

    mutating func put(_ value: UInt64, size: Int) {
        for i in 0..<size { buffer[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * (size - 1 - i))) }
        offset += size
    }

    mutating func put8(_ value: UInt8) { put(UInt64(value), size: 1) }
    mutating func put16(_ value: UInt16) { put(UInt64(value), size: 2) }
    mutating func put32(_ value: UInt32) { put(UInt64(value), size: 4) }
    mutating func put64(_ value: UInt64) { put(value, size: 8) }
}
