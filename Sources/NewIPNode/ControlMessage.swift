import NewIPDataPlane
import NewIPWire

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

extension [UInt8] {
    mutating func put16(_ value: UInt16, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value >> 8)
        self[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    func get16(at offset: Int) -> UInt16 { UInt16(self[offset]) << 8 | UInt16(self[offset + 1]) }
}
