/// Big-endian field access at offsets the caller has already checked.
extension UnsafeRawBufferPointer {
    @inline(__always)
    func uint16BE(at offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }
}

extension UnsafeMutableRawBufferPointer {
    @inline(__always)
    func uint16BE(at offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }
}
