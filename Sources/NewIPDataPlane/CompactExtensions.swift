import NewIPWire

/// The extension area of a compact header (second bitmap bit `0x40`, see docs/wire.md):
/// type-length-value items between the fixed fields and the header length.
///
/// Item types: 0 a one-byte pad (no length), 1 a contract clause in the framework encoding
/// (16-bit type first), 2 a payload spec body. Unknown item types are skipped, so newer
/// senders' items pass through; an unknown clause type inside item 1 is skipped the same way.
public enum CompactExtensions {
    public static let padType: UInt8 = 0
    public static let clauseType: UInt8 = 1

    /// The extension item carrying `clause` (at most 253 bytes).
    public static func item(for clause: ContractClause) -> [UInt8] {
        let length = clause.encodedLength
        precondition(length <= 255, "a clause longer than an extension item")
        var bytes = [UInt8](repeating: 0, count: 2 + length)
        bytes[0] = clauseType
        bytes[1] = UInt8(length)
        bytes.withUnsafeMutableBytes { clause.encode(into: $0, at: 2) }
        return bytes
    }

    /// Calls `body` with the type and value range of each item in `range` of `bytes` (the
    /// view's extension range), pads skipped; throws when an item runs past the range. Items
    /// before a bad one have been visited, so a lenient reader can keep them.
    @inlinable
    public static func forEachItem(in bytes: UnsafeRawBufferPointer, range: Range<Int>,
                                   _ body: (_ type: UInt8, _ value: Range<Int>) throws(WireError) -> Void) throws(WireError) {
        var at = range.lowerBound
        while at < range.upperBound {
            let type = bytes[at]
            if type == padType {
                at += 1
                continue
            }
            guard at + 2 <= range.upperBound else { throw .truncated(at: at, needed: 2) }
            let value = at + 2
            let end = value + Int(bytes[at + 1])
            guard end <= range.upperBound else { throw .truncated(at: value, needed: end - value) }
            try body(type, value..<end)
            at = end
        }
    }

    /// Finds the clauses and payload spec in `range` of `bytes` (the view's extension range)
    /// without allocating. Offsets are those of `bytes`; `payloadStart` and `payloadEnd`
    /// bound the chunks of a payload spec.
    static func locate(in bytes: UnsafeRawBufferPointer, range: Range<Int>,
                       payloadStart: Int, payloadEnd: Int) throws(WireError) -> ContractLocations {
        var found = ContractLocations()
        try forEachItem(in: bytes, range: range) { (type, value) throws(WireError) in
            switch type {
            case clauseType:
                guard value.count >= 2 else {
                    throw .malformed(field: "extension clause", at: value.lowerBound - 2,
                                     reason: "\(value.count) byte(s), too few for a clause type")
                }
                let clauseType = ContractType(rawValue: bytes.uint16BE(at: value.lowerBound))
                if let fixed = clauseType.fixedLength, fixed != value.count {
                    throw .malformed(field: "\(clauseType.name) clause", at: value.lowerBound,
                                     reason: "is \(fixed) bytes, the extension item holds \(value.count)")
                }
                found.record(clauseType, at: value.lowerBound)
            case PayloadSpec.extensionType where found.payloadSpec == nil:
                found.payloadSpec = try PayloadSpecLocation.locate(in: bytes, body: value,
                                                                   payloadStart: payloadStart, payloadEnd: payloadEnd)
            default:
                break
            }
        }
        return found
    }
}

extension ContractLocations {
    /// Notes a known clause at `offset` unless one of its type was seen before.
    mutating func record(_ type: ContractType, at offset: Int) {
        switch type {
        case .maxDelay where maxDelay == nil: maxDelay = offset
        case .latencyBased where latencyBased == nil: latencyBased = offset
        case .ping where ping == nil: ping = offset
        default: break
        }
    }
}

extension PayloadSpecLocation {
    /// Checks the payload spec body in `body` against the payload `payloadStart..<payloadEnd`.
    static func locate(in bytes: UnsafeRawBufferPointer, body: Range<Int>,
                       payloadStart: Int, payloadEnd: Int) throws(WireError) -> PayloadSpecLocation {
        typealias Field = PayloadSpec.Field
        guard body.count >= Field.firstChunk else { throw .truncated(at: body.lowerBound, needed: Field.firstChunk) }
        let count = Int(bytes[body.lowerBound + Field.chunkCount])
        guard body.count == PayloadSpec.bodyLength(chunkCount: count) else {
            throw .malformed(field: "payload spec", at: body.lowerBound + Field.chunkCount,
                             reason: "\(count) chunk(s) need \(PayloadSpec.bodyLength(chunkCount: count)) bytes, the spec has \(body.count)")
        }
        let firstChunk = payloadStart + Int(bytes[body.lowerBound + Field.chunkOffset])
        var end = firstChunk
        for index in 0..<count {
            end += Int(bytes.uint16BE(at: body.lowerBound + Field.firstChunk + Field.chunkLength * index + 1))
        }
        guard end <= payloadEnd else {
            throw .malformed(field: "payload spec", at: body.lowerBound,
                             reason: "chunks end at byte \(end), past the payload end \(payloadEnd)")
        }
        return PayloadSpecLocation(body: body.lowerBound, chunkCount: count, firstChunk: firstChunk)
    }
}
