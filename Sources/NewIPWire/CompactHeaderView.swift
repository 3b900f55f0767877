/// A checked, zero-copy view of a compact (OpenHarmony) New IP header at the start of a buffer.
///
/// `init` validates the buffer exactly as the reference decoder `nip_hdr_parse` decides, and
/// never reads outside it. Once a view exists, every accessor is in bounds and cannot fail.
///
/// Decision order (the reference's): bitmap bytes; then, bitmap byte by bitmap byte, the
/// presence and validity of each field, then "the header so far must leave at least one
/// payload byte". Where the reference would read a field past the end of the buffer (it does
/// not bounds-check inside a bitmap step), the missing bytes count as zero for the presence
/// and validity checks; such a header always ends in `.headerReachesEnd` or an earlier error,
/// so no field is ever taken from outside the buffer. A bitmap that runs off the end is
/// refused with `.headerReachesEnd`.
public struct CompactHeaderView {
    /// The bytes the view was made from: header, then payload.
    public let bytes: UnsafeRawBufferPointer
    /// Number of bitmap bytes (1…8); the TTL sits right after them.
    public let bitmapCount: Int
    public let firstBitmap: UInt8
    /// Second bitmap byte, 0 when absent.
    public let secondBitmap: UInt8
    public let destination: CompactAddress
    public let source: CompactAddress?
    /// Offset of the destination address; next header is the byte before it.
    public let destinationOffset: Int
    /// Length of the fields the decoder understood (the reference's `hdr_real_len`).
    public let parsedLength: Int
    /// The header-length field, when present.
    public let headerLengthField: UInt8?

    @inlinable public var ttlOffset: Int { bitmapCount }
    @inlinable public var ttl: UInt8 { bytes[bitmapCount] }
    @inlinable public var totalLength: UInt16? {
        firstBitmap & CompactBitmap.totalLength == 0 ? nil
            : UInt16(bytes[bitmapCount + 1]) << 8 | UInt16(bytes[bitmapCount + 2])
    }
    @inlinable public var nextHeader: NextHeader { NextHeader(rawValue: bytes[destinationOffset - 1]) }

    /// The header length the reference reports: the larger of the parsed length and the
    /// header-length field. It can exceed `bytes.count` when a header-length field points past
    /// the buffer and no total length is present (the reference accepts that).
    @inlinable public var headerLength: Int { max(parsedLength, Int(headerLengthField ?? 0)) }

    /// Whether the whole header, including skipped extension bytes, lies inside the buffer.
    @inlinable public var isComplete: Bool { headerLength < bytes.count }

    /// Where the packet ends, for a router or gateway that needs the whole header and a payload:
    /// its total length when it carries one (which must leave a payload and fit the bytes), else
    /// the end of the bytes. Throws when the header is incomplete or the total length does not fit.
    @inlinable
    public func packetEnd() throws(WireError) -> Int {
        guard isComplete else { throw .truncated(at: bytes.count, needed: headerLength + 1 - bytes.count) }
        guard let total = totalLength else { return bytes.count }
        guard Int(total) > headerLength, Int(total) <= bytes.count else {
            throw .malformed(field: "total length", at: bitmapCount + 1,
                             reason: "\(total) does not fit the \(headerLength)-byte header and \(bytes.count)-byte packet")
        }
        return Int(total)
    }

    /// Bytes between the understood fields and the header length: extensions a decoder skips.
    @inlinable public var extensionRange: Range<Int> { parsedLength..<min(headerLength, bytes.count) }

    /// Where the payload starts (clamped to the buffer).
    @inlinable public var payloadRange: Range<Int> { min(headerLength, bytes.count)..<bytes.count }

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) throws(CompactHeaderError) {
        let count = bytes.count
        // The reference reads fields without bounds checks; absent bytes decide as zero.
        @inline(__always) func at(_ i: Int) -> UInt8 { i < count ? bytes[i] : 0 }

        guard count > 0 else { throw CompactHeaderError(.headerReachesEnd, at: 0) }
        let first = bytes[0]
        guard first & CompactBitmap.invalid == 0 else { throw CompactHeaderError(.bitmapInvalid, at: 0) }

        var bitmapCount = 0
        var last: UInt8
        repeat {
            guard bitmapCount < CompactBitmap.maxBytes else {
                throw CompactHeaderError(.tooManyBitmapBytes, at: bitmapCount)
            }
            guard bitmapCount < count else { throw CompactHeaderError(.headerReachesEnd, at: bitmapCount) }
            last = bytes[bitmapCount]
            bitmapCount &+= 1
        } while last & CompactBitmap.more != 0
        let second: UInt8 = bitmapCount > 1 ? bytes[1] : 0

        // Bitmap byte 1: TTL, total length, next header, destination, source.
        // Positions stay below 8 bitmap bytes + 29 field bytes, so wrapping arithmetic is exact.
        var position = bitmapCount
        guard first & CompactBitmap.ttl != 0 else { throw CompactHeaderError(.noTTL, at: 0) }
        position &+= 1
        let hasTotalLength = first & CompactBitmap.totalLength != 0
        if hasTotalLength { position &+= 2 }
        guard first & CompactBitmap.nextHeader != 0 else { throw CompactHeaderError(.noNextHeader, at: 0) }
        position &+= 1
        guard first & CompactBitmap.destination != 0 else { throw CompactHeaderError(.noDestination, at: 0) }
        let destinationOffset = position
        guard let destination = CompactHeaderView.address(at: position, in: bytes, at) else {
            throw CompactHeaderError(.destinationUndecodable, at: position,
                                     truncated: CompactHeaderView.isCut(at: position, at, count: count))
        }
        position &+= destination.encodedLength
        var source: CompactAddress? = nil
        if first & CompactBitmap.source != 0 {
            guard let decoded = CompactHeaderView.address(at: position, in: bytes, at) else {
                throw CompactHeaderError(.sourceUndecodable, at: position,
                                         truncated: CompactHeaderView.isCut(at: position, at, count: count))
            }
            source = decoded
            position &+= decoded.encodedLength
        }
        guard position < count else { throw CompactHeaderError(.headerReachesEnd, at: position) }

        // Bitmap byte 2: header length; other bits are unknown to the reference.
        var headerLengthField: UInt8? = nil
        var unknownBits = false
        if bitmapCount >= 2 {
            unknownBits = second & CompactBitmap.unknownInSecond != 0
            if second & CompactBitmap.headerLength != 0 {
                let field = at(position)
                headerLengthField = field
                if hasTotalLength && Int(field) >= count {
                    throw CompactHeaderError(.headerLengthOutOfRange, at: position)
                }
                position &+= 1
            }
            guard position < count else { throw CompactHeaderError(.headerReachesEnd, at: position) }
        }
        // Bitmap bytes 3…8 carry no field the reference knows.
        if bitmapCount >= 3 { unknownBits = true }

        if unknownBits && headerLengthField == nil {
            throw CompactHeaderError(.unknownBitsWithoutHeaderLength, at: 1)
        }
        if let field = headerLengthField, field == 0 || Int(field) < position {
            throw CompactHeaderError(.headerLengthInvalid, at: position - 1)
        }

        self.bytes = bytes
        self.bitmapCount = bitmapCount
        self.firstBitmap = first
        self.secondBitmap = second
        self.destination = destination
        self.source = source
        self.destinationOffset = destinationOffset
        self.parsedLength = position
        self.headerLengthField = headerLengthField
    }

    /// Whether the address starting at `offset` runs past `count` bytes.
    @inlinable
    static func isCut(at offset: Int, _ read: (Int) -> UInt8, count: Int) -> Bool {
        offset + (CompactAddress.encodedLength(forFirstByte: read(offset)) ?? 1) > count
    }

    /// Decodes an address at `offset` of `bytes`, where bytes past `count` read as zero; `nil`
    /// when the encoding is invalid or overlong.
    @inlinable @inline(__always)
    static func address(at offset: Int, in bytes: UnsafeRawBufferPointer, _ read: (Int) -> UInt8) -> CompactAddress? {
        let first = read(offset)
        guard let length = CompactAddress.encodedLength(forFirstByte: first) else { return nil }
        var storage: UInt64
        if offset &+ length <= bytes.count {
            storage = CompactAddress.loadStorage(bytes, at: offset, length: length)
        } else {
            storage = UInt64(first) << 56
            var i = 1
            while i < length {
                storage |= UInt64(read(offset &+ i)) &<< (56 &- 8 &* i)
                i &+= 1
            }
        }
        guard CompactAddress.isCanonical(storage: storage, first: first) else { return nil }
        return CompactAddress(unchecked: storage, length: length)
    }
}
