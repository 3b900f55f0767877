/// The qualitative payload spec: the payload cut into chunks of graded significance, so a
/// congested router can drop the least significant bytes instead of the whole packet.
///
/// Body (the same bytes in both dialects):
///
/// ```
/// flags (1) | chunk count n (1) | chunk offset (1) | n × { significance (1), length (2, big-endian) }
/// ```
///
/// `flags` bit 0 (`0x80`) says a router trimmed the packet; the other bits are reserved
/// (sent as 0, kept). The chunks lie back to back from `chunkOffset` bytes into the payload
/// (the bytes before, a transport header, are never trimmed), and may end before the
/// payload does (the rest, padding or a trailer, is never trimmed either). Significance 0
/// is the most significant and is never trimmed; a trimmed chunk keeps its entry with
/// length 0, so the receiver knows which chunk is missing.
///
/// Framework packets carry it as contract clause type `0x0010` (type, then the body); the
/// wire decoder treats that type as unknown, so it runs to the payload offset and must be
/// the last clause. Compact packets carry the body as extension item type 2.
public struct PayloadSpec: Hashable, Sendable {
    public struct Chunk: Hashable, Sendable {
        /// 0 is the most significant.
        public var significance: UInt8
        public var length: UInt16

        public init(significance: UInt8, length: UInt16) {
            self.significance = significance
            self.length = length
        }
    }

    public var isTrimmed: Bool
    /// Payload bytes before the first chunk.
    public var chunkOffset: UInt8
    /// At most 255 (the count is one byte); a compact item holds at most 84.
    public var chunks: [Chunk]

    public init(chunks: [Chunk], chunkOffset: UInt8 = 0, isTrimmed: Bool = false) {
        self.chunks = chunks
        self.chunkOffset = chunkOffset
        self.isTrimmed = isTrimmed
    }

    /// The contract clause type of a framework payload spec.
    public static let contractType = ContractType(rawValue: 0x0010)
    /// The compact extension item type of a payload spec.
    public static let extensionType: UInt8 = 2
    public static let trimmedFlag: UInt8 = 0x80

    /// Body offsets and sizes.
    public enum Field {
        public static let flags = 0
        public static let chunkCount = 1
        public static let chunkOffset = 2
        public static let firstChunk = 3
        public static let chunkLength = 3
    }

    /// Body length for `chunkCount` chunks.
    @inlinable
    public static func bodyLength(chunkCount: Int) -> Int { Field.firstChunk + Field.chunkLength * chunkCount }

    public var bodyLength: Int { Self.bodyLength(chunkCount: chunks.count) }

    /// Decodes a body that fills `body` exactly.
    public init(parsingBody body: UnsafeRawBufferPointer) throws(WireError) {
        guard body.count >= Field.firstChunk else { throw .truncated(at: 0, needed: Field.firstChunk) }
        let count = Int(body[Field.chunkCount])
        guard body.count == Self.bodyLength(chunkCount: count) else {
            throw body.count < Self.bodyLength(chunkCount: count)
                ? .truncated(at: Field.firstChunk, needed: Field.chunkLength * count)
                : .malformed(field: "payload spec", at: Field.chunkCount,
                             reason: "\(count) chunk(s) need \(Self.bodyLength(chunkCount: count)) bytes, the spec has \(body.count)")
        }
        var chunks: [Chunk] = []
        chunks.reserveCapacity(count)
        for index in 0..<count {
            let at = Field.firstChunk + Field.chunkLength * index
            chunks.append(Chunk(significance: body[at], length: body.uncheckedUInt16BE(at: at + 1)))
        }
        self.init(chunks: chunks, chunkOffset: body[Field.chunkOffset],
                  isTrimmed: body[Field.flags] & Self.trimmedFlag != 0)
    }

    /// Writes the body at `offset`; the caller guarantees `bodyLength` bytes of room.
    public func encodeBody(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        precondition(chunks.count <= 255, "more than 255 chunks")
        buffer[offset + Field.flags] = isTrimmed ? Self.trimmedFlag : 0
        buffer[offset + Field.chunkCount] = UInt8(chunks.count)
        buffer[offset + Field.chunkOffset] = chunkOffset
        for (index, chunk) in chunks.enumerated() {
            let at = offset + Field.firstChunk + Field.chunkLength * index
            buffer[at] = chunk.significance
            buffer[at + 1] = UInt8(truncatingIfNeeded: chunk.length >> 8)
            buffer[at + 2] = UInt8(truncatingIfNeeded: chunk.length)
        }
    }

    /// The body bytes.
    public var body: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bodyLength) { buffer, count in
            encodeBody(into: UnsafeMutableRawBufferPointer(buffer), at: 0)
            count = bodyLength
        }
    }

    /// The spec as a framework contract clause (put it last in the contract).
    public var clause: ContractClause { .unknown(type: Self.contractType, body: body) }

    /// The spec as a compact extension item.
    public var extensionItem: [UInt8] {
        precondition(bodyLength <= 255, "a compact extension item holds at most 84 chunks")
        return [Self.extensionType, UInt8(bodyLength)] + body
    }
}
