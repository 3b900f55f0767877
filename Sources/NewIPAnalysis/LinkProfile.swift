/// A link layer a network header rides on: its per-frame overhead and the MTU it offers the
/// network layer. The numbers are assumptions, stated so a reader can change them.
public struct LinkProfile: Hashable, Sendable {
    public var name: String
    /// Link-layer bytes per frame outside the network-layer packet.
    public var overhead: Int
    /// Largest network-layer packet (network header included).
    public var mtu: Int
    /// Where the numbers come from.
    public var assumption: String

    public init(name: String, overhead: Int, mtu: Int, assumption: String) {
        self.name = name
        self.overhead = overhead
        self.mtu = mtu
        self.assumption = assumption
    }

    /// The frame of the published New IP claim: 802.11 MAC header 30 B + LLC/SNAP 8 B.
    public static let wifi = LinkProfile(
        name: "Wi-Fi", overhead: 38, mtu: 1500,
        assumption: "802.11 MAC header 30 B + LLC/SNAP 8 B (the published claim's frame), MTU 1500")

    /// Bluetooth LE data channel with L2CAP.
    public static let bluetoothLE = LinkProfile(
        name: "Bluetooth LE", overhead: 14, mtu: 255,
        assumption: "preamble 1 B + access address 4 B + PDU header 2 B + CRC 3 B + L2CAP 4 B, MTU 255")
}
