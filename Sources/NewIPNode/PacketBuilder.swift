import NewIPDataPlane
import NewIPWire

/// A New IP packet taken apart (slow path: allocates).
public typealias ParsedPacket = NewIPPacket

extension NewIPPacket {
    /// `nil` when the bytes are not a whole packet of `dialect`.
    public init?(_ bytes: UnsafeRawBufferPointer, dialect: PacketDialect) {
        guard let packet = try? NewIPPacket(parsing: bytes, dialect: dialect) else { return nil }
        self = packet
    }

    public var ping: PingContract? {
        for clause in clauses { if case .ping(let ping) = clause { return ping } }
        return nil
    }

    public var latencyBased: LatencyBasedContract? {
        for clause in clauses { if case .latencyBased(let c) = clause { return c } }
        return nil
    }

    /// Whether this is a control message (ping and friends) rather than UDP.
    public var isControl: Bool { nextHeader == .control || (nextHeader == nil && ping != nil) }
}

/// Builds the packets the node and the host API send.
public enum PacketBuilder {
    public static let defaultTTL: UInt8 = 64

    /// A packet with `clauses` and `payload`, in `dialect`. Compact: `nextHeader` and `ttl` in the
    /// header, clauses as extension items. Framework: clauses in the contract.
    public static func packet(dialect: PacketDialect, source: FrameworkAddress, destination: FrameworkAddress,
                              nextHeader: NextHeader, ttl: UInt8 = defaultTTL, clauses: [ContractClause],
                              payload: [UInt8]) -> [UInt8]? {
        let packet = NewIPPacket(dialect: dialect, source: source, destination: destination,
                                 ttl: dialect == .compact ? ttl : nil, nextHeader: dialect == .compact ? nextHeader : nil,
                                 clauses: clauses, payload: payload)
        return try? packet.encoded()
    }

    /// UDP over New IP: a UDP header and `data`. Over compact the checksum is OpenHarmony's
    /// `CompactChecksum` over the pseudo header; the framework dialect has no pseudo header
    /// for it and sends 0 ("none").
    public static func udp(dialect: PacketDialect, source: FrameworkAddress, sourcePort: UInt16,
                           destination: FrameworkAddress, destinationPort: UInt16, ttl: UInt8 = defaultTTL,
                           clauses: [ContractClause], data: [UInt8]) -> [UInt8]? {
        let length = UDPHeader.encodedLength + data.count
        guard length <= 65535 else { return nil }
        var datagram = [UInt8](repeating: 0, count: length)
        datagram.withUnsafeMutableBytes { raw in
            _ = UDPHeader(sourcePort: sourcePort, destinationPort: destinationPort, length: UInt16(length)).encode(into: raw)
        }
        datagram.replaceSubrange(UDPHeader.encodedLength..., with: data)
        if dialect == .compact, case .compact(let src) = source, case .compact(let dst) = destination {
            let checksum = datagram.withUnsafeBytes { CompactChecksum.compute(source: src, destination: dst, nextHeader: .udp, data: $0) }
            datagram.put16(checksum, at: 6)
        }
        return packet(dialect: dialect, source: source, destination: destination, nextHeader: .udp, ttl: ttl,
                      clauses: clauses, payload: datagram)
    }

    /// An echo request: a ping clause stamped with `sentAt` (the data plane's ping request), and
    /// an LBF clause without bounds so routers add up the experienced delay.
    public static func echoRequest(dialect: PacketDialect, source: FrameworkAddress, destination: FrameworkAddress,
                                   identifier: UInt16, sequence: UInt16, sentAt: Nanoseconds, ttl: UInt8 = defaultTTL,
                                   startHops: UInt16 = 0, contract: ContractClause? = nil) -> [UInt8]? {
        var clauses: [ContractClause] = [.ping(PingProcessing.request(at: sentAt, hops: startHops))]
        clauses.append(contract ?? .latencyBased(LatencyBasedContract(minDelay: 0, maxDelay: 0)))
        let message = ControlMessage(type: ControlMessage.echoRequest, identifier: identifier, sequence: sequence)
        return packet(dialect: dialect, source: source, destination: destination, nextHeader: .control, ttl: ttl,
                      clauses: clauses, payload: message.bytes)
    }

    /// The answer to a request (`type` echo reply or hop limit exceeded) from `responder`: the
    /// request's timestamp echoed, and what the request carried when it got here.
    public static func answer(to request: ParsedPacket, type: UInt8, responder: FrameworkAddress,
                              dialect: PacketDialect) -> [UInt8]? {
        guard let ping = request.ping, ping.code == PingContract.request, let source = request.source,
              let message = ControlMessage(request.payload), message.type == ControlMessage.echoRequest else { return nil }
        let reply = ControlMessage(type: type, identifier: message.identifier, sequence: message.sequence,
                                   requestHops: ping.hops, requestExperienced: request.latencyBased?.experiencedDelay ?? 0xFFFF,
                                   requestTTL: UInt16(request.ttl ?? 0))
        let clauses: [ContractClause] = [.ping(PingProcessing.reply(to: ping)),
                                         .latencyBased(LatencyBasedContract(minDelay: 0, maxDelay: 0))]
        return packet(dialect: dialect, source: responder, destination: source, nextHeader: .control,
                      clauses: clauses, payload: reply.bytes)
    }

    /// The UDP datagram of a delivered packet: ports and data, checksum verified over compact.
    public static func udpDatagram(_ packet: [UInt8], dialect: PacketDialect) -> (sourcePort: UInt16, destinationPort: UInt16, data: [UInt8])? {
        packet.withUnsafeBytes { bytes in
            guard let view = try? NewIPPacketView(bytes, dialect: dialect), !view.isControl,
                  let udp = UDPDatagramView(view) else { return nil }
            return (udp.header.sourcePort, udp.header.destinationPort, Array(bytes[udp.data]))
        }
    }
}
