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

    /// Finds the clauses and payload spec in `range` of `bytes` (the view's extension range)
    /// without allocating. Offsets are those of `bytes`; `payloadStart` and `payloadEnd`
    /// bound the chunks of a payload spec.
    static func locate(in bytes: UnsafeRawBufferPointer, range: Range<Int>,
                       payloadStart: Int, payloadEnd: Int) throws(WireError) -> ContractLocations {
        var found = ContractLocations()
        var at = range.lowerBound
        while at < range.upperBound {
            let type = bytes[at]
            if type == padType {
                at += 1
                continue
            }
            guard at + 2 <= range.upperBound else { throw .truncated(at: at, needed: 2) }
            let length = Int(bytes[at + 1])
            let value = at + 2
            guard value + length <= range.upperBound else { throw .truncated(at: value, needed: length) }
            switch type {
            case clauseType:
                guard length >= 2 else {
                    throw .malformed(field: "extension clause", at: at, reason: "\(length) byte(s), too few for a clause type")
                }
                let clauseType = ContractType(rawValue: bytes.uint16BE(at: value))
                if let fixed = clauseType.fixedLength, fixed != length {
                    throw .malformed(field: "\(clauseType.name) clause", at: value,
                                     reason: "is \(fixed) bytes, the extension item holds \(length)")
                }
                found.record(clauseType, at: value)
            case PayloadSpec.extensionType where found.payloadSpec == nil:
                found.payloadSpec = try PayloadSpecLocation.locate(in: bytes, body: value..<(value + length),
                                                                   payloadStart: payloadStart, payloadEnd: payloadEnd)
            default:
                break
            }
            at = value + length
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
