/// A compact (OpenHarmony) New IP header as a value: decoded fields, and an encoder that
/// writes the bytes the reference's `nip_hdr_udp_encap` / `nip_hdr_comm_encap` write.
///
/// The bitmap is derived from the fields, so the value form normalises it: reserved bits and
/// bitmap bytes beyond the second are not kept.
public struct CompactHeader: Hashable, Sendable {
    public var ttl: UInt8
    /// Total packet length (header and payload); present in the reference's "common" headers
    /// (TCP, ARP), absent in its UDP headers.
    public var totalLength: UInt16?
    public var nextHeader: NextHeader
    public var destination: CompactAddress
    public var source: CompactAddress?
    /// Whether the header carries a header-length field. Always written when `extensions` is
    /// not empty, since that is what lets reference decoders skip them.
    public var includesHeaderLength: Bool
    /// Extension bytes between the fixed fields and the header length (see docs/wire.md).
    public var extensions: [UInt8]

    public init(ttl: UInt8, totalLength: UInt16? = nil, nextHeader: NextHeader,
                destination: CompactAddress, source: CompactAddress?,
                includesHeaderLength: Bool = false, extensions: [UInt8] = []) {
        self.ttl = ttl
        self.totalLength = totalLength
        self.nextHeader = nextHeader
        self.destination = destination
        self.source = source
        self.includesHeaderLength = includesHeaderLength || !extensions.isEmpty
        self.extensions = extensions
    }

    /// Decodes the header at the start of `bytes` (header followed by at least one payload byte).
    public init(parsing bytes: UnsafeRawBufferPointer) throws(CompactHeaderError) {
        self.init(try CompactHeaderView(bytes))
    }

    /// Copies the fields out of a checked view.
    public init(_ view: CompactHeaderView) {
        self.init(ttl: view.ttl, totalLength: view.totalLength, nextHeader: view.nextHeader,
                  destination: view.destination, source: view.source,
                  includesHeaderLength: view.headerLengthField != nil,
                  extensions: Array(view.bytes[view.extensionRange]))
    }

    @inlinable var usesSecondBitmap: Bool { includesHeaderLength || !extensions.isEmpty }

    @inlinable var fixedFieldsLength: Int {
        1 + (totalLength == nil ? 0 : 2) + 1 + destination.encodedLength + (source?.encodedLength ?? 0)
    }

    /// Bytes `encode` writes. Without a header-length field the reference pads an odd header
    /// with an empty second bitmap byte so the header length is even.
    @inlinable
    public var encodedLength: Int {
        if usesSecondBitmap { return 2 + fixedFieldsLength + 1 + extensions.count }
        let length = 1 + fixedFieldsLength
        return length % 2 == 0 ? length : length + 1
    }

    /// Writes the header at the start of `buffer`, which must hold `encodedLength` bytes, and
    /// returns the number of bytes written.
    @inlinable @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let length = encodedLength
        precondition(buffer.count >= length, "buffer shorter than encodedLength")
        var first = CompactBitmap.ttl | CompactBitmap.nextHeader | CompactBitmap.destination
        if totalLength != nil { first |= CompactBitmap.totalLength }
        if source != nil { first |= CompactBitmap.source }
        var position = 1
        if usesSecondBitmap || (1 + fixedFieldsLength) % 2 == 1 {
            first |= CompactBitmap.more
            var second: UInt8 = 0
            if usesSecondBitmap { second |= CompactBitmap.headerLength }
            if !extensions.isEmpty { second |= CompactBitmap.extensions }
            buffer[1] = second
            position = 2
        }
        buffer[0] = first
        buffer[position] = ttl
        position += 1
        if let totalLength {
            buffer.storeUInt16BE(totalLength, at: position)
            position += 2
        }
        buffer[position] = nextHeader.rawValue
        position += 1
        destination.encode(into: buffer, at: position)
        position += destination.encodedLength
        if let source {
            source.encode(into: buffer, at: position)
            position += source.encodedLength
        }
        if usesSecondBitmap {
            buffer[position] = UInt8(truncatingIfNeeded: length)
            position += 1
            for byte in extensions {
                buffer[position] = byte
                position += 1
            }
        }
        return length
    }

    /// The encoded header as a new array.
    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: encodedLength) { buffer, count in
            count = encode(into: UnsafeMutableRawBufferPointer(buffer))
        }
    }
}
