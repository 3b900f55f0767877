/// Which New IP header a packet starts with; the link layer tells (EtherType 0xEADD or 0x88B6,
/// or the capture link types 147 and 148).
public enum PacketDialect: String, Hashable, Sendable, CaseIterable {
    /// OpenHarmony's compact header.
    case compact
    /// Network 2030's shipping / contract / payload framework.
    case framework
}
