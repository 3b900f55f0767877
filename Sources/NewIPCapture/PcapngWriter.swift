/// Writes a pcapng file into memory: one little-endian section whose
/// `shb_userappl` is "swift-newip", and one Interface Description Block per
/// link type, added when the first packet of that type arrives, with
/// nanosecond timestamps (`if_tsresol` = 9).
///
/// Interface IDs are given in order of first use, so a packet read back has the
/// `interfaceIndex` of its link type's interface, not the one it was appended with.
public struct PcapngWriter: Sendable {
    private typealias BlockType = PcapngFormat.BlockType
    private typealias OptionCode = PcapngFormat.OptionCode

    /// Packets longer than this are cut to it; `originalLength` keeps their real length.
    public let snapshotLength: UInt32
    /// The file so far, or since the last `takeBytes()`.
    public private(set) var bytes: [UInt8] = []
    /// Bytes handed out by `takeBytes()` (so error offsets stay offsets in the whole file).
    private var takenCount = 0
    private let interfaceNames: [LinkType: String]
    private var interfaceIDs: [LinkType: UInt32] = [:]
    private var packetCount = 0

    /// - Parameter interfaceNames: the `if_name` to give the interface of each
    ///   link type; types not listed get an interface without a name.
    public init(interfaceNames: [LinkType: String] = [:], snapshotLength: UInt32 = 65535) {
        self.interfaceNames = interfaceNames
        self.snapshotLength = snapshotLength
        var body: [UInt8] = []
        body.appendLittleEndian(PcapngFormat.byteOrderMagic)
        body.appendLittleEndian(PcapngFormat.versionMajor)
        body.appendLittleEndian(PcapngFormat.versionMinor)
        body.appendLittleEndian(Int64(-1))  // section length: not computed
        Self.appendOption(OptionCode.shbUserApplication, Array("swift-newip".utf8), to: &body)
        Self.appendOption(OptionCode.endOfOptions, [], to: &body)
        appendBlock(BlockType.sectionHeader, body: body)
    }

    /// Appends an Enhanced Packet Block, preceded by an Interface Description
    /// Block if the packet's link type is new. Throws, leaving `bytes`
    /// unchanged, if the timestamp is before 1970, or the length or the link type
    /// (16 bits in pcapng) cannot be stored.
    public mutating func append(_ packet: CapturedPacket) throws(CaptureError) {
        guard packet.linkType.rawValue <= UInt16.max else {
            throw CaptureError(
                .linkTypeNotRepresentable(packet.linkType), offset: takenCount + bytes.count, packetIndex: packetCount)
        }
        let record = try WriterRecord(
            packet, snapshotLength: snapshotLength, offset: takenCount + bytes.count, packetIndex: packetCount)
        let interfaceID = interfaceID(for: packet.linkType)
        var body: [UInt8] = []
        body.appendLittleEndian(interfaceID)
        body.appendLittleEndian(UInt32(truncatingIfNeeded: record.timestampNanoseconds >> 32))
        body.appendLittleEndian(UInt32(truncatingIfNeeded: record.timestampNanoseconds))
        body.appendLittleEndian(UInt32(record.captured.count))
        body.appendLittleEndian(record.originalLength)
        body.append(contentsOf: record.captured)
        body.append(contentsOf: repeatElement(0, count: PcapngFormat.padded(body.count) - body.count))
        appendBlock(BlockType.enhancedPacket, body: body)
        packetCount += 1
    }

    /// Hands out the bytes written so far and forgets them, for a file written as it grows;
    /// the concatenation of every `takeBytes()` and the final `bytes` is the whole file.
    public mutating func takeBytes() -> [UInt8] {
        takenCount += bytes.count
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }

    private mutating func interfaceID(for linkType: LinkType) -> UInt32 {
        if let id = interfaceIDs[linkType] { return id }
        let id = UInt32(interfaceIDs.count)
        interfaceIDs[linkType] = id
        var body: [UInt8] = []
        body.appendLittleEndian(UInt16(truncatingIfNeeded: linkType.rawValue))  // checked by append
        body.appendLittleEndian(UInt16(0))  // reserved
        body.appendLittleEndian(snapshotLength)
        if let name = interfaceNames[linkType] {
            Self.appendOption(OptionCode.ifName, Array(name.utf8), to: &body)
        }
        Self.appendOption(OptionCode.ifTimestampResolution, [9], to: &body)
        Self.appendOption(OptionCode.endOfOptions, [], to: &body)
        appendBlock(BlockType.interfaceDescription, body: body)
        return id
    }

    /// Frames `body` (already padded to 32 bits) with the type and both length words.
    private mutating func appendBlock(_ type: UInt32, body: [UInt8]) {
        let length = UInt32(12 + body.count)
        bytes.appendLittleEndian(type)
        bytes.appendLittleEndian(length)
        bytes.append(contentsOf: body)
        bytes.appendLittleEndian(length)
    }

    private static func appendOption(_ code: UInt16, _ value: [UInt8], to body: inout [UInt8]) {
        let value = value.prefix(Int(UInt16.max))  // an option's length field has 16 bits
        body.appendLittleEndian(code)
        body.appendLittleEndian(UInt16(value.count))
        body.append(contentsOf: value)
        body.append(contentsOf: repeatElement(0, count: PcapngFormat.padded(value.count) - value.count))
    }
}
