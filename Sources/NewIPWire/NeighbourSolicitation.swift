/// A checked view of a neighbour solicitation at the start of a buffer (the payload of a
/// compact packet with next header `0xB1`).
///
/// Layout as OpenHarmony's `nndisc.c` writes it (`nndisc_payload_ns_pack` into
/// `struct nnd_msg` of `net/nndisc.h`: a `struct nip_icmp_hdr`, then `data[]`):
///
/// ```
/// offset 0  type 0x01 (NIP_ARP_NS) | code 0 | checksum (2, big-endian)
/// offset 4  target address, 1–8 bytes (build_nip_addr: the compact address encoding)
/// ```
///
/// The reference sums exactly these bytes for the checksum (`get_ns_payload_len`), so bytes
/// after the target are not part of the message: the view ignores them, as `nndisc_rcv_ns` does.
/// Once made, no accessor can fail.
public struct NeighbourSolicitationView: CompactControlMessageView {
    public let bytes: UnsafeRawBufferPointer
    public let header: CompactICMPHeader
    /// The address asked about.
    public let target: CompactAddress

    public static let targetOffset = CompactICMPHeader.encodedLength

    /// Checks the header (type must be 1) and the target address.
    public init(_ bytes: UnsafeRawBufferPointer) throws(WireError) {
        header = try CompactICMPHeader.parse(bytes, expecting: .neighbourSolicitation, name: "neighbour solicitation")
        do throws(WireError) {
            target = try CompactAddress.decode(from: bytes, at: Self.targetOffset)
        } catch {
            throw error.renamingAddress(to: "target address")
        }
        self.bytes = bytes
    }

    /// Bytes of the message (header and target), which the checksum covers.
    public var length: Int { Self.targetOffset + target.encodedLength }

    /// The message bytes the checksum covers.
    public var messageBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[0..<length]) }
}

/// A neighbour solicitation (OpenHarmony `NIP_ARP_NS`): "who has `target`?". Sent to the
/// address-resolution address `FF04` with TTL 64 (see `NeighbourDiscoveryPacket`).
public struct NeighbourSolicitation: CompactControlMessage {
    public var code: UInt8
    public var checksum: UInt16
    public var target: CompactAddress

    public init(target: CompactAddress, code: UInt8 = 0, checksum: UInt16 = 0) {
        self.target = target
        self.code = code
        self.checksum = checksum
    }

    public init(_ view: NeighbourSolicitationView) {
        self.init(target: view.target, code: view.header.code, checksum: view.header.checksum)
    }

    public var encodedLength: Int { NeighbourSolicitationView.targetOffset + target.encodedLength }

    /// Writes the message as it stands (checksum included) at the start of `buffer`.
    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= encodedLength, "no room for the neighbour solicitation")
        CompactICMPHeader(type: .neighbourSolicitation, code: code, checksum: checksum).encode(into: buffer)
        target.encode(into: buffer, at: NeighbourSolicitationView.targetOffset)
        return encodedLength
    }
}

extension WireError {
    /// An address decoder's error, its field named for the address it was reading.
    func renamingAddress(to field: String) -> WireError {
        if case .malformed(_, let at, let reason) = self { return .malformed(field: field, at: at, reason: reason) }
        return self
    }
}
