/// A compact (OpenHarmony) New IP header as a value: decoded fields, and an encoder that
/// writes the bytes the reference's `nip_hdr_udp_encap` / `nip_hdr_comm_encap` write.
///
/// The bitmap is derived from the fields, so the value form normalises it: reserved bits and
/// bitmap bytes beyond the second are not kept. The value is plain data (no references), so
/// copying it costs nothing on the forwarding path; the bytes of the extension area stay in
/// the packet buffer and only their length is part of the value.
public struct CompactHeader: Hashable, Sendable {
    public var ttl: UInt8
    /// Total packet length (header and payload); present in the reference's "common" headers
    /// (TCP, ARP), absent in its UDP headers.
    public var totalLength: UInt16?
    public var nextHeader: NextHeader
    public var destination: CompactAddress
    public var source: CompactAddress?
    /// Whether the header carries a header-length field. Always written when there is an
    /// extension area, since that is what lets reference decoders skip it.
    public var includesHeaderLength: Bool
    /// Length of the extension area between the fixed fields and the header length
    /// (see docs/wire.md); `encode` reserves it, the caller fills it.
    public var extensionLength: Int

    public init(ttl: UInt8, totalLength: UInt16? = nil, nextHeader: NextHeader,
                destination: CompactAddress, source: CompactAddress?,
                includesHeaderLength: Bool = false, extensionLength: Int = 0) {
        self.ttl = ttl
        self.totalLength = totalLength
        self.nextHeader = nextHeader
        self.destination = destination
        self.source = source
        self.includesHeaderLength = includesHeaderLength || extensionLength > 0
        self.extensionLength = extensionLength
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
                  extensionLength: view.extensionRange.count)
    }

    @inlinable var usesSecondBitmap: Bool { includesHeaderLength || extensionLength > 0 }

    @inlinable var fixedFieldsLength: Int {
        1 + (totalLength == nil ? 0 : 2) + 1 + destination.encodedLength + (source?.encodedLength ?? 0)
    }

    /// Bytes `encode` writes. Without a header-length field the reference pads an odd header
    /// with an empty second bitmap byte so the header length is even.
    @inlinable
    public var encodedLength: Int { Self.length(fixed: fixedFieldsLength, secondBitmap: usesSecondBitmap, extensions: extensionLength) }

    @inlinable @inline(__always)
    static func length(fixed: Int, secondBitmap: Bool, extensions: Int) -> Int {
        secondBitmap ? 2 + fixed + 1 + extensions : (fixed + 1) + (fixed + 1) & 1
    }

    /// Bytes of the empty second bitmap the reference adds only to make the length even (0 or 1);
    /// its compile-time switch `NEWIP_BYTE_ALIGNMENT_ENABLE=0` leaves them out.
    @inlinable
    public var alignmentPadding: Int {
        usesSecondBitmap ? 0 : encodedLength - (1 + fixedFieldsLength)
    }

    /// Where the extension area starts in an encoded header.
    @inlinable
    public var extensionOffset: Int { encodedLength - extensionLength }

    /// Writes the header at the start of `buffer`, which must hold `encodedLength` bytes, and
    /// returns the number of bytes written. The extension area (`extensionLength` bytes at
    /// `extensionOffset`) is left for the caller to fill.
    @inlinable @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let extensionCount = extensionLength
        let secondBitmap = includesHeaderLength || extensionCount != 0
        let fixed = fixedFieldsLength
        let length = Self.length(fixed: fixed, secondBitmap: secondBitmap, extensions: extensionCount)
        precondition(buffer.count >= length, "buffer shorter than encodedLength")
        var first = CompactBitmap.ttl | CompactBitmap.nextHeader | CompactBitmap.destination
        if totalLength != nil { first |= CompactBitmap.totalLength }
        if source != nil { first |= CompactBitmap.source }
        var position = 1
        if secondBitmap || (1 + fixed) & 1 == 1 {
            first |= CompactBitmap.more
            var second: UInt8 = 0
            if secondBitmap { second |= CompactBitmap.headerLength }
            if extensionCount != 0 { second |= CompactBitmap.extensions }
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
        if secondBitmap { buffer[position] = UInt8(truncatingIfNeeded: length) }
        return length
    }

    /// The encoded header as a new array, with `extensions` (exactly `extensionLength` bytes)
    /// in its extension area.
    public func bytes(extensions: [UInt8] = []) -> [UInt8] {
        precondition(extensions.count == extensionLength, "extensions must be extensionLength bytes")
        var out = [UInt8](repeating: 0, count: encodedLength)
        _ = out.withUnsafeMutableBytes { encode(into: $0) }
        out.replaceSubrange(extensionOffset..<encodedLength, with: extensions)
        return out
    }
}
