import NewIPDataPlane
import NewIPTopology

/// Packet buffers for reuse, by size class: a delivered or dropped packet's storage carries
/// the next packet of its class, so a run in steady state allocates no packet storage, and a
/// queued packet holds storage for its own length (plus headroom), not for the largest
/// packet's: a run mixing 64-byte and 1,500-byte flows queues each at its own size.
struct PacketPool {
    /// Storage for a packet a node makes itself (a reply, a routing message): the largest
    /// packet any flow sends, plus headroom.
    let capacity: Int
    /// Free buffers by class: index `c` holds buffers of `c * classBytes` bytes.
    private var free: [[PacketBuffer]]

    init(largestPacket: Int) {
        capacity = Self.capacity(forPacket: largestPacket)
        free = Array(repeating: [], count: capacity / Self.classBytes + 1)
    }

    /// Room in front of a packet for headers added on the way (a gateway's translation);
    /// trimming only shortens a packet, so no room is kept behind it.
    static let headroom = PacketTemplate.headroom
    /// Storage sizes are multiples of this: the allocator's granule, so rounding wastes no
    /// bytes the allocator would not waste anyway, and lengths within it share buffers.
    static let classBytes = 16

    /// The storage a packet of `length` bytes gets: its length and the headroom, rounded up
    /// to the class.
    static func capacity(forPacket length: Int) -> Int {
        (headroom + length + classBytes - 1) / classBytes * classBytes
    }

    /// What one queued packet of `length` bytes takes: the `PacketBuffer` in its queue slot
    /// and its storage, an array whose heap block starts with its count, capacity and object
    /// header (the allocator's own 8–16 bytes per block not counted).
    static func queuedBytes(forPacket length: Int) -> Int {
        MemoryLayout<PacketBuffer>.stride + arrayHeaderBytes + capacity(forPacket: length)
    }

    static let arrayHeaderBytes = 32

    /// A buffer for a packet of `length` bytes.
    mutating func take(forPacket length: Int) -> PacketBuffer {
        let capacity = Self.capacity(forPacket: length)
        let sizeClass = capacity / Self.classBytes
        if sizeClass < free.count, let buffer = free[sizeClass].popLast() { return buffer }
        return PacketBuffer(capacity: capacity, headroom: Self.headroom)
    }

    /// A buffer for a packet a node makes itself, of any length up to the largest.
    mutating func take() -> PacketBuffer { take(forPacket: capacity - Self.headroom) }

    /// Keeps `packet`'s storage for the next packet of its class; a buffer that grew past
    /// its class (or was made elsewhere) is freed.
    mutating func recycle(_ packet: PacketBuffer) {
        let sizeClass = packet.capacity / Self.classBytes
        guard packet.capacity % Self.classBytes == 0, sizeClass < free.count else { return }
        free[sizeClass].append(packet)
    }
}
