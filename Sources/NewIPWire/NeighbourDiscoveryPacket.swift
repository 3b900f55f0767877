/// What a neighbour-discovery packet carries after its compact header.
public enum NeighbourDiscoveryMessage: Hashable, Sendable {
    case solicitation(NeighbourSolicitation)
    case advertisement(NeighbourAdvertisement)

    public var encodedLength: Int {
        switch self {
        case .solicitation(let message): message.encodedLength
        case .advertisement(let message): message.encodedLength
        }
    }

    @discardableResult
    func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        switch self {
        case .solicitation(let message): message.encode(into: buffer)
        case .advertisement(let message): message.encode(into: buffer)
        }
    }
}

/// A whole neighbour-discovery packet in the compact dialect, framed as OpenHarmony's
/// `nndisc.c` frames it (`nndisc_alloc_skb` + `nip_hdr_comm_encap`):
///
/// - the "common" header: TTL, total length (header + message), next header `0xB1`
///   (`IPPROTO_NIP_ICMP`), destination, source — the same bytes `CompactHeader` encodes;
/// - TTL 64 (`NIP_ARP_DEFAULT_TTL`);
/// - a solicitation goes from the asking interface's address to the address-resolution
///   address `FF04` (`nip_broadcast_addr_arp`); the advertisement goes from the solicited
///   address back to the solicitor;
/// - the checksum covers the message alone, with the header's source, destination and next
///   header as pseudo header.
///
/// The header may also carry this project's extension area (docs/wire.md), which reference
/// decoders skip; its bytes are kept in `extensions`.
public struct NeighbourDiscoveryPacket: Hashable, Sendable {
    public var header: CompactHeader
    /// The header's extension area (exactly `header.extensionLength` bytes).
    public var extensions: [UInt8]
    public var message: NeighbourDiscoveryMessage
    /// Bytes after the message inside the total length: neither summed nor read by the
    /// reference, kept so that a packet re-encodes to the bytes it came from.
    public var trailer: [UInt8]

    /// `NIP_ARP_DEFAULT_TTL`.
    public static let ttl: UInt8 = 64

    public init(header: CompactHeader, extensions: [UInt8] = [], message: NeighbourDiscoveryMessage, trailer: [UInt8] = []) {
        precondition(extensions.count == header.extensionLength, "extensions must be header.extensionLength bytes")
        self.header = header
        self.extensions = extensions
        self.message = message
        self.trailer = trailer
    }

    /// The solicitation `source` sends to find who holds `target` (`nndisc_send_ns`), its
    /// total length and checksum filled in; `extensions` go into the header's extension area.
    /// Without a source it is a duplicate-address check (RFC 4862's unspecified source): the
    /// asker does not hold an address yet.
    public static func solicitation(for target: CompactAddress, from source: CompactAddress?,
                                    extensions: [UInt8] = []) -> NeighbourDiscoveryPacket {
        framed(.solicitation(NeighbourSolicitation(target: target)), from: source, to: .addressResolution, extensions: extensions)
    }

    /// The advertisement answering `solicitor`'s solicitation for `target` (`nndisc_send_na`).
    public static func advertisement(linkLayerAddress: [UInt8], from target: CompactAddress, to solicitor: CompactAddress,
                                     extensions: [UInt8] = []) -> NeighbourDiscoveryPacket {
        framed(.advertisement(NeighbourAdvertisement(linkLayerAddress: linkLayerAddress)), from: target, to: solicitor, extensions: extensions)
    }

    static func framed(_ message: NeighbourDiscoveryMessage, from source: CompactAddress?, to destination: CompactAddress,
                       extensions: [UInt8]) -> NeighbourDiscoveryPacket {
        var header = CompactHeader(ttl: ttl, totalLength: 0, nextHeader: .control, destination: destination, source: source,
                                   extensionLength: extensions.count)
        header.totalLength = UInt16(header.encodedLength + message.encodedLength)
        let sealed: NeighbourDiscoveryMessage = switch message {
        case .solicitation(let m): .solicitation(m.sealed(source: source, destination: destination))
        case .advertisement(let m): .advertisement(m.sealed(source: source, destination: destination))
        }
        return NeighbourDiscoveryPacket(header: header, extensions: extensions, message: sealed)
    }

    /// Whether `bytes` (a compact packet) carries a neighbour-discovery message: next header
    /// `0xB1` and type 1 or 2, judged from the header alone.
    public static func isNeighbourDiscovery(_ view: CompactHeaderView) -> Bool {
        guard view.nextHeader == .control, view.isComplete else { return false }
        let type = view.bytes[view.headerLength]
        return type == CompactICMPType.neighbourSolicitation.rawValue || type == CompactICMPType.neighbourAdvertisement.rawValue
    }

    /// Decodes a whole packet: the compact header (as `CompactHeaderView` judges it), next
    /// header `0xB1`, a message of type 1 or 2 inside the total length, and its checksum.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(WireError) {
        let view: CompactHeaderView
        do throws(CompactHeaderError) { view = try CompactHeaderView(bytes) } catch {
            // The header decoder says where the header would end; here a truncation points at
            // the end of the bytes and says how many more the header and one payload byte need.
            guard error.isTruncation else { throw error.wireError }
            throw .truncated(at: bytes.count, needed: max(1, error.offset + 1 - bytes.count))
        }
        try self.init(view)
    }

    /// Decodes the message behind an already checked compact header.
    public init(_ view: CompactHeaderView) throws(WireError) {
        guard view.nextHeader == .control else {
            throw .malformed(field: "next header", at: view.destinationOffset - 1,
                             reason: "\(view.nextHeader.rawValue) is not a control message (0xB1)")
        }
        let end = try view.packetEnd()
        let start = view.headerLength
        let payload = UnsafeRawBufferPointer(rebasing: view.bytes[start..<end])
        var header = CompactHeader(view)
        let message: NeighbourDiscoveryMessage
        do throws(WireError) {
            switch CompactICMPType(rawValue: payload[0]) {
            case .neighbourSolicitation:
                message = .solicitation(try NeighbourSolicitation(parsing: payload, source: header.source, destination: header.destination))
            case .neighbourAdvertisement:
                message = .advertisement(try NeighbourAdvertisement(parsing: payload, source: header.source, destination: header.destination))
            default:
                throw .malformed(field: "control message type", at: 0,
                                 reason: "\(payload[0]) is not neighbour discovery (1 solicitation, 2 advertisement)")
            }
        } catch {
            throw error.shifted(by: start)
        }
        // The value's header is normalised as `CompactHeader` normalises it (an odd header
        // gains the reference encoder's alignment byte), and its total length with it.
        let trailer = Array(payload[message.encodedLength...])
        if header.totalLength != nil { header.totalLength = UInt16(header.encodedLength + message.encodedLength + trailer.count) }
        self.init(header: header, extensions: Array(view.bytes[view.extensionRange]), message: message, trailer: trailer)
    }

    public var encodedLength: Int { header.encodedLength + message.encodedLength + trailer.count }

    /// Writes header, extensions and message as they stand at the start of `buffer`.
    @discardableResult
    public func encode(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(buffer.count >= encodedLength, "buffer shorter than encodedLength")
        let headerLength = header.encode(into: buffer)
        for (index, byte) in extensions.enumerated() { buffer[header.extensionOffset + index] = byte }
        let end = headerLength + message.encode(into: UnsafeMutableRawBufferPointer(rebasing: buffer[headerLength...]))
        for (index, byte) in trailer.enumerated() { buffer[end + index] = byte }
        return end + trailer.count
    }

    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: encodedLength)
        out.withUnsafeMutableBytes { _ = encode(into: $0) }
        return out
    }
}
