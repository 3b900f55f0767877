/// The link-layer header type of captured packets (a `LINKTYPE_*` value from the
/// tcpdump.org registry), as stored in a pcap file header or a pcapng
/// Interface Description Block.
///
/// Values without a named constant are kept as they are, so reading and
/// rewriting a capture never loses its link type.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// `LINKTYPE_ETHERNET` (1): IEEE 802.3 Ethernet frames.
    public static let ethernet = LinkType(rawValue: 1)

    /// `LINKTYPE_RAW` (101): a bare IPv4 or IPv6 packet, no link header.
    public static let raw = LinkType(rawValue: 101)

    /// `LINKTYPE_USER0` (147): this project's link type for a bare compact
    /// (OpenHarmony) New IP header with no link header in front.
    ///
    /// The user link types are reserved for private use, so no dissector claims
    /// them by default: in Wireshark, map `DLT_USER0` to a New IP dissector under
    /// Preferences › Protocols › DLT_USER.
    public static let newIP = LinkType(rawValue: 147)

    /// `LINKTYPE_USER1` (148): a bare framework (Network 2030) New IP header, no
    /// link header in front. A bare header does not say its dialect, hence two types.
    public static let newIPFramework = LinkType(rawValue: 148)

    public var description: String {
        switch self {
        case .ethernet: "ethernet (1)"
        case .raw: "raw IP (101)"
        case .newIP: "New IP compact (147)"
        case .newIPFramework: "New IP framework (148)"
        default: "link type \(rawValue)"
        }
    }
}
