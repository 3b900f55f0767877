import NewIPDataPlane
import NewIPTopology

/// The emulator's device: a node's interface on an emulated link. It transmits on the
/// outgoing direction and holds what the incoming direction delivered until the node
/// takes it.
final class LinkPort: NetworkDevice {
    let outgoing: EmulatedLink
    private var received = PacketRing()
    private let dropped: DeviceDropHandler

    init(outgoing: EmulatedLink, dropped: @escaping DeviceDropHandler) {
        self.outgoing = outgoing
        self.dropped = dropped
    }

    var mtu: Int { outgoing.mtu }

    func canTransmit(now: Nanoseconds) -> Bool { !outgoing.isBusy }

    func transmit(_ packet: consuming PacketBuffer, now: Nanoseconds) {
        guard packet.count <= outgoing.mtu else {
            dropped(packet, .tooBig, now)
            return
        }
        outgoing.start(consume packet, now: now)
    }

    func receive(now: Nanoseconds) -> PacketBuffer? { received.popFirst() }

    /// The incoming link delivers a packet.
    func arrived(_ packet: consuming PacketBuffer) { received.append(consume packet) }
}
