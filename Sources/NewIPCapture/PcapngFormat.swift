/// Constants of the pcapng format (draft-ietf-opsawg-pcapng).
enum PcapngFormat {
    enum BlockType {
        /// Reads the same in both byte orders, so it is found before the order is known.
        static let sectionHeader: UInt32 = 0x0A0D_0D0A
        static let interfaceDescription: UInt32 = 1
        static let simplePacket: UInt32 = 3
        static let enhancedPacket: UInt32 = 6
    }

    /// Smallest valid total length of each block, trailing length included.
    enum MinimumLength {
        static let any = 12
        static let sectionHeader = 28
        static let interfaceDescription = 20
        static let simplePacket = 16
        static let enhancedPacket = 32
    }

    enum OptionCode {
        static let endOfOptions: UInt16 = 0
        static let shbUserApplication: UInt16 = 4
        static let ifName: UInt16 = 2
        static let ifTimestampResolution: UInt16 = 9
        static let ifTimestampOffset: UInt16 = 14
    }

    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D
    static let versionMajor: UInt16 = 1
    static let versionMinor: UInt16 = 0

    /// `length` rounded up to the 32-bit boundary that pads block contents.
    static func padded(_ length: Int) -> Int {
        (length + 3) & ~3
    }
}

/// What a pcapng Interface Description Block says about the packets that name it.
struct PcapngInterface: Sendable {
    var linkType: LinkType
    /// 0 means unlimited.
    var snapLength: UInt32
    var resolution = TimestampResolution.microseconds
    /// `if_tsoffset`: seconds added to every timestamp.
    var offsetSeconds: Int64 = 0

    /// A block timestamp in nanoseconds since the epoch, or `nil` on overflow.
    func nanoseconds(_ units: UInt64) -> Int64? {
        guard let sinceOffset = resolution.nanoseconds(units) else { return nil }
        let (offset, offsetOverflow) = offsetSeconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, sumOverflow) = sinceOffset.addingReportingOverflow(offset)
        return offsetOverflow || sumOverflow ? nil : sum
    }
}
