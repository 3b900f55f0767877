/// The upper-layer protocol number carried in a compact header's next-header field.
///
/// An open number space: unknown values survive a decode/encode round trip.
public struct NextHeader: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// TCP over New IP.
    public static let tcp = NextHeader(rawValue: 6)
    /// UDP over New IP, checksummed with `CompactChecksum`.
    public static let udp = NextHeader(rawValue: 17)
    /// New IP control messages (`IPPROTO_NIP_ICMP` in the OpenHarmony stack).
    public static let control = NextHeader(rawValue: 0xB1)
}
