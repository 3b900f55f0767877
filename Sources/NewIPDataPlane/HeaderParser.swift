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

/// Validation of both dialects down to the clauses, without allocating.
enum HeaderParser {
    static func parse(_ bytes: UnsafeRawBufferPointer, dialect: PacketDialect) throws(WireError) -> ParsedHeader {
        switch dialect {
        case .compact: try parseCompact(bytes)
        case .framework: try parseFramework(bytes)
        }
    }

    private static func parseCompact(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> ParsedHeader {
        let view: CompactHeaderView
        do { view = try CompactHeaderView(bytes) } catch { throw error.wireError }
        let length = try view.packetEnd()
        var contracts = ContractLocations()
        if view.secondBitmap & CompactBitmap.extensions != 0 {
            contracts = try CompactExtensions.locate(in: bytes, range: view.extensionRange,
                                                     payloadStart: view.headerLength, payloadEnd: length)
        }
        if var spec = contracts.payloadSpec {
            if view.totalLength != nil { spec.totalLengthField = view.bitmapCount + 1 }
            if view.nextHeader == .udp {
                guard spec.firstChunk >= view.headerLength + UDPHeader.encodedLength else {
                    throw .malformed(field: "payload spec", at: spec.body + PayloadSpec.Field.chunkOffset,
                                     reason: "chunks over UDP must start after the 8-byte UDP header")
                }
                let udpLength = Int(bytes.uint16BE(at: view.headerLength + 4))
                guard udpLength == length - view.headerLength else {
                    throw .malformed(field: "UDP length", at: view.headerLength + 4,
                                     reason: "\(udpLength) is not the \(length - view.headerLength)-byte payload a payload spec trims")
                }
                spec.udp = view.headerLength
            }
            contracts.payloadSpec = spec
        }
        return ParsedHeader(destination: .compact(view.destination), ttlOffset: view.ttlOffset,
                            length: length, contracts: contracts)
    }

    private static func parseFramework(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> ParsedHeader {
        let view = try FrameworkHeaderView(bytes)
        var contracts = ContractLocations()
        for clause in view.clauses {
            if clause.type == PayloadSpec.contractType {
                if contracts.payloadSpec == nil {
                    contracts.payloadSpec = try PayloadSpecLocation.locate(
                        in: bytes, body: (clause.range.lowerBound + 2)..<clause.range.upperBound,
                        payloadStart: view.payloadOffset, payloadEnd: bytes.count)
                }
            } else {
                contracts.record(clause.type, at: clause.range.lowerBound)
            }
        }
        return ParsedHeader(destination: view.destination, ttlOffset: nil, length: bytes.count, contracts: contracts)
    }
}
