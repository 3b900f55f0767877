/// Writes a classic pcap file into memory: one link type per file,
/// little-endian, microsecond or nanosecond timestamps.
public struct PcapWriter: Sendable {
    public enum Resolution: Hashable, Sendable {
        /// Magic 0xa1b2c3d4, read by every pcap tool; sub-microsecond digits are dropped.
        case microseconds
        /// Magic 0xa1b23c4d.
        case nanoseconds
    }

    public let linkType: LinkType
    public let resolution: Resolution
    /// Packets longer than this are cut to it; `originalLength` keeps their real length.
    public let snapshotLength: UInt32
    /// The file so far: the global header, then one record per appended packet.
    public private(set) var bytes: [UInt8] = []
    private var packetCount = 0

    /// - Parameter linkType: stored as the header's 32-bit network field, whose
    ///   upper 16 bits libpcap and `CaptureReader` take as FCS-length flags.
    public init(linkType: LinkType, resolution: Resolution = .microseconds, snapshotLength: UInt32 = 65535) {
        self.linkType = linkType
        self.resolution = resolution
        self.snapshotLength = snapshotLength
        bytes.appendLittleEndian(resolution == .microseconds ? PcapFormat.microsecondMagic : PcapFormat.nanosecondMagic)
        bytes.appendLittleEndian(PcapFormat.versionMajor)
        bytes.appendLittleEndian(PcapFormat.versionMinor)
        bytes.appendLittleEndian(Int32(0))  // thiszone: timestamps are UTC
        bytes.appendLittleEndian(UInt32(0))  // sigfigs: always 0 in practice
        bytes.appendLittleEndian(snapshotLength)
        bytes.appendLittleEndian(linkType.rawValue)
    }

    /// Appends one record. Throws, leaving `bytes` unchanged, if the packet's link
    /// type differs from the file's or its timestamp or length cannot be stored.
    public mutating func append(_ packet: CapturedPacket) throws(CaptureError) {
        guard packet.linkType == linkType else {
            throw CaptureError(
                .linkTypeMismatch(expected: linkType, found: packet.linkType),
                offset: bytes.count, packetIndex: packetCount)
        }
        let record = try WriterRecord(
            packet, snapshotLength: snapshotLength, offset: bytes.count, packetIndex: packetCount)
        let seconds = record.timestampNanoseconds / 1_000_000_000
        let nanoseconds = record.timestampNanoseconds % 1_000_000_000
        guard let storedSeconds = UInt32(exactly: seconds) else {
            throw CaptureError(
                .timestampNotRepresentable(nanoseconds: packet.timestampNanoseconds),
                offset: bytes.count, packetIndex: packetCount)
        }
        bytes.appendLittleEndian(storedSeconds)
        bytes.appendLittleEndian(UInt32(resolution == .microseconds ? nanoseconds / 1_000 : nanoseconds))
        bytes.appendLittleEndian(UInt32(record.captured.count))
        bytes.appendLittleEndian(record.originalLength)
        bytes.append(contentsOf: record.captured)
        packetCount += 1
    }
}
