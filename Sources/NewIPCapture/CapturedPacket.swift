/// One packet read from or written to a capture file.
public struct CapturedPacket: Hashable, Sendable {
    /// Capture time in nanoseconds since the Unix epoch (UTC).
    public var timestampNanoseconds: Int64
    /// Length of the packet on the wire; larger than `data.count` when the
    /// capture kept only a prefix (snapshot length).
    public var originalLength: Int
    /// The captured bytes, starting with the link-layer header of `linkType`.
    public var data: [UInt8]
    public var linkType: LinkType
    /// The interface the packet was captured on: the pcapng interface ID within
    /// its section, always 0 for classic pcap.
    public var interfaceIndex: Int

    /// - Parameter originalLength: the on-wire length; `nil` means `data.count`.
    public init(
        timestampNanoseconds: Int64,
        data: [UInt8],
        originalLength: Int? = nil,
        linkType: LinkType,
        interfaceIndex: Int = 0
    ) {
        self.timestampNanoseconds = timestampNanoseconds
        self.originalLength = originalLength ?? data.count
        self.data = data
        self.linkType = linkType
        self.interfaceIndex = interfaceIndex
    }
}
