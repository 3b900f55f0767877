import NewIPDataPlane
import NewIPWire

/// Where on a node a packet addressed to it goes: an application's UDP port, the ping
/// identifier a pinging application listens on, or the probe port of topology flows.
public struct LocalPort: Hashable, Sendable {
    /// The kinds' raw values are the application protocol's (docs/node.md).
    public enum Kind: UInt8, Sendable {
        case udp = 0
        /// Echo replies and hop-limit answers, by the request's identifier.
        case control = 1
        /// Flow packets that carry the probe straight after the header (no UDP); port 0 only.
        case probe = 2
    }

    public var kind: Kind
    public var port: UInt16

    public init(kind: Kind, port: UInt16) {
        self.kind = kind
        self.port = port
    }

    public static let probe = LocalPort(kind: .probe, port: 0)
}

/// What a packet for this node is.
public enum LocalDestination: Hashable, Sendable {
    /// For the application bound to the port (if any: the driver holds the bindings).
    case application(LocalPort)
    /// An echo request: the node answers it itself (the answer waits for `NodeCore.poll`).
    case echoRequest
    /// An IPv4 or IPv6 packet for one of the node's IP addresses.
    case ipPacket
    /// A neighbour solicitation or advertisement: neighbour discovery took it (and its answer
    /// waits for `NodeCore.poll`).
    case neighbourDiscovery
}

/// The UDP datagram in a New IP packet's payload, read in place.
public struct UDPDatagramView {
    public let header: UDPHeader
    /// The datagram's data, as offsets into the packet's bytes.
    public let data: Range<Int>

    /// `nil` when the payload is not a whole UDP datagram, or (compact) its checksum does
    /// not verify. The framework dialect has no pseudo header: its checksum is 0 ("none").
    public init?(_ packet: NewIPPacketView) {
        let payload = packet.payloadRange
        let bytes = packet.bytes
        guard let header = try? UDPHeader(parsing: UnsafeRawBufferPointer(rebasing: bytes[payload])) else { return nil }
        let datagram = payload.lowerBound..<(payload.lowerBound + Int(header.length))
        if case .compact(let view) = packet.header, header.checksum != 0 {
            guard CompactChecksum.verify(source: view.source, destination: view.destination, nextHeader: .udp,
                                         data: UnsafeRawBufferPointer(rebasing: bytes[datagram])) else { return nil }
        }
        self.header = header
        data = (datagram.lowerBound + UDPHeader.encodedLength)..<datagram.upperBound
    }
}

extension NewIPPacketView {
    /// The ping clause's code, when the packet carries one.
    public var pingCode: UInt16? {
        var code: UInt16?
        try? forEachContractItem { item in
            if case .clause(.ping, let range) = item {
                code = bytes.bigEndian16(at: range.lowerBound + PingContract.Field.code)
            }
        }
        return code
    }

    /// A control message (ping and its answers) rather than UDP or a probe.
    public var isControl: Bool {
        switch nextHeader {
        case .some(let header): header == .control
        case .none: pingCode != nil
        }
    }

    /// Where on this node the packet goes (`nil`: a control message that is neither a request
    /// nor an answer with an identifier, which nobody takes).
    public var localDestination: LocalDestination? {
        let payload = payloadRange
        if isControl {
            guard payload.count >= ControlMessage.length else { return nil }
            let type = bytes[payload.lowerBound]
            if type == ControlMessage.echoRequest { return pingCode == PingContract.request ? .echoRequest : nil }
            guard (ControlMessage.echoReply...RefusalNotice.type).contains(type) else { return nil }
            return .application(LocalPort(kind: .control, port: bytes.bigEndian16(at: payload.lowerBound + 2)))
        }
        // UDP where the header says so (compact) or may (framework: no next header field).
        if nextHeader == nil || nextHeader == .udp, let udp = UDPDatagramView(self) {
            return .application(LocalPort(kind: .udp, port: udp.header.destinationPort))
        }
        // Not UDP: a topology flow's probe packet.
        return .application(.probe)
    }
}

extension UnsafeRawBufferPointer {
    /// Two bytes the caller has checked are inside.
    fileprivate func bigEndian16(at offset: Int) -> UInt16 { UInt16(self[offset]) << 8 | UInt16(self[offset + 1]) }
}

/// Applications' claims on a node's local ports, each renewed within `lease`: the rule the
/// real node's application port applies (`Owner` is how its driver reaches an application).
public struct PortBindings<Owner: Hashable> {
    public struct Binding {
        public var owner: Owner
        public var lastSeen: Nanoseconds
    }

    public enum BindResult: Equatable {
        case bound(port: UInt16)
        case inUse(port: UInt16)
    }

    public let lease: Nanoseconds
    private var bindings: [LocalPort: Binding] = [:]

    public init(lease: Nanoseconds) { self.lease = lease }

    public var count: Int { bindings.count }

    /// Binds (or renews) `port` for `owner`. Port 0 of UDP or control picks a free ephemeral
    /// port from 49152 up, as the kernel would; the probe port is 0 itself.
    public mutating func bind(_ port: LocalPort, owner: Owner, now: Nanoseconds) -> BindResult {
        var chosen = port
        if chosen.port == 0 && chosen.kind != .probe {
            var candidate = UInt16(49152 + Int(now.magnitude % 16384))
            for _ in 0..<16384 where bindings[LocalPort(kind: port.kind, port: candidate)] != nil {
                candidate = candidate == 65535 ? 49152 : candidate + 1
            }
            chosen.port = candidate
        }
        if let existing = bindings[chosen], existing.owner != owner { return .inUse(port: chosen.port) }
        bindings[chosen] = Binding(owner: owner, lastSeen: now)
        return .bound(port: chosen.port)
    }

    /// Releases `port` if `owner` holds it.
    public mutating func unbind(_ port: LocalPort, owner: Owner) {
        if bindings[port]?.owner == owner { bindings[port] = nil }
    }

    /// Who takes packets for `port`.
    public func owner(of port: LocalPort) -> Owner? { bindings[port]?.owner }

    /// Drops the bindings not renewed within the lease.
    public mutating func expire(now: Nanoseconds) {
        bindings = bindings.filter { now - $0.value.lastSeen < lease }
    }
}
