/// A UDP header (RFC 768); the same 8 bytes ride over IPv4, IPv6 and New IP.
public struct UDPHeader: Hashable, Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// Header plus data, in bytes.
    public var length: UInt16
    public var checksum: UInt16

    public init(sourcePort: UInt16, destinationPort: UInt16, length: UInt16, checksum: UInt16 = 0) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.length = length
        self.checksum = checksum
    }

    public static let encodedLength = 8

    public init(parsing bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes.count >= 8 else { throw .truncated(at: 0, needed: 8) }
        let length = bytes.uint16BE(at: 4)!
        guard length >= 8, Int(length) <= bytes.count else {
            throw .malformed(field: "UDP length", at: 4, reason: "\(length) does not fit the \(bytes.count)-byte datagram")
        }
        self.init(sourcePort: bytes.uint16BE(at: 0)!, destinationPort: bytes.uint16BE(at: 2)!,
                  length: length, checksum: bytes.uint16BE(at: 6)!)
    }

    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        buffer.storeUInt16BE(sourcePort, at: 0)
        buffer.storeUInt16BE(destinationPort, at: 2)
        buffer.storeUInt16BE(length, at: 4)
        buffer.storeUInt16BE(checksum, at: 6)
        return 8
    }
}
