import NewIPDataPlane
import NewIPWire

/// One message (TLV) of a routing packet: type (1 byte), body length (1 byte), body.
///
/// The messages are Babel's (RFC 8966 §4.6) reduced to what a delay-metric distance vector
/// needs, with RFC 9616's timestamps folded into the hello and the IHU ("I heard you"):
/// a hello stamps its send time, the neighbour's IHU echoes that stamp with its receive
/// time, and the hello in the IHU's packet stamps the IHU's send time, so the first router
/// measures the round trip without the neighbour's hold time and without synchronised clocks.
/// A retraction is an update with an infinite metric (RFC 8966 §3.5.4).
public enum RoutingMessage: Hashable, Sendable {
    case hello(Hello)
    case ihu(IHU)
    case update(Update)
    case routeRequest(RouteRequest)
    case seqnoRequest(SeqnoRequest)

    /// The message types; others are skipped (`RoutingPacket.skippedMessages`), so the format can grow.
    public struct Kind: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let hello = Kind(rawValue: 1)
        public static let ihu = Kind(rawValue: 2)
        public static let update = Kind(rawValue: 3)
        public static let routeRequest = Kind(rawValue: 4)
        public static let seqnoRequest = Kind(rawValue: 5)
    }

    /// Sent on every interface every hello interval; the neighbour holds us for `holdTime`.
    public struct Hello: Hashable, Sendable {
        public var seqno: UInt16
        /// How long the receiver keeps the sender as a neighbour without another hello, in µs.
        public var holdTime: UInt32
        /// The sender's clock when it sent the packet, ns (RFC 9616's transmit timestamp).
        public var timestamp: UInt64

        public init(seqno: UInt16, holdTime: UInt32, timestamp: UInt64) {
            self.seqno = seqno
            self.holdTime = holdTime
            self.timestamp = timestamp
        }

        static let bodyLength = 14
    }

    /// "I heard you": the last hello heard from `neighbour`, its timestamp and when it came.
    public struct IHU: Hashable, Sendable {
        public var neighbour: UInt64
        /// The neighbour's hello timestamp, echoed (its clock).
        public var origin: UInt64
        /// When that hello arrived (the sender's clock).
        public var receive: UInt64

        public init(neighbour: UInt64, origin: UInt64, receive: UInt64) {
            self.neighbour = neighbour
            self.origin = origin
            self.receive = receive
        }

        static let bodyLength = 24
    }

    /// A route to `prefix`, originated by `origin` with its sequence number `seqno`, at
    /// `metric` from the sender; the receiver holds it for `holdTime` µs.
    public struct Update: Hashable, Sendable {
        public var holdTime: UInt32
        public var seqno: UInt16
        public var metric: RoutingMetric
        public var origin: UInt64
        public var prefix: RoutePrefix

        public init(holdTime: UInt32, seqno: UInt16, metric: RoutingMetric, origin: UInt64, prefix: RoutePrefix) {
            self.holdTime = holdTime
            self.seqno = seqno
            self.metric = metric
            self.origin = origin
            self.prefix = prefix
        }

        public var isRetraction: Bool { metric.isInfinite }

        static let fixedLength = 19
    }

    /// Asks for an update for `prefix`, or for every route (`nil`: a full dump).
    public struct RouteRequest: Hashable, Sendable {
        public var prefix: RoutePrefix?

        public init(prefix: RoutePrefix?) { self.prefix = prefix }
    }

    /// Asks the origin of `prefix` for a sequence number at least `seqno`, forwarded at most
    /// `hopCount` routers towards it (RFC 8966 §3.8.1.2): how a router whose routes all
    /// became unfeasible gets a fresh, feasible one.
    public struct SeqnoRequest: Hashable, Sendable {
        public var seqno: UInt16
        public var hopCount: UInt8
        public var origin: UInt64
        public var prefix: RoutePrefix

        public init(seqno: UInt16, hopCount: UInt8, origin: UInt64, prefix: RoutePrefix) {
            self.seqno = seqno
            self.hopCount = hopCount
            self.origin = origin
            self.prefix = prefix
        }

        static let fixedLength = 11
    }

    public var kind: Kind {
        switch self {
        case .hello: .hello
        case .ihu: .ihu
        case .update: .update
        case .routeRequest: .routeRequest
        case .seqnoRequest: .seqnoRequest
        }
    }

    /// The body's length (without the 2-byte type and length).
    var bodyLength: Int {
        switch self {
        case .hello: Hello.bodyLength
        case .ihu: IHU.bodyLength
        case .update(let u): Update.fixedLength + PrefixEncoding.encodedLength(u.prefix)
        case .routeRequest(let r): r.prefix.map(PrefixEncoding.encodedLength) ?? 0
        case .seqnoRequest(let s): SeqnoRequest.fixedLength + PrefixEncoding.encodedLength(s.prefix)
        }
    }

    public var encodedLength: Int { 2 + bodyLength }

    func encode(into writer: inout ControlWriter) {
        writer.put8(kind.rawValue)
        writer.put8(UInt8(bodyLength))
        switch self {
        case .hello(let h):
            writer.put16(h.seqno)
            writer.put32(h.holdTime)
            writer.put64(h.timestamp)
        case .ihu(let i):
            writer.put64(i.neighbour)
            writer.put64(i.origin)
            writer.put64(i.receive)
        case .update(let u):
            writer.put32(u.holdTime)
            writer.put16(u.seqno)
            writer.put8(u.metric.isInfinite ? RoutingMetric.maxWireHops : UInt8(u.metric.hops))
            writer.put32(u.metric.isInfinite ? RoutingMetric.maxWireDelay : UInt32(u.metric.delay))
            writer.put64(u.origin)
            PrefixEncoding.encode(u.prefix, into: &writer)
        case .routeRequest(let r):
            if let prefix = r.prefix { PrefixEncoding.encode(prefix, into: &writer) }
        case .seqnoRequest(let s):
            writer.put16(s.seqno)
            writer.put8(s.hopCount)
            writer.put64(s.origin)
            PrefixEncoding.encode(s.prefix, into: &writer)
        }
    }

    /// The message whose body is `reader`'s bytes (exactly: a body longer than its fields is
    /// malformed, so every message has one encoding); `nil` for a kind this version does not know.
    static func decode(kind: Kind, body reader: inout ControlReader) throws(WireError) -> RoutingMessage? {
        let message: RoutingMessage
        switch kind {
        case .hello:
            message = .hello(Hello(seqno: try reader.uint16(), holdTime: try reader.uint32(), timestamp: try reader.uint64()))
        case .ihu:
            message = .ihu(IHU(neighbour: try reader.uint64(), origin: try reader.uint64(), receive: try reader.uint64()))
        case .update:
            let holdTime = try reader.uint32(), seqno = try reader.uint16()
            let hops = try reader.uint8(), delay = try reader.uint32()
            let metric = hops == RoutingMetric.maxWireHops || delay == RoutingMetric.maxWireDelay
                ? RoutingMetric.infinite : RoutingMetric(delay: Nanoseconds(delay), hops: Int(hops))
            message = .update(Update(holdTime: holdTime, seqno: seqno, metric: metric, origin: try reader.uint64(),
                                     prefix: try PrefixEncoding.decode(&reader)))
        case .routeRequest:
            message = .routeRequest(RouteRequest(prefix: reader.remaining == 0 ? nil : try PrefixEncoding.decode(&reader)))
        case .seqnoRequest:
            message = .seqnoRequest(SeqnoRequest(seqno: try reader.uint16(), hopCount: try reader.uint8(), origin: try reader.uint64(),
                                                 prefix: try PrefixEncoding.decode(&reader)))
        default:
            return nil
        }
        guard reader.remaining == 0 else {
            throw .malformed(field: "message length", at: reader.offset, reason: "\(reader.remaining) bytes past the message's fields")
        }
        return message
    }
}
