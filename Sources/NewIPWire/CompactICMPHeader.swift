/// The message type of a compact New IP control message (OpenHarmony's `nip_icmp_type`).
///
/// An open number space: unknown values survive a decode/encode round trip. The
/// OpenHarmony stack defines the two neighbour-discovery types (`nndisc.h`); this project's
/// echo and hop-limit messages (`NewIPNode.ControlMessage`) use `0x80`–`0x82`.
public struct CompactICMPType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `NIP_ARP_NS`: who has this address?
    public static let neighbourSolicitation = CompactICMPType(rawValue: 0x01)
    /// `NIP_ARP_NA`: I have it, at this link-layer address.
    public static let neighbourAdvertisement = CompactICMPType(rawValue: 0x02)
}

/// The four bytes that open every compact New IP control message, as the OpenHarmony
/// kernel lays them out (uapi `linux/nip_icmp.h`, `struct nip_icmp_hdr`):
///
/// ```
/// offset 0  type      (u8,  nip_icmp_type)
/// offset 1  code      (u8,  nip_icmp_code; the stack writes 0 and never reads it)
/// offset 2  checksum  (__sum16, big-endian: nndisc stores htons of nip_check_sum_build)
/// ```
///
/// The checksum is `CompactChecksum` (`nip_checksum.c`) over the message alone, with the
/// compact header's source, destination and next header (`0xB1`) as pseudo header.
public struct CompactICMPHeader: Hashable, Sendable {
    public var type: CompactICMPType
    public var code: UInt8
    public var checksum: UInt16

    public init(type: CompactICMPType, code: UInt8 = 0, checksum: UInt16 = 0) {
        self.type = type
        self.code = code
        self.checksum = checksum
    }

    public static let encodedLength = 4
    /// Where the checksum sits (`NNDISC_CHECKSUM_BIAS` in `nndisc.c`).
    public static let checksumOffset = 2

    /// Reads the four header bytes at the start of `bytes`; any type is accepted.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes.count >= Self.encodedLength else { throw .truncated(at: 0, needed: Self.encodedLength) }
        self.init(type: CompactICMPType(rawValue: bytes[0]), code: bytes[1], checksum: bytes.uint16BE(at: Self.checksumOffset)!)
    }

    /// Writes the four bytes at the start of `buffer` (which must hold them).
    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= Self.encodedLength, "no room for the control header")
        buffer[0] = type.rawValue
        buffer[1] = code
        buffer.storeUInt16BE(checksum, at: Self.checksumOffset)
        return Self.encodedLength
    }

    /// Reads the header and requires `type`: the shared first step of each message decoder.
    static func parse(_ bytes: UnsafeRawBufferPointer, expecting type: CompactICMPType, name: String) throws(WireError) -> CompactICMPHeader {
        let header = try CompactICMPHeader(parsing: bytes)
        guard header.type == type else {
            throw .malformed(field: "control message type", at: 0,
                             reason: "\(header.type.rawValue) is not a \(name) (\(type.rawValue))")
        }
        return header
    }

    /// The checksum the message in `message` (its checksum field read as zero) should carry
    /// under the given pseudo header.
    static func checksum(of message: UnsafeRawBufferPointer, source: CompactAddress?, destination: CompactAddress?) -> UInt16 {
        var copy = Array(message)
        copy[checksumOffset] = 0
        copy[checksumOffset + 1] = 0
        return copy.withUnsafeBytes { CompactChecksum.compute(source: source, destination: destination, nextHeader: .control, data: $0) }
    }

    /// Throws unless `message` (exactly the bytes the reference sums) verifies as the reference
    /// checks it (`nip_get_nndisc_rcv_checksum`: the folded sum must be `0xFFFF`).
    static func verifyChecksum(of message: UnsafeRawBufferPointer, source: CompactAddress?, destination: CompactAddress?) throws(WireError) {
        guard !CompactChecksum.verify(source: source, destination: destination, nextHeader: .control, data: message) else { return }
        let carried = message.uint16BE(at: checksumOffset)!
        let expected = checksum(of: message, source: source, destination: destination)
        throw .malformed(field: "control message checksum", at: checksumOffset,
                         reason: "carries \(hex16(carried)), the \(message.count) message bytes under source \(source.map(String.init(describing:)) ?? "none") and destination \(destination.map(String.init(describing:)) ?? "none") need \(hex16(expected))")
    }
}

/// A checked view of a control message at the start of a buffer.
public protocol CompactControlMessageView {
    init(_ bytes: UnsafeRawBufferPointer) throws(WireError)
    /// The bytes the checksum covers: the message, not what follows it.
    var messageBytes: UnsafeRawBufferPointer { get }
}

/// A message behind a `CompactICMPHeader` whose checksum the sender computes over the
/// message alone (neighbour solicitation and advertisement).
public protocol CompactControlMessage: Hashable, Sendable {
    associatedtype View: CompactControlMessageView
    init(_ view: View)
    var checksum: UInt16 { get set }
    var encodedLength: Int { get }
    @discardableResult func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int
}

extension CompactControlMessage {
    /// Decodes the message at the start of `bytes` without checking its checksum.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(WireError) {
        self.init(try View(bytes))
    }

    /// Decodes the message and checks its checksum under the carrying header's addresses.
    public init(parsing bytes: UnsafeRawBufferPointer, source: CompactAddress?, destination: CompactAddress?) throws(WireError) {
        let view = try View(bytes)
        try CompactICMPHeader.verifyChecksum(of: view.messageBytes, source: source, destination: destination)
        self.init(view)
    }

    /// The same message with the checksum it needs under this source and destination
    /// (`nip_get_nndisc_send_checksum`).
    public func sealed(source: CompactAddress?, destination: CompactAddress?) -> Self {
        var copy = self
        copy.checksum = bytes.withUnsafeBytes { CompactICMPHeader.checksum(of: $0, source: source, destination: destination) }
        return copy
    }

    /// The encoded message as a new array.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: encodedLength)
        out.withUnsafeMutableBytes { _ = encode(into: $0) }
        return out
    }
}

func hex16(_ value: UInt16) -> String { "0x" + hexByte(UInt8(value >> 8)) + hexByte(UInt8(value & 0xFF)) }
