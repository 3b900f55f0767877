import NewIPJSON
import NewIPWire

extension DecodedPacket {
    /// One JSON object with the field names of the shared vectors, plus `index`, `dialect` and,
    /// on failure, `reason` and `offset`.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("index", .int(index))]
        if let dialect { members.append(("dialect", .string(dialect.rawValue))) }
        if let etherType { members.append(("ethertype", .string(etherType.description))) }
        switch outcome {
        case .compact(let header, let headerLength, let headerLengthField, let payloadLength, let neighbourDiscovery):
            members.append(("ok", .bool(true)))
            members.append(("header_length", .int(headerLength)))
            members.append(("ttl", .int(Int(header.ttl))))
            if let total = header.totalLength { members.append(("total_len", .int(Int(total)))) }
            members.append(("nexthdr", .int(Int(header.nextHeader.rawValue))))
            members.append(("daddr", .string(header.destination.hex)))
            if let source = header.source { members.append(("saddr", .string(source.hex))) }
            if let field = headerLengthField { members.append(("hdr_len", .int(Int(field)))) }
            members.append(("payload_length", .int(payloadLength)))
            switch neighbourDiscovery {
            case .success(let message)?: members.append(("nd", message.json))
            case .failure(let error)?:
                members.append(("nd_error", .string(error.description)))
                members.append(("nd_offset", .int(error.offset)))
            case nil: break
            }
        case .compactError(let error):
            members.append(("ok", .bool(false)))
            members.append(("error", .int(error.code.rawValue)))
            members.append(("reason", .string(error.code.reason + (error.isTruncation ? " (truncated)" : ""))))
            members.append(("offset", .int(error.offset)))
        case .framework(let packet):
            let header = packet.header
            members.append(("ok", .bool(true)))
            members.append(("src_type", .string(header.source.type.name)))
            members.append(("dst_type", .string(header.destination.type.name)))
            members.append(("cast", .string(header.cast.name)))
            members.append(("src", header.source.json))
            members.append(("dst", header.destination.json))
            if let first = header.contracts.first { members.append(("contract", first.json)) }
            if header.contracts.count > 1 { members.append(("contracts", .array(header.contracts.map(\.json)))) }
            members.append(("payload", .string(String(String.UnicodeScalarView(packet.payload.map { Unicode.Scalar($0) })))))
        case .frameworkError(let error):
            members.append(("ok", .bool(false)))
            members.append(("reason", .string(error.description)))
            members.append(("offset", .int(error.offset)))
        case .notNewIP(let reason, let offset):
            members.append(("ok", .bool(false)))
            members.append(("reason", .string(reason)))
            members.append(("offset", .int(offset)))
        }
        return .object(members)
    }

    /// One tcpdump-style line.
    public var line: String {
        let prefix = "\(index) \(dialect?.rawValue ?? "-")"
        switch outcome {
        case .compact(let header, let headerLength, _, let payloadLength, let neighbourDiscovery):
            let source = header.source?.description ?? "(no source)"
            let total = header.totalLength.map { " total \($0)" } ?? ""
            let control = switch neighbourDiscovery {
            case .success(let message)?: " " + message.summary
            case .failure(let error)?: " neighbour-discovery malformed: \(error)"
            case nil: ""
            }
            return "\(prefix) \(source) > \(header.destination) ttl \(header.ttl) next-header \(header.nextHeader.rawValue)\(total) header \(headerLength) payload \(payloadLength)\(control)"
        case .compactError(let error):
            return "\(prefix) malformed: \(error)"
        case .framework(let packet):
            let header = packet.header
            let contracts = header.contracts.isEmpty ? "no contract" : header.contracts.map(\.summary).joined(separator: " ")
            return "\(prefix) \(header.source) > \(header.destination) \(header.cast.name) \(contracts) header \(header.encodedLength) payload \(packet.payload.count)"
        case .frameworkError(let error):
            return "\(prefix) malformed: \(error)"
        case .notNewIP(let reason, _):
            return "\(prefix) not New IP: \(reason)"
        }
    }
}

extension FrameworkAddress {
    /// An integer for 8-bit addresses, text otherwise (as the shared vectors print them).
    var json: JSONValue {
        if case .eightBit(let value) = self { return .int(Int(value)) }
        return .string(description)
    }
}

extension ContractClause {
    /// Every field as an unsigned number: a ping timestamp uses all 64 bits.
    var fields: [(String, UInt64)] {
        switch self {
        case .maxDelay(let c): [("max_allowed_delay", UInt64(c.maxAllowedDelay)), ("delay_exp", UInt64(c.delayExp))]
        case .latencyBased(let c):
            [("min_delay", UInt64(c.minDelay)), ("max_delay", UInt64(c.maxDelay)), ("experienced_delay", UInt64(c.experiencedDelay)),
             ("fib_todelay", UInt64(c.fibToDelay)), ("fib_tohops", UInt64(c.fibToHops))]
        case .ping(let c): [("code", UInt64(c.code)), ("hops", UInt64(c.hops)), ("timestamp", UInt64(c.timestamp))]
        case .unknown(_, let body): [("length", UInt64(body.count))]
        }
    }

    var json: JSONValue {
        .object([("type", .string(type.name))] + fields.map { ($0.0, JSONValue.unsigned($0.1)) })
    }

    var summary: String {
        "\(type.name)[" + fields.map { "\($0.0) \($0.1)" }.joined(separator: " ") + "]"
    }
}

extension NeighbourDiscoveryMessage {
    /// `type`, then `target` (solicitation) or `lladdr` (advertisement, hex), and `checksum`.
    var json: JSONValue {
        switch self {
        case .solicitation(let message):
            .object([("type", .string("solicitation")), ("target", .string(message.target.hex)), ("checksum", .int(Int(message.checksum)))])
        case .advertisement(let message):
            .object([("type", .string("advertisement")), ("lladdr", .string(message.linkLayerAddressHex)),
                     ("checksum", .int(Int(message.checksum)))])
        }
    }

    /// `neighbour-solicitation who-has 0x06` / `neighbour-advertisement lladdr 02:00:00:00:00:01`.
    var summary: String {
        switch self {
        case .solicitation(let message): "neighbour-solicitation who-has \(message.target)"
        case .advertisement(let message):
            "neighbour-advertisement lladdr \(message.linkLayerAddressText)"
        }
    }
}
