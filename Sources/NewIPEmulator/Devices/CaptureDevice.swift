import NewIPCapture
import NewIPDataPlane
import NewIPWire

/// Wraps a device and records every packet it transmits or receives into a pcapng file, as
/// bare New IP packets: link type 147 for the compact dialect, 148 for the framework one;
/// bare IPv4 or IPv6 packets (raw, 101) on a plain-IP interface.
/// Timestamps are virtual time (so a capture starts on 1 January 1970).
public final class CaptureDevice: NetworkDevice {
    public let base: any NetworkDevice
    public let linkType: LinkType
    public private(set) var writer: PcapngWriter

    public convenience init(_ base: any NetworkDevice, dialect: PacketDialect, name: String) {
        self.init(base, linkType: dialect == .compact ? .newIP : .newIPFramework, name: name)
    }

    /// Records with `linkType`: `.raw` (101) for a plain IPv4 or IPv6 interface.
    public init(_ base: any NetworkDevice, linkType: LinkType, name: String) {
        self.base = base
        self.linkType = linkType
        writer = PcapngWriter(interfaceNames: [linkType: name])
    }

    public var mtu: Int { base.mtu }

    public func canTransmit(now: Nanoseconds) -> Bool { base.canTransmit(now: now) }

    public func transmit(_ packet: PacketBuffer, now: Nanoseconds) {
        record(packet, now: now)
        base.transmit(packet, now: now)
    }

    public func receive(now: Nanoseconds) -> PacketBuffer? {
        guard let packet = base.receive(now: now) else { return nil }
        record(packet, now: now)
        return packet
    }

    /// The file so far.
    public var bytes: [UInt8] { writer.bytes }

    private func record(_ packet: PacketBuffer, now: Nanoseconds) {
        // Virtual time is never negative and packets are below 2^32 bytes: append cannot fail.
        try? writer.append(CapturedPacket(timestampNanoseconds: now, data: packet.bytes, linkType: linkType))
    }
}
