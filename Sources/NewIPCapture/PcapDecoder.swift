/// Reads the records of a classic pcap file after its global header.
struct PcapDecoder: Sendable {
    private var cursor: ByteCursor
    private let nanosecondResolution: Bool
    private let linkType: LinkType
    private var offset: Int
    private var packetIndex = 0

    /// Parses the global header; `magic` is the first word read little-endian.
    init(bytes: [UInt8], magic: UInt32) throws(CaptureError) {
        let swapped = magic.byteSwapped
        let bigEndian = swapped == PcapFormat.microsecondMagic || swapped == PcapFormat.nanosecondMagic
        cursor = ByteCursor(bytes: bytes, bigEndian: bigEndian)
        nanosecondResolution = (bigEndian ? swapped : magic) == PcapFormat.nanosecondMagic
        guard let major = cursor.u16(at: 4), let minor = cursor.u16(at: 6), let network = cursor.u32(at: 20) else {
            throw CaptureError(
                .truncated(.fileHeader, needed: PcapFormat.fileHeaderSize, remaining: bytes.count),
                offset: 0)
        }
        guard major == PcapFormat.versionMajor else {
            throw CaptureError(.unsupportedVersion(.pcap, major: major, minor: minor), offset: 0)
        }
        // The upper 16 bits carry FCS-length flags, not the link type.
        linkType = LinkType(rawValue: network & 0xFFFF)
        offset = PcapFormat.fileHeaderSize
    }

    mutating func next() throws(CaptureError) -> CapturedPacket? {
        let remaining = cursor.bytes.count - offset
        guard remaining > 0 else { return nil }
        guard let seconds = cursor.u32(at: offset), let fraction = cursor.u32(at: offset + 4),
              let capturedLength = cursor.u32(at: offset + 8), let originalLength = cursor.u32(at: offset + 12)
        else {
            throw error(.truncated(.recordHeader, needed: PcapFormat.recordHeaderSize, remaining: remaining))
        }
        guard capturedLength <= CaptureReader.maximumCapturedLength else {
            throw error(.packetTooLarge(capturedLength: capturedLength, limit: CaptureReader.maximumCapturedLength))
        }
        let dataOffset = offset + PcapFormat.recordHeaderSize
        guard let data = cursor.slice(at: dataOffset, count: Int(capturedLength)) else {
            throw CaptureError(
                .truncated(.packetData, needed: Int(capturedLength), remaining: cursor.bytes.count - dataOffset),
                offset: dataOffset, packetIndex: packetIndex)
        }
        // 32-bit seconds × 10^9 plus a 32-bit fraction cannot overflow Int64.
        let fractionNanoseconds = Int64(fraction) * (nanosecondResolution ? 1 : 1_000)
        let packet = CapturedPacket(
            timestampNanoseconds: Int64(seconds) * 1_000_000_000 + fractionNanoseconds,
            data: data, originalLength: Int(originalLength), linkType: linkType)
        offset = dataOffset + data.count
        packetIndex += 1
        return packet
    }

    private func error(_ kind: CaptureError.Kind) -> CaptureError {
        CaptureError(kind, offset: offset, packetIndex: packetIndex)
    }
}
