/// An IPv6 fixed header (RFC 8200), without extension headers.
public struct IPv6Header: Hashable, Sendable {
    public var source: IPv6Address
    public var destination: IPv6Address
    public var nextHeader: UInt8
    public var hopLimit: UInt8
    public var payloadLength: Int
    public var trafficClass: UInt8
    public var flowLabel: UInt32

    public init(source: IPv6Address, destination: IPv6Address, nextHeader: UInt8, hopLimit: UInt8 = 64,
                payloadLength: Int, trafficClass: UInt8 = 0, flowLabel: UInt32 = 0) {
        self.source = source
        self.destination = destination
        self.nextHeader = nextHeader
        self.hopLimit = hopLimit
        self.payloadLength = payloadLength
        self.trafficClass = trafficClass
        self.flowLabel = flowLabel
    }

    public static let encodedLength = 40
    public var encodedLength: Int { Self.encodedLength }

    public init(parsing bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes.count >= 40 else { throw .truncated(at: 0, needed: 40) }
        guard bytes[0] >> 4 == 6 else { throw .malformed(field: "version", at: 0, reason: "is \(bytes[0] >> 4), not 6") }
        let payloadLength = Int(bytes.uint16BE(at: 4)!)
        guard 40 + payloadLength <= bytes.count else { throw .truncated(at: 40, needed: payloadLength) }
        let word = UInt32(bytes.uint16BE(at: 0)!) << 16 | UInt32(bytes.uint16BE(at: 2)!)
        self.init(source: IPv6Address(loading: bytes, at: 8)!, destination: IPv6Address(loading: bytes, at: 24)!,
                  nextHeader: bytes[6], hopLimit: bytes[7], payloadLength: payloadLength,
                  trafficClass: UInt8(truncatingIfNeeded: word >> 20), flowLabel: word & 0xF_FFFF)
    }

    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let word = 6 << 28 | UInt32(trafficClass) << 20 | (flowLabel & 0xF_FFFF)
        buffer.storeUInt16BE(UInt16(truncatingIfNeeded: word >> 16), at: 0)
        buffer.storeUInt16BE(UInt16(truncatingIfNeeded: word), at: 2)
        buffer.storeUInt16BE(UInt16(truncatingIfNeeded: payloadLength), at: 4)
        buffer[6] = nextHeader
        buffer[7] = hopLimit
        source.encode(into: buffer, at: 8)
        destination.encode(into: buffer, at: 24)
        return 40
    }
}
