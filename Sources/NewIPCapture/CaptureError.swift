/// Why a capture could not be read or written, and where.
///
/// `offset` is the byte offset in the file of the structure at fault (for
/// writers: the offset the rejected record would have started at), and
/// `packetIndex` the 0-based index of the packet concerned, when the fault is in
/// a packet record. `isTruncation` separates a capture that was cut short (more
/// bytes might still arrive) from one whose content is wrong.
public struct CaptureError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A part of a capture file that can be cut short.
    public enum Structure: Hashable, Sendable, CustomStringConvertible {
        /// The classic pcap global header, or the 4-byte magic of any file.
        case fileHeader
        /// The fixed part of a pcapng Section Header Block.
        case sectionHeader
        /// A classic pcap record header.
        case recordHeader
        /// The captured bytes after a classic pcap record header.
        case packetData
        /// The type and length words that open a pcapng block.
        case blockHeader
        /// A whole pcapng block, as long as its length field says.
        case block

        public var description: String {
            switch self {
            case .fileHeader: "file header"
            case .sectionHeader: "section header block"
            case .recordHeader: "record header"
            case .packetData: "packet data"
            case .blockHeader: "block header"
            case .block: "block"
            }
        }
    }

    public enum Kind: Hashable, Sendable {
        /// The bytes end inside `Structure`, which needs `needed` bytes from
        /// `offset`; only `remaining` are left.
        case truncated(Structure, needed: Int, remaining: Int)
        /// The first four bytes are neither a pcap magic nor a pcapng block type.
        case unknownMagic(UInt32)
        /// A pcapng Section Header Block whose byte-order magic is not 0x1A2B3C4D
        /// in either byte order.
        case unknownByteOrderMagic(UInt32)
        case unsupportedVersion(CaptureFormat, major: UInt16, minor: UInt16)
        /// A pcapng block length below the block type's minimum or not a
        /// multiple of 4.
        case invalidBlockLength(UInt32, minimum: Int)
        /// The length at the end of a pcapng block differs from the one at its start.
        case blockLengthMismatch(leading: UInt32, trailing: UInt32)
        /// A captured length above `CaptureReader.maximumCapturedLength`: no real
        /// capture holds such a packet, so the length field is corrupt.
        case packetTooLarge(capturedLength: UInt32, limit: Int)
        /// A pcapng packet block whose captured length overruns the block.
        case capturedLengthExceedsBlock(capturedLength: UInt32, room: Int)
        /// A pcapng packet block naming an interface its section never described.
        case undefinedInterface(UInt32)
        /// A pcapng option overrunning its block, or with a wrong value length.
        case malformedOption(code: UInt16)
        /// A timestamp beyond what 64-bit nanoseconds since the epoch can hold.
        case timestampOverflow
        /// A packet whose link type differs from the one of a classic pcap file.
        case linkTypeMismatch(expected: LinkType, found: LinkType)
        /// A link type above 0xFFFF, which a pcapng interface cannot hold.
        case linkTypeNotRepresentable(LinkType)
        /// A timestamp the output format cannot hold (before 1970, or after 2106
        /// for classic pcap's 32-bit seconds).
        case timestampNotRepresentable(nanoseconds: Int64)
        /// An original length outside 0...UInt32.max.
        case lengthNotRepresentable(Int)
    }

    public var kind: Kind
    public var offset: Int
    public var packetIndex: Int?

    public init(_ kind: Kind, offset: Int, packetIndex: Int? = nil) {
        self.kind = kind
        self.offset = offset
        self.packetIndex = packetIndex
    }

    /// Whether the capture was merely cut short rather than malformed.
    public var isTruncation: Bool {
        if case .truncated = kind { return true }
        return false
    }

    public var description: String {
        let place = "at byte \(offset)" + (packetIndex.map { " (packet \($0))" } ?? "")
        switch kind {
        case let .truncated(structure, needed, remaining):
            return "truncated \(structure) \(place): needed \(needed) bytes, \(remaining) remain"
                + " — the capture was cut short; re-copy it or read it once the writer has finished"
        case let .unknownMagic(magic):
            return "unknown magic \(hex(magic)) \(place) — not a pcap or pcapng file"
        case let .unknownByteOrderMagic(magic):
            return "unknown byte-order magic \(hex(magic)) in the section header block \(place)"
                + " — expected 0x1a2b3c4d; the file is corrupt"
        case let .unsupportedVersion(format, major, minor):
            let supported = format == .pcap ? "2.x" : "1.x"
            return "unsupported \(format) version \(major).\(minor) \(place)"
                + " — only \(format) \(supported) can be read"
        case let .invalidBlockLength(length, minimum):
            return "invalid block length \(length) \(place): a block is a multiple of 4 bytes"
                + " and at least \(minimum) — the file is corrupt"
        case let .blockLengthMismatch(leading, trailing):
            return "block length \(leading) \(place) differs from its trailing copy \(trailing)"
                + " — the file is corrupt"
        case let .packetTooLarge(capturedLength, limit):
            return "captured length \(capturedLength) \(place) exceeds the \(limit)-byte limit"
                + " — the length field is corrupt"
        case let .capturedLengthExceedsBlock(capturedLength, room):
            return "captured length \(capturedLength) \(place) overruns its block, which has room"
                + " for \(room) bytes — the file is corrupt"
        case let .undefinedInterface(id):
            return "packet block \(place) names interface \(id), which its section never described"
                + " — the file is corrupt or lost an Interface Description Block"
        case let .malformedOption(code):
            return "malformed option \(code) \(place): it overruns its block or has the wrong length"
                + " — the file is corrupt"
        case .timestampOverflow:
            return "timestamp \(place) does not fit in 64-bit nanoseconds since 1970"
                + " — the timestamp or its resolution is corrupt"
        case let .linkTypeMismatch(expected, found):
            return "packet \(place) has link type \(found), but this pcap file holds \(expected)"
                + " — classic pcap has one link type per file; use PcapngWriter to mix them"
        case let .linkTypeNotRepresentable(linkType):
            return "packet \(place) has \(linkType), but pcapng link types have 16 bits"
        case let .timestampNotRepresentable(nanoseconds):
            return "timestamp \(nanoseconds) ns \(place) cannot be written"
                + " — the format holds only times from 1970 on (up to 2106 for classic pcap)"
        case let .lengthNotRepresentable(length):
            return "original length \(length) \(place) cannot be written: it must be 0...\(UInt32.max)"
        }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
