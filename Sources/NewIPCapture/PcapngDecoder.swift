/// Reads the blocks of a pcapng file, one or more sections, returning packets
/// and skipping block types it does not know.
struct PcapngDecoder: Sendable {
    private typealias BlockType = PcapngFormat.BlockType
    private typealias MinimumLength = PcapngFormat.MinimumLength

    private var cursor: ByteCursor
    private var offset = 0
    private var packetIndex = 0
    /// The current section's interfaces, indexed by interface ID.
    private var interfaces: [PcapngInterface] = []

    /// Parses the Section Header Block the file starts with.
    init(bytes: [UInt8]) throws(CaptureError) {
        cursor = ByteCursor(bytes: bytes, bigEndian: false)
        try readSectionHeader()
    }

    mutating func next() throws(CaptureError) -> CapturedPacket? {
        // Each pass consumes a whole block of at least 12 bytes, so the loop ends.
        while offset < cursor.bytes.count {
            let start = offset
            guard let type = cursor.u32(at: start) else {
                throw CaptureError(
                    .truncated(.blockHeader, needed: 8, remaining: cursor.bytes.count - start), offset: start)
            }
            switch type {
            case BlockType.sectionHeader:
                try readSectionHeader()
            case BlockType.interfaceDescription:
                try readInterface(at: start)
            case BlockType.enhancedPacket:
                return try readEnhancedPacket(at: start)
            case BlockType.simplePacket:
                return try readSimplePacket(at: start)
            default:
                offset += try blockLength(at: start, minimum: MinimumLength.any)
            }
        }
        return nil
    }

    /// A new section: its own byte order and no interfaces yet.
    private mutating func readSectionHeader() throws(CaptureError) {
        let start = offset
        let remaining = cursor.bytes.count - start
        // The byte-order magic is read little-endian whatever the previous section's order.
        cursor.bigEndian = false
        guard cursor.contains(start, MinimumLength.sectionHeader), let magic = cursor.u32(at: start + 8) else {
            throw CaptureError(
                .truncated(.sectionHeader, needed: MinimumLength.sectionHeader, remaining: remaining), offset: start)
        }
        switch magic {
        case PcapngFormat.byteOrderMagic: cursor.bigEndian = false
        case PcapngFormat.byteOrderMagic.byteSwapped: cursor.bigEndian = true
        default: throw CaptureError(.unknownByteOrderMagic(magic), offset: start)
        }
        guard let major = cursor.u16(at: start + 12), let minor = cursor.u16(at: start + 14) else {
            throw CaptureError(
                .truncated(.sectionHeader, needed: MinimumLength.sectionHeader, remaining: remaining), offset: start)
        }
        guard major == PcapngFormat.versionMajor else {
            throw CaptureError(.unsupportedVersion(.pcapng, major: major, minor: minor), offset: start)
        }
        offset += try blockLength(at: start, minimum: MinimumLength.sectionHeader)
        interfaces = []
    }

    private mutating func readInterface(at start: Int) throws(CaptureError) {
        let length = try blockLength(at: start, minimum: MinimumLength.interfaceDescription)
        guard let linkType = cursor.u16(at: start + 8), let snapLength = cursor.u32(at: start + 12) else {
            throw truncatedBlock(at: start, length: length, isPacket: false)
        }
        var interface = PcapngInterface(linkType: LinkType(rawValue: UInt32(linkType)), snapLength: snapLength)
        for option in try options(from: start + 16, to: start + length - 4) {
            switch option.code {
            case PcapngFormat.OptionCode.ifTimestampResolution:
                guard option.length == 1, let byte = cursor.u8(at: option.valueOffset) else {
                    throw CaptureError(.malformedOption(code: option.code), offset: option.offset)
                }
                interface.resolution = TimestampResolution(optionByte: byte)
            case PcapngFormat.OptionCode.ifTimestampOffset:
                guard option.length == 8, let seconds = cursor.u64(at: option.valueOffset) else {
                    throw CaptureError(.malformedOption(code: option.code), offset: option.offset)
                }
                interface.offsetSeconds = Int64(bitPattern: seconds)
            default:
                break
            }
        }
        interfaces.append(interface)
        offset = start + length
    }

    private mutating func readEnhancedPacket(at start: Int) throws(CaptureError) -> CapturedPacket {
        let length = try blockLength(at: start, minimum: MinimumLength.enhancedPacket, isPacket: true)
        guard let interfaceID = cursor.u32(at: start + 8),
              let timestampHigh = cursor.u32(at: start + 12), let timestampLow = cursor.u32(at: start + 16),
              let capturedLength = cursor.u32(at: start + 20), let originalLength = cursor.u32(at: start + 24)
        else {
            throw truncatedBlock(at: start, length: length, isPacket: true)
        }
        let interface = try checkedInterface(interfaceID, at: start)
        let data = try packetData(at: start, dataOffset: 28, count: capturedLength, blockLength: length)
        guard let timestamp = interface.nanoseconds(UInt64(timestampHigh) << 32 | UInt64(timestampLow)) else {
            throw CaptureError(.timestampOverflow, offset: start, packetIndex: packetIndex)
        }
        return emit(data: data, originalLength: originalLength, interfaceID: interfaceID, of: interface,
                    timestamp: timestamp, blockEnd: start + length)
    }

    /// A Simple Packet Block has no timestamp (reported as 0) and belongs to
    /// interface 0; its captured length is implied by the snapshot length.
    private mutating func readSimplePacket(at start: Int) throws(CaptureError) -> CapturedPacket {
        let length = try blockLength(at: start, minimum: MinimumLength.simplePacket, isPacket: true)
        guard let originalLength = cursor.u32(at: start + 8) else {
            throw truncatedBlock(at: start, length: length, isPacket: true)
        }
        let interface = try checkedInterface(0, at: start)
        var capturedLength = min(originalLength, UInt32(length - MinimumLength.simplePacket))
        if interface.snapLength > 0 {
            capturedLength = min(capturedLength, interface.snapLength)
        }
        let data = try packetData(at: start, dataOffset: 12, count: capturedLength, blockLength: length)
        return emit(data: data, originalLength: originalLength, interfaceID: 0, of: interface,
                    timestamp: 0, blockEnd: start + length)
    }

    private mutating func emit(
        data: [UInt8], originalLength: UInt32, interfaceID: UInt32, of interface: PcapngInterface,
        timestamp: Int64, blockEnd: Int
    ) -> CapturedPacket {
        offset = blockEnd
        packetIndex += 1
        return CapturedPacket(
            timestampNanoseconds: timestamp, data: data, originalLength: Int(originalLength),
            linkType: interface.linkType, interfaceIndex: Int(interfaceID))
    }

    private func checkedInterface(_ id: UInt32, at start: Int) throws(CaptureError) -> PcapngInterface {
        guard Int(id) < interfaces.count else {
            throw CaptureError(.undefinedInterface(id), offset: start, packetIndex: packetIndex)
        }
        return interfaces[Int(id)]
    }

    /// The captured bytes of a packet block, checked against the block and the size limit.
    private func packetData(
        at start: Int, dataOffset: Int, count: UInt32, blockLength: Int
    ) throws(CaptureError) -> [UInt8] {
        guard count <= CaptureReader.maximumCapturedLength else {
            throw CaptureError(
                .packetTooLarge(capturedLength: count, limit: CaptureReader.maximumCapturedLength),
                offset: start, packetIndex: packetIndex)
        }
        let room = blockLength - dataOffset - 4
        guard count <= room else {
            throw CaptureError(
                .capturedLengthExceedsBlock(capturedLength: count, room: room), offset: start, packetIndex: packetIndex)
        }
        guard let data = cursor.slice(at: start + dataOffset, count: Int(count)) else {
            throw truncatedBlock(at: start, length: blockLength, isPacket: true)
        }
        return data
    }

    /// Validates the length words of the block at `start` and returns its total length:
    /// a multiple of 4, at least `minimum`, inside the file, and equal to the trailing copy.
    private func blockLength(at start: Int, minimum: Int, isPacket: Bool = false) throws(CaptureError) -> Int {
        let packet = isPacket ? packetIndex : nil
        let remaining = cursor.bytes.count - start
        guard let length = cursor.u32(at: start + 4) else {
            throw CaptureError(
                .truncated(.blockHeader, needed: 8, remaining: remaining), offset: start, packetIndex: packet)
        }
        guard length >= minimum, length % 4 == 0 else {
            throw CaptureError(.invalidBlockLength(length, minimum: minimum), offset: start, packetIndex: packet)
        }
        guard length <= remaining, let trailing = cursor.u32(at: start + Int(length) - 4) else {
            throw truncatedBlock(at: start, length: Int(length), isPacket: isPacket)
        }
        guard trailing == length else {
            throw CaptureError(
                .blockLengthMismatch(leading: length, trailing: trailing), offset: start, packetIndex: packet)
        }
        return Int(length)
    }

    private func truncatedBlock(at start: Int, length: Int, isPacket: Bool) -> CaptureError {
        CaptureError(
            .truncated(.block, needed: length, remaining: cursor.bytes.count - start),
            offset: start, packetIndex: isPacket ? packetIndex : nil)
    }

    private struct Option {
        var code: UInt16
        var length: Int
        /// Where the option's code word starts.
        var offset: Int
        var valueOffset: Int { offset + 4 }
    }

    /// The options between `start` and `end`, up to `opt_endofopt` if present.
    private func options(from start: Int, to end: Int) throws(CaptureError) -> [Option] {
        var options: [Option] = []
        var position = start
        // Each pass consumes at least the 4-byte option header, so the loop ends.
        while position < end {
            let code = cursor.u16(at: position) ?? 0
            guard end - position >= 4, let length = cursor.u16(at: position + 2) else {
                throw CaptureError(.malformedOption(code: code), offset: position)
            }
            if code == PcapngFormat.OptionCode.endOfOptions { break }
            let paddedLength = PcapngFormat.padded(Int(length))
            guard paddedLength <= end - position - 4 else {
                throw CaptureError(.malformedOption(code: code), offset: position)
            }
            options.append(Option(code: code, length: Int(length), offset: position))
            position += 4 + paddedLength
        }
        return options
    }
}
