/// Which New IP header a packet starts with; the link layer tells (EtherType 0xEADD or 0x88B6).
public enum PacketDialect: Hashable, Sendable {
    /// OpenHarmony's compact header.
    case compact
    /// Network 2030's shipping / contract / payload framework.
    case framework
}
