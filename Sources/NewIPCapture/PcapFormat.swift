/// Constants of the classic libpcap file format.
enum PcapFormat {
    /// Magic numbers as read in little-endian order.
    static let microsecondMagic: UInt32 = 0xA1B2_C3D4
    static let nanosecondMagic: UInt32 = 0xA1B2_3C4D
    static let fileHeaderSize = 24
    static let recordHeaderSize = 16
    static let versionMajor: UInt16 = 2
    static let versionMinor: UInt16 = 4
}
