/// An IPv4 header (RFC 791) without options: the baseline New IP is measured against, and
/// what a gateway writes when it translates New IP into IPv4.
public struct IPv4Header: Hashable, Sendable {
    public var source: IPv4Address
    public var destination: IPv4Address
    /// Protocol number (17 for UDP).
    public var protocolNumber: UInt8
    public var ttl: UInt8
    /// Payload length in bytes (the total length field is this plus the header).
    public var payloadLength: Int
    public var identification: UInt16
    public var dscpECN: UInt8

    public init(source: IPv4Address, destination: IPv4Address, protocolNumber: UInt8, ttl: UInt8 = 64,
                payloadLength: Int, identification: UInt16 = 0, dscpECN: UInt8 = 0) {
        self.source = source
        self.destination = destination
        self.protocolNumber = protocolNumber
        self.ttl = ttl
        self.payloadLength = payloadLength
        self.identification = identification
        self.dscpECN = dscpECN
    }

    public static let encodedLength = 20
    public var encodedLength: Int { Self.encodedLength }

    /// Parses the header at the start of `bytes`; options are skipped, the checksum verified.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard let versionIHL = bytes.byte(at: 0) else { throw .truncated(at: 0, needed: 20) }
        guard versionIHL >> 4 == 4 else { throw .malformed(field: "version", at: 0, reason: "is \(versionIHL >> 4), not 4") }
        let headerLength = Int(versionIHL & 0x0F) * 4
        guard headerLength >= 20 else { throw .malformed(field: "IHL", at: 0, reason: "header length \(headerLength) < 20") }
        guard bytes.count >= headerLength, let totalLength = bytes.uint16BE(at: 2) else {
            throw .truncated(at: 0, needed: headerLength)
        }
        guard Int(totalLength) >= headerLength, Int(totalLength) <= bytes.count else {
            throw .malformed(field: "total length", at: 2, reason: "\(totalLength) does not fit the \(bytes.count)-byte buffer")
        }
        guard InternetChecksum.finish(InternetChecksum.add(UnsafeRawBufferPointer(rebasing: bytes[0..<headerLength]))) == 0 else {
            throw .malformed(field: "header checksum", at: 10, reason: "does not verify")
        }
        self.init(source: IPv4Address(loading: bytes, at: 12)!, destination: IPv4Address(loading: bytes, at: 16)!,
                  protocolNumber: bytes[9], ttl: bytes[8], payloadLength: Int(totalLength) - headerLength,
                  identification: bytes.uint16BE(at: 4)!, dscpECN: bytes[1])
    }

    /// Writes the 20-byte header with its checksum.
    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        buffer[0] = 0x45
        buffer[1] = dscpECN
        buffer.storeUInt16BE(UInt16(truncatingIfNeeded: 20 + payloadLength), at: 2)
        buffer.storeUInt16BE(identification, at: 4)
        buffer.storeUInt16BE(0x4000, at: 6)  // don't fragment
        buffer[8] = ttl
        buffer[9] = protocolNumber
        source.encode(into: buffer, at: 12)
        destination.encode(into: buffer, at: 16)
        Self.refreshChecksum(in: buffer)
        return 20
    }

    /// Recomputes the header checksum of the IPv4 header at the start of `buffer` (options
    /// included), after a field such as the TTL or the total length changed.
    public static func refreshChecksum(in buffer: UnsafeMutableRawBufferPointer) {
        let headerLength = Int(buffer[0] & 0x0F) * 4
        buffer.storeUInt16BE(0, at: 10)
        buffer.storeUInt16BE(InternetChecksum.finish(InternetChecksum.add(UnsafeRawBufferPointer(rebasing: buffer[0..<headerLength]))),
                             at: 10)
    }
}
