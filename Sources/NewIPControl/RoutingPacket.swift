import NewIPWire

/// The routing protocol's datagram (the data of a UDP packet to port 6696, hop limit 1):
///
///     0      1        2      4          12        20             20+n
///     magic  version  n      sender id  counter   messages (n)   trailer (absent, 32, or 99 + credential)
///
/// `sender` is the router id of the sender; `counter` grows with every packet it sends, so a
/// receiver refuses a replayed packet (RFC 8967's packet counter, one per sender). The
/// trailer is an HMAC-SHA256 of everything before it with the link's key (32 bytes), or the
/// sender's Ed25519 signature with its key and credential (`RoutingSignature`, longer); a
/// packet without one decodes, and the receiver refuses it when it requires one.
public struct RoutingPacket: Hashable, Sendable {
    public var sender: UInt64
    public var counter: UInt64
    public var messages: [RoutingMessage]
    /// The HMAC-SHA256 trailer; `nil` when absent.
    public var mac: [UInt8]?
    /// The signature trailer; `nil` when absent (a packet has at most one of the two).
    public var signature: RoutingSignature?
    /// Messages of kinds this version does not know, skipped when decoding.
    public var skippedMessages = 0

    public init(sender: UInt64, counter: UInt64, messages: [RoutingMessage], mac: [UInt8]? = nil, signature: RoutingSignature? = nil) {
        self.sender = sender
        self.counter = counter
        self.messages = messages
        self.mac = mac
        self.signature = signature
    }

    public static let magic: UInt8 = 0x4E
    public static let version: UInt8 = 1
    /// Babel's port, from the IANA registry.
    public static let port: UInt16 = 6696

    enum Field {
        static let magic = 0
        static let version = 1
        static let bodyLength = 2
        static let sender = 4
        static let counter = 12
        static let headerLength = 20
    }

    public static let macLength = 32

    /// Bytes of the header and messages, the part the trailer authenticates.
    public var authenticatedLength: Int { Field.headerLength + messages.reduce(0) { $0 + $1.encodedLength } }

    public var encodedLength: Int { authenticatedLength + (mac?.count ?? 0) + (signature?.encodedLength ?? 0) }

    /// Writes the packet (with its trailer when it has one) into `buffer`, which holds at
    /// least `encodedLength` bytes; returns the bytes written. Traps when the messages exceed
    /// the 16-bit body length (`RoutingPacketBuilder` never builds such a packet).
    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let body = authenticatedLength - Field.headerLength
        precondition(body <= Int(UInt16.max), "routing packet body of \(body) bytes exceeds 65,535")
        var writer = ControlWriter(buffer)
        writer.put8(Self.magic)
        writer.put8(Self.version)
        writer.put16(UInt16(body))
        writer.put64(sender)
        writer.put64(counter)
        for message in messages { message.encode(into: &writer) }
        for byte in mac ?? signature?.encoded ?? [] { writer.put8(byte) }
        return writer.offset
    }

    public var encoded: [UInt8] {
        var bytes = [UInt8](repeating: 0, count: encodedLength)
        bytes.withUnsafeMutableBytes { _ = encode(into: $0) }
        return bytes
    }

    public init(parsing bytes: UnsafeRawBufferPointer) throws(WireError) {
        let view = try RoutingPacketView(bytes)
        let signature: RoutingSignature?
        do throws(WireError) { signature = try view.signatureRange.map { range throws(WireError) in try RoutingSignature(parsing: bytes[range]) } } catch {
            throw error.shifted(by: view.authenticatedRange.upperBound)
        }
        self.init(sender: view.sender, counter: view.counter, messages: [],
                  mac: view.macRange.map { Array(bytes[$0]) }, signature: signature)
        var offset = Field.headerLength
        while offset < view.authenticatedRange.upperBound {
            let kind = RoutingMessage.Kind(rawValue: bytes[offset])
            let end = offset + 2 + Int(bytes[offset + 1])
            var reader = ControlReader(bytes, from: offset + 2, to: end)
            if let message = try RoutingMessage.decode(kind: kind, body: &reader) {
                messages.append(message)
            } else {
                skippedMessages += 1
            }
            offset = end
        }
    }
}

/// A checked view of a routing packet: the header is whole, the magic and version are ours,
/// every message's type and length fit in the body, and the trailer is absent, an HMAC or a
/// signature trailer whose lengths add up.
/// Once made, no accessor can fail.
public struct RoutingPacketView {
    public let bytes: UnsafeRawBufferPointer
    /// The header and messages, which the trailer authenticates.
    public let authenticatedRange: Range<Int>
    public let macRange: Range<Int>?
    public let signatureRange: Range<Int>?

    public init(_ bytes: UnsafeRawBufferPointer) throws(WireError) {
        typealias Field = RoutingPacket.Field
        guard bytes.count >= Field.headerLength else { throw .truncated(at: bytes.count, needed: Field.headerLength - bytes.count) }
        guard bytes[Field.magic] == RoutingPacket.magic else {
            throw .malformed(field: "magic", at: Field.magic, reason: "\(bytes[Field.magic]) is not \(RoutingPacket.magic)")
        }
        guard bytes[Field.version] == RoutingPacket.version else {
            throw .malformed(field: "version", at: Field.version, reason: "version \(bytes[Field.version]) is not \(RoutingPacket.version)")
        }
        let body = Int(bytes[Field.bodyLength]) << 8 | Int(bytes[Field.bodyLength + 1])
        let end = Field.headerLength + body
        guard end <= bytes.count else { throw .truncated(at: bytes.count, needed: end - bytes.count) }
        var offset = Field.headerLength
        while offset < end {
            guard offset + 2 <= end else {
                throw .malformed(field: "message header", at: offset, reason: "1 byte left of the body where a message needs 2")
            }
            let next = offset + 2 + Int(bytes[offset + 1])
            guard next <= end else {
                throw .malformed(field: "message length", at: offset + 1, reason: "the message runs \(next - end) bytes past the body")
            }
            offset = next
        }
        let trailer = bytes.count - end
        if trailer > RoutingPacket.macLength {
            do throws(WireError) { _ = try RoutingSignature.checkLayout(bytes[end...]) } catch { throw error.shifted(by: end) }
        } else if trailer != 0 && trailer != RoutingPacket.macLength {
            throw .malformed(field: "trailer", at: end, reason: "\(trailer) bytes after the body: an HMAC-SHA256 trailer is \(RoutingPacket.macLength), a signature trailer at least \(RoutingSignature.fixedLength)")
        }
        self.bytes = bytes
        authenticatedRange = 0..<end
        macRange = trailer == RoutingPacket.macLength ? end..<bytes.count : nil
        signatureRange = trailer > RoutingPacket.macLength ? end..<bytes.count : nil
    }

    public var sender: UInt64 { field(RoutingPacket.Field.sender) }
    public var counter: UInt64 { field(RoutingPacket.Field.counter) }

    private func field(_ offset: Int) -> UInt64 {
        bytes[offset..<(offset + 8)].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
