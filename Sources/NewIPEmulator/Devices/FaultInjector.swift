import NewIPDataPlane
import NewIPRandom
import NewIPTopology

/// Wraps a device and, on receive, drops a packet or flips one of its bits, each with a
/// seeded probability: a reproducible bad medium in front of any device.
public final class FaultInjector: NetworkDevice {
    public let base: any NetworkDevice
    public let dropProbability: Double
    public let corruptProbability: Double
    private var random: RandomStream
    private let dropped: DeviceDropHandler
    /// Packets this wrapper corrupted and passed on.
    public private(set) var corrupted = 0

    public init(_ base: any NetworkDevice, drop: Double, corrupt: Double, random: RandomStream,
                dropped: @escaping DeviceDropHandler) {
        self.base = base
        dropProbability = drop
        corruptProbability = corrupt
        self.random = random
        self.dropped = dropped
    }

    public var mtu: Int { base.mtu }

    public func canTransmit(now: Nanoseconds) -> Bool { base.canTransmit(now: now) }

    public func transmit(_ packet: consuming PacketBuffer, now: Nanoseconds) { base.transmit(consume packet, now: now) }

    public func receive(now: Nanoseconds) -> PacketBuffer? {
        while var packet = base.receive(now: now) {
            if random.chance(dropProbability) {
                dropped(packet, .faultInjected, now)
                continue
            }
            if random.chance(corruptProbability), packet.count > 0 {
                let bit = random.nextInt(in: 0...(packet.count * 8 - 1))
                packet.withUnsafeMutableBytes { $0[bit / 8] ^= 1 << UInt8(bit % 8) }
                corrupted += 1
            }
            return packet
        }
        return nil
    }
}
