/// The container format of a capture file.
public enum CaptureFormat: Hashable, Sendable, CustomStringConvertible {
    /// Classic libpcap format: one global header, then records.
    case pcap
    /// PCAP Next Generation: a sequence of typed blocks in one or more sections.
    case pcapng

    public var description: String {
        switch self {
        case .pcap: "pcap"
        case .pcapng: "pcapng"
        }
    }
}
