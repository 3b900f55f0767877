/// Reads packets from a classic pcap or pcapng capture held in memory.
///
/// The format is detected from the first bytes: classic pcap in either byte
/// order with microsecond or nanosecond timestamps, or pcapng (any number of
/// sections, each in its own byte order).
///
/// ```swift
/// var reader = try CaptureReader(bytes)
/// while let packet = try reader.next() { ... }
/// ```
///
/// Malformed input never traps or reads out of bounds: it throws a
/// `CaptureError`. After an error the reader is finished and `next()` returns
/// `nil`, so a loop that keeps calling it always ends.
public struct CaptureReader: Sendable {
    /// Largest captured length accepted for one packet (libpcap's limit):
    /// a longer length field is corruption, not a packet.
    public static let maximumCapturedLength = 262_144

    public let format: CaptureFormat

    private enum Decoder: Sendable {
        case pcap(PcapDecoder)
        case pcapng(PcapngDecoder)
        case finished
    }

    private var decoder: Decoder

    /// Reads the file header (pcap) or first Section Header Block (pcapng).
    public init(_ bytes: [UInt8]) throws(CaptureError) {
        guard let magic = ByteCursor(bytes: bytes, bigEndian: false).u32(at: 0) else {
            throw CaptureError(.truncated(.fileHeader, needed: 4, remaining: bytes.count), offset: 0)
        }
        switch magic {
        case PcapngFormat.BlockType.sectionHeader:
            format = .pcapng
            decoder = .pcapng(try PcapngDecoder(bytes: bytes))
        case PcapFormat.microsecondMagic, PcapFormat.nanosecondMagic,
             PcapFormat.microsecondMagic.byteSwapped, PcapFormat.nanosecondMagic.byteSwapped:
            format = .pcap
            decoder = .pcap(try PcapDecoder(bytes: bytes, magic: magic))
        default:
            throw CaptureError(.unknownMagic(magic), offset: 0)
        }
    }

    /// The next packet, or `nil` at a clean end of the capture.
    public mutating func next() throws(CaptureError) -> CapturedPacket? {
        // Finished while the decoder runs, so a throw or a clean end leaves it so.
        let current = decoder
        decoder = .finished
        switch current {
        case var .pcap(pcap):
            guard let packet = try pcap.next() else { return nil }
            decoder = .pcap(pcap)
            return packet
        case var .pcapng(pcapng):
            guard let packet = try pcapng.next() else { return nil }
            decoder = .pcapng(pcapng)
            return packet
        case .finished:
            return nil
        }
    }

    /// Every packet of `bytes`, in file order.
    public static func readAll(_ bytes: [UInt8]) throws(CaptureError) -> [CapturedPacket] {
        var reader = try CaptureReader(bytes)
        var packets: [CapturedPacket] = []
        while let packet = try reader.next() {
            packets.append(packet)
        }
        return packets
    }
}
