import NewIPDataPlane
import NewIPTopology

/// Packet buffers for reuse: a delivered or dropped packet's storage carries the next one,
/// so a run in steady state allocates no packet storage.
struct PacketPool {
    /// Storage of a new buffer: the largest packet any flow sends, plus headroom.
    let capacity: Int
    private var free: [PacketBuffer] = []

    init(largestPacket: Int) {
        capacity = largestPacket + PacketPool.headroom
    }

    static let headroom = PacketTemplate.headroom

    mutating func take() -> PacketBuffer {
        free.popLast() ?? PacketBuffer(capacity: capacity, headroom: Self.headroom)
    }

    mutating func recycle(_ packet: PacketBuffer) {
        guard packet.capacity >= capacity else { return }
        free.append(packet)
    }
}
