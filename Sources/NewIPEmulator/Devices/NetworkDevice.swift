import NewIPDataPlane
import NewIPTopology

/// An interface that can transmit a packet and hand over the packets it received.
///
/// The emulator's link port and a SwiftNIO channel are two implementations; capture and
/// fault injection are wrappers that work on any of them. The device never reads a clock:
/// every call is given the time. Packets it refuses or loses go to the handler it was made
/// with, not back to the caller.
public protocol NetworkDevice: AnyObject {
    /// The largest packet the medium carries.
    var mtu: Int { get }
    /// Whether `transmit` takes a packet at `now` (the medium is free).
    func canTransmit(now: Nanoseconds) -> Bool
    /// Puts `packet` on the medium; call only when `canTransmit(now:)`. Consumes it, so the
    /// packet moves on to the medium instead of being retained there and released here.
    func transmit(_ packet: consuming PacketBuffer, now: Nanoseconds)
    /// The next packet received, if any.
    func receive(now: Nanoseconds) -> PacketBuffer?
}

/// Where a device puts a packet it drops (too big, fault injected), so it is counted.
public typealias DeviceDropHandler = (PacketBuffer, DropReason, Nanoseconds) -> Void
