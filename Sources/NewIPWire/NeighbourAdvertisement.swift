/// A checked view of a neighbour advertisement at the start of a buffer (the payload of a
/// compact packet with next header `0xB1`).
///
/// Layout as OpenHarmony's `nndisc.c` writes it (`build_na_hdr` into `struct nnd_msg` of
/// `net/nndisc.h`: a `struct nip_icmp_hdr`, then `data[]`):
///
/// ```
/// offset 0  type 0x02 (NIP_ARP_NA) | code 0 | checksum (2, big-endian)
/// offset 4  link-layer address length n (u8; the stack writes dev->addr_len)
/// offset 5  link-layer address, n bytes (dev->dev_addr: a MAC on Ethernet)
/// ```
///
/// The checksum covers exactly these `5 + n` bytes (`get_na_payload_len`, and
/// `nndisc_rcv_na` checks up to the address's end); bytes after them are not part of the
/// message and the view ignores them. The receiver copies the address into a buffer of
/// `MAX_ADDR_LEN` (32) bytes without checking `n`, so a longer address is refused here.
public struct NeighbourAdvertisementView: CompactControlMessageView {
    public let bytes: UnsafeRawBufferPointer
    public let header: CompactICMPHeader

    public static let linkLayerLengthOffset = CompactICMPHeader.encodedLength
    public static let linkLayerAddressOffset = linkLayerLengthOffset + 1
    /// Linux's `MAX_ADDR_LEN`: the most a receiver's buffer holds.
    public static let maximumLinkLayerLength = 32

    /// Checks the header (type must be 2), the length byte and that the address is all there.
    public init(_ bytes: UnsafeRawBufferPointer) throws(WireError) {
        header = try CompactICMPHeader.parse(bytes, expecting: .neighbourAdvertisement, name: "neighbour advertisement")
        guard let count = bytes.byte(at: Self.linkLayerLengthOffset) else {
            throw .truncated(at: Self.linkLayerLengthOffset, needed: 1)
        }
        guard Int(count) <= Self.maximumLinkLayerLength else {
            throw .malformed(field: "link-layer address length", at: Self.linkLayerLengthOffset,
                             reason: "\(count) exceeds the \(Self.maximumLinkLayerLength) bytes a receiver holds (MAX_ADDR_LEN)")
        }
        guard Self.linkLayerAddressOffset + Int(count) <= bytes.count else {
            throw .truncated(at: Self.linkLayerAddressOffset, needed: Int(count))
        }
        self.bytes = bytes
    }

    public var linkLayerLength: Int { Int(bytes[Self.linkLayerLengthOffset]) }
    public var linkLayerAddress: [UInt8] { Array(bytes[Self.linkLayerAddressOffset..<length]) }
    /// Bytes of the message, which the checksum covers.
    public var length: Int { Self.linkLayerAddressOffset + linkLayerLength }
    public var messageBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[0..<length]) }
}

/// A neighbour advertisement (OpenHarmony `NIP_ARP_NA`): the answer to a solicitation, sent
/// from the solicited address to the solicitor with TTL 64 (see `NeighbourDiscoveryPacket`),
/// carrying the answering interface's link-layer address.
public struct NeighbourAdvertisement: CompactControlMessage {
    public var code: UInt8
    public var checksum: UInt16
    /// At most 32 bytes (`maximumLinkLayerLength`); empty for a link without addresses.
    public var linkLayerAddress: [UInt8]

    public init(linkLayerAddress: [UInt8], code: UInt8 = 0, checksum: UInt16 = 0) {
        precondition(linkLayerAddress.count <= NeighbourAdvertisementView.maximumLinkLayerLength, "a link-layer address longer than 32 bytes")
        self.linkLayerAddress = linkLayerAddress
        self.code = code
        self.checksum = checksum
    }

    public init(_ view: NeighbourAdvertisementView) {
        self.init(linkLayerAddress: view.linkLayerAddress, code: view.header.code, checksum: view.header.checksum)
    }

    public var encodedLength: Int { NeighbourAdvertisementView.linkLayerAddressOffset + linkLayerAddress.count }

    /// Lowercase hex without separators (`020000000001`), as JSON output writes it.
    public var linkLayerAddressHex: String { linkLayerAddress.map(hexByteLower).joined() }

    /// Colon-separated hex (`02:00:00:00:00:01`), `(none)` when empty.
    public var linkLayerAddressText: String {
        linkLayerAddress.isEmpty ? "(none)" : linkLayerAddress.map(hexByteLower).joined(separator: ":")
    }

    /// Writes the message as it stands (checksum included) at the start of `buffer`.
    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= encodedLength, "no room for the neighbour advertisement")
        CompactICMPHeader(type: .neighbourAdvertisement, code: code, checksum: checksum).encode(into: buffer)
        buffer[NeighbourAdvertisementView.linkLayerLengthOffset] = UInt8(linkLayerAddress.count)
        for (index, byte) in linkLayerAddress.enumerated() { buffer[NeighbourAdvertisementView.linkLayerAddressOffset + index] = byte }
        return encodedLength
    }
}
