/// The transport checksum of UDP/TCP over compact New IP (OpenHarmony `nip_checksum.c`).
///
/// A one's-complement sum over the data and, separately padded, a pseudo header of source
/// address bytes, destination address bytes, the 16-bit big-endian data length and the next
/// header. The sender writes the complement; a receiver that sums a packet including its
/// checksum gets `0xFFFF`.
public enum CompactChecksum {
    /// The value a sender writes into the checksum field (which is zero in `data`).
    @inlinable
    public static func compute(source: CompactAddress?, destination: CompactAddress?,
                               nextHeader: NextHeader, data: UnsafeRawBufferPointer) -> UInt16 {
        InternetChecksum.finish(sum(source: source, destination: destination, nextHeader: nextHeader, data: data))
    }

    /// Whether `data`, its checksum field filled in, verifies.
    @inlinable
    public static func verify(source: CompactAddress?, destination: CompactAddress?,
                              nextHeader: NextHeader, data: UnsafeRawBufferPointer) -> Bool {
        InternetChecksum.finish(sum(source: source, destination: destination, nextHeader: nextHeader, data: data)) == 0
    }

    @inlinable
    static func sum(source: CompactAddress?, destination: CompactAddress?,
                    nextHeader: NextHeader, data: UnsafeRawBufferPointer) -> UInt64 {
        // The pseudo header is summed on its own, its last odd byte padded with zero.
        var pseudo = PseudoHeaderSum()
        if let source { for i in 0..<source.encodedLength { pseudo.add(source[byte: i]) } }
        if let destination { for i in 0..<destination.encodedLength { pseudo.add(destination[byte: i]) } }
        let length = UInt16(truncatingIfNeeded: data.count)
        pseudo.add(UInt8(truncatingIfNeeded: length >> 8))
        pseudo.add(UInt8(truncatingIfNeeded: length))
        pseudo.add(nextHeader.rawValue)

        return InternetChecksum.add(data, to: pseudo.total)
    }

    @usableFromInline
    struct PseudoHeaderSum {
        @usableFromInline var total: UInt64 = 0
        @usableFromInline var index = 0
        @inlinable init() {}
        @inlinable mutating func add(_ byte: UInt8) {
            total &+= index % 2 == 0 ? UInt64(byte) << 8 : UInt64(byte)
            index += 1
        }
    }
}
