import NewIPDataPlane
import NewIPTopology
import NewIPWire

/// A contract an application puts on its packets: clauses routers execute.
public enum Contract: Hashable, Sendable {
    /// Latency-based forwarding: deliver no earlier than `min`, no later than `max` end to end
    /// (`max` 0: no upper bound). Milliseconds on the wire.
    case latencyBased(min: Nanoseconds, max: Nanoseconds)
    /// Max-delay forwarding: drop once the experienced delay exceeds `max`.
    case maxDelay(Nanoseconds)

    var clause: ContractClause {
        switch self {
        case .latencyBased(let min, let max):
            .latencyBased(LatencyBasedContract(minDelay: WireTime.milliseconds(min), maxDelay: WireTime.milliseconds(max)))
        case .maxDelay(let max):
            .maxDelay(MaxDelayContract(maxAllowedDelay: WireTime.milliseconds(max)))
        }
    }

    /// `lbf:MIN-MAX` (`lbf:0-50ms`) or `mdf:MAX` (`mdf:20ms`); `nil` when the text is not one.
    public init?(_ text: String) {
        guard let contract = try? Contract(parsing: text) else { return nil }
        self = contract
    }

    /// `lbf:MIN-MAX` (`lbf:0-50ms`: a unit written once applies to both; MAX 0: no upper
    /// bound) or `mdf:MAX` (`mdf:20ms`). The error says what is wrong with the text.
    public init(parsing text: String) throws(ToolError) {
        let form = "write lbf:MIN-MAX (e.g. lbf:5-20ms) or mdf:MAX (e.g. mdf:20ms)"
        func duration(_ part: String, _ role: String) throws(ToolError) -> Nanoseconds {
            do { return try Units.duration(part) } catch {
                throw ToolError("contract `\(text)`: the \(role) `\(part)` is not a duration (\(error)); \(form)")
            }
        }
        if text.hasPrefix("lbf:") {
            let parts = text.dropFirst(4).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ToolError("contract `\(text)`: a latency-based contract needs a window MIN-MAX; \(form)")
            }
            var minText = parts[0]
            if minText.allSatisfy(\.isNumber), let unit = ["ms", "us", "ns", "s"].first(where: { parts[1].hasSuffix($0) }) {
                minText += unit
            }
            let min = try duration(minText, "minimum"), max = try duration(parts[1], "maximum")
            guard max == 0 || min <= max else {
                throw ToolError("contract `\(text)`: the window's minimum \(UnitText.duration(min)) is above its maximum \(UnitText.duration(max)); write the smaller bound first")
            }
            self = .latencyBased(min: min, max: max)
        } else if text.hasPrefix("mdf:") {
            self = .maxDelay(try duration(String(text.dropFirst(4)), "maximum"))
        } else {
            throw ToolError("contract `\(text)` is neither latency-based nor max-delay; \(form)")
        }
    }
}

/// What the node and the host API put after a control header (compact next header
/// `0xB1`; framework packets with a ping clause): echo request, echo reply, hop limit exceeded.
/// Layout in docs/node.md.
public struct ControlMessage: Hashable, Sendable {
    public static let echoRequest: UInt8 = 0x80
    public static let echoReply: UInt8 = 0x81
    public static let hopLimitExceeded: UInt8 = 0x82
    public static let length = 12

    public var type: UInt8
    public var identifier: UInt16
    public var sequence: UInt16
    /// Reply / exceeded: the request's ping-clause hops as it arrived.
    public var requestHops: UInt16
    /// Reply / exceeded: the request's LBF experienced delay (ms) as it arrived; `0xFFFF` none.
    public var requestExperienced: UInt16
    /// Reply / exceeded: the request's compact TTL as it arrived (0 in the framework dialect).
    public var requestTTL: UInt16

    public init(type: UInt8, identifier: UInt16, sequence: UInt16, requestHops: UInt16 = 0,
                requestExperienced: UInt16 = 0xFFFF, requestTTL: UInt16 = 0) {
        self.type = type
        self.identifier = identifier
        self.sequence = sequence
        self.requestHops = requestHops
        self.requestExperienced = requestExperienced
        self.requestTTL = requestTTL
    }

    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.length)
        out[0] = type
        out.put16(identifier, at: 2)
        out.put16(sequence, at: 4)
        out.put16(requestHops, at: 6)
        out.put16(requestExperienced, at: 8)
        out.put16(requestTTL, at: 10)
        return out
    }

    public init?(_ bytes: [UInt8]) {
        guard bytes.count >= Self.length, (0x80...0x82).contains(bytes[0]) else { return nil }
        self.init(type: bytes[0], identifier: bytes.get16(at: 2), sequence: bytes.get16(at: 4), requestHops: bytes.get16(at: 6),
                  requestExperienced: bytes.get16(at: 8), requestTTL: bytes.get16(at: 10))
    }
}

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
                           contract: Contract?, data: [UInt8]) -> [UInt8]? {
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
                      clauses: contract.map { [$0.clause] } ?? [], payload: datagram)
    }

    /// An echo request: a ping clause stamped with `sentAt` (the data plane's ping request), and
    /// an LBF clause without bounds so routers add up the experienced delay.
    public static func echoRequest(dialect: PacketDialect, source: FrameworkAddress, destination: FrameworkAddress,
                                   identifier: UInt16, sequence: UInt16, sentAt: Nanoseconds, ttl: UInt8 = defaultTTL,
                                   startHops: UInt16 = 0, contract: Contract? = nil) -> [UInt8]? {
        var clauses: [ContractClause] = [.ping(PingProcessing.request(at: sentAt, hops: startHops))]
        clauses.append(contract?.clause ?? .latencyBased(LatencyBasedContract(minDelay: 0, maxDelay: 0)))
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
    public static func udpDatagram(_ packet: ParsedPacket, dialect: PacketDialect) -> (sourcePort: UInt16, destinationPort: UInt16, data: [UInt8])? {
        guard !packet.isControl, packet.payload.count >= UDPHeader.encodedLength else { return nil }
        guard let header = packet.payload.withUnsafeBytes({ try? UDPHeader(parsing: $0) }),
              Int(header.length) >= UDPHeader.encodedLength, Int(header.length) <= packet.payload.count else { return nil }
        let datagram = Array(packet.payload[0..<Int(header.length)])
        if dialect == .compact, header.checksum != 0, case .compact(let dst) = packet.destination {
            let src: CompactAddress? = if case .compact(let s) = packet.source { s } else { nil }
            let ok = datagram.withUnsafeBytes { CompactChecksum.verify(source: src, destination: dst, nextHeader: .udp, data: $0) }
            guard ok else { return nil }
        }
        return (header.sourcePort, header.destinationPort, Array(datagram[UDPHeader.encodedLength...]))
    }
}

extension [UInt8] {
    mutating func put16(_ value: UInt16, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value >> 8)
        self[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    func get16(at offset: Int) -> UInt16 { UInt16(self[offset]) << 8 | UInt16(self[offset + 1]) }

    mutating func put64(_ value: UInt64, at offset: Int) {
        for i in 0..<8 { self[offset + i] = UInt8(truncatingIfNeeded: value >> (56 - 8 * i)) }
    }

    func get64(at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(self[offset + i]) }
        return value
    }
}
