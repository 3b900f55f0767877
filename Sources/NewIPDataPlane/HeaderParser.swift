import NewIPWire

/// What forwarding needs from a validated header.
struct ParsedHeader {
    var destination: FrameworkAddress
    /// The compact TTL byte; the framework header has none.
    var ttlOffset: Int?
    /// Bytes the packet really has when its header says so (compact total length); link
    /// padding after them is cut.
    var length: Int
    var contracts: ContractLocations
}

/// Validation of both dialects down to the clauses, without allocating: the packet view,
/// plus the checks trimming relies on (payload spec chunks inside the payload, UDP lengths).
enum HeaderParser {
    static func parse(_ bytes: UnsafeRawBufferPointer, dialect: PacketDialect) throws(WireError) -> ParsedHeader {
        let view: NewIPPacketView
        do { view = try NewIPPacketView(bytes, dialect: dialect) } catch { throw error.wireError }
        let length = try view.packetEnd()
        let headerLength = view.headerLength
        var contracts = ContractLocations()
        try view.forEachContractItem { (item) throws(WireError) in
            switch item {
            case .clause(let type, let range):
                contracts.record(type, at: range.lowerBound)
            case .payloadSpec(let body) where contracts.payloadSpec == nil:
                contracts.payloadSpec = try PayloadSpecLocation.locate(in: bytes, body: body,
                                                                       payloadStart: headerLength, payloadEnd: length)
            case .payloadSpec:
                break
            }
        }
        if var spec = contracts.payloadSpec, case .compact(let compact) = view.header {
            if compact.totalLength != nil { spec.totalLengthField = compact.bitmapCount + 1 }
            if compact.nextHeader == .udp {
                guard spec.firstChunk >= headerLength + UDPHeader.encodedLength else {
                    throw .malformed(field: "payload spec", at: spec.body + PayloadSpec.Field.chunkOffset,
                                     reason: "chunks over UDP must start after the 8-byte UDP header")
                }
                let udpLength = Int(bytes.uint16BE(at: headerLength + 4))
                guard udpLength == length - headerLength else {
                    throw .malformed(field: "UDP length", at: headerLength + 4,
                                     reason: "\(udpLength) is not the \(length - headerLength)-byte payload a payload spec trims")
                }
                spec.udp = headerLength
            }
            contracts.payloadSpec = spec
        }
        return ParsedHeader(destination: view.destination, ttlOffset: view.ttlOffset, length: length, contracts: contracts)
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
